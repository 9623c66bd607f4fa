import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { writeComment } from './comments.js';
import { definitionUpdatedEvent, ccEvent } from './events.js';
import { cancelInstance, deleteInstance, revertInstance } from './flow.js';
import { detailView } from './page-view.js';
import { ApprovalState } from './state.js';
import { actionableTask, runTaskAction, type TaskAction } from './tasks.js';
import type { DefinitionStatus } from './types.js';
import { findUserAnyId } from './users.js';

/**
 * `/__emulator/approval/…`: what people do in the Feishu client (approve, reject, transfer, comment,
 * withdraw, read a cc), what an admin does (revoke an approved instance, stop or delete a definition).
 * Not Feishu APIs: they answer `{instance}` or `{error, code}` (the platform code when one applies).
 */

type Body = Record<string, unknown>;

/** The platform errors of the shared checks, in the control API's plain shape. */
function plain(reply: FastifyReply, e: unknown) {
  if (!(e instanceof ApiError)) throw e;
  const status = e.status === 403 ? 403 : [1390002, 1390003, 1390010].includes(e.code) ? 404 : 409;
  const why = e.extra.fieldViolations?.[0]?.description;
  return reply.status(status).send({ error: why ? `${e.message}: ${why}` : e.message, code: e.code });
}

export function registerApprovalControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(ApprovalState);
  const person = (reply: FastifyReply, id: unknown, field = 'as') => {
    const u = findUserAnyId(ctx, id);
    if (!u) reply.status(400).send({ error: `"${field}" must name a user by open_id, user_id or email (got ${JSON.stringify(id)})` });
    return u;
  };
  const instance = (reply: FastifyReply, code: string) => {
    const inst = state().findInstance(code);
    if (!inst) reply.status(404).send({ error: `no instance ${code}`, code: 1390003 });
    return inst;
  };

  for (const action of ['approve', 'reject', 'transfer'] as TaskAction[]) {
    app.post(`/__emulator/approval/tasks/:task_id/${action}`, async (request, reply) => {
      const b = (request.body ?? {}) as Body;
      const actor = person(reply, b.as);
      if (!actor) return reply;
      if (b.comment !== undefined && typeof b.comment !== 'string') return reply.status(400).send({ error: 'comment must be a string' });
      const target = action === 'transfer' ? person(reply, b.to, 'to') : undefined;
      if (action === 'transfer' && !target) return reply;
      if (target?.open_id === actor.open_id) return reply.status(400).send({ error: 'cannot transfer a task to its own approver' });
      try {
        const t = actionableTask(ctx, { taskId: (request.params as { task_id: string }).task_id, actor });
        runTaskAction(ctx, action, t, (b.comment as string | undefined) ?? '', target?.open_id);
        return { instance: detailView(ctx, t.inst, actor) };
      } catch (e) {
        return plain(reply, e);
      }
    });
  }

  app.post('/__emulator/approval/instances/:code/comments', async (request, reply) => {
    const b = (request.body ?? {}) as Body;
    const actor = person(reply, b.as);
    const inst = actor && instance(reply, (request.params as { code: string }).code);
    if (!actor || !inst) return reply;
    if (typeof b.text !== 'string' || b.text.trim() === '') return reply.status(400).send({ error: 'text is required' });
    try {
      writeComment(ctx, inst, actor.open_id, { content: JSON.stringify({ text: b.text }) });
      return { instance: detailView(ctx, inst, actor) };
    } catch (e) {
      return plain(reply, e);
    }
  });

  app.post('/__emulator/approval/instances/:code/cancel', async (request, reply) => {
    const b = (request.body ?? {}) as Body;
    const actor = person(reply, b.as);
    const inst = actor && instance(reply, (request.params as { code: string }).code);
    if (!actor || !inst) return reply;
    if (inst.open_id !== actor.open_id) return reply.status(403).send({ error: 'only the applicant can withdraw', code: 1390009 });
    if (inst.status !== 'PENDING') return reply.status(409).send({ error: `the instance is ${inst.status}, not PENDING` });
    cancelInstance(ctx, inst);
    return { instance: detailView(ctx, inst, actor) };
  });

  // A cc'd person opens the instance: approval_cc READ, once.
  app.post('/__emulator/approval/instances/:code/read', async (request, reply) => {
    const b = (request.body ?? {}) as Body;
    const actor = person(reply, b.as);
    const inst = actor && instance(reply, (request.params as { code: string }).code);
    if (!actor || !inst) return reply;
    const unread = inst.cc.filter((c) => c.open_id === actor.open_id && !c.read);
    for (const c of unread) {
      c.read = true;
      ccEvent(ctx, inst, c, 'READ');
    }
    return { read: unread.length };
  });

  app.post('/__emulator/approval/instances/:code/revert', async (request, reply) => {
    const inst = instance(reply, (request.params as { code: string }).code);
    if (!inst) return reply;
    if (inst.status !== 'APPROVED') return reply.status(409).send({ error: `only an APPROVED instance can be revoked (it is ${inst.status})` });
    if (inst.reverted) return reply.status(409).send({ error: 'the instance was already revoked' });
    revertInstance(ctx, inst);
    return { instance: detailView(ctx, inst) };
  });

  // An admin stops (INACTIVE), restarts (ACTIVE) or deletes (DELETED) a definition in the admin console.
  app.post('/__emulator/approval/definitions/:code/status', async (request, reply) => {
    const code = (request.params as { code: string }).code;
    const def = state().definitions.get(code);
    if (!def) return reply.status(404).send({ error: `no approval ${code}`, code: 1390002 });
    const status = ((request.body ?? {}) as Body).status as DefinitionStatus;
    if (!['ACTIVE', 'INACTIVE', 'DELETED'].includes(status)) return reply.status(400).send({ error: 'status must be ACTIVE, INACTIVE or DELETED' });
    if (def.status === 'DELETED') return reply.status(409).send({ error: 'the approval is deleted' });
    if (def.status === status) return { approval_code: code, status };
    def.status = status;
    def.version++;
    definitionUpdatedEvent(ctx, def);
    // Deleting a definition ends its pending instances (DELETED, tasks DONE), as the event pages say.
    if (status === 'DELETED') for (const inst of state().instances.values()) if (inst.approval_code === code && inst.status === 'PENDING') deleteInstance(ctx, inst);
    return { approval_code: code, status };
  });
}
