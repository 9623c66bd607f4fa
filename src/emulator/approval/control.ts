import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import { ApiError } from '../errors.js';
import { revertInstance } from './flow.js';
import { ApprovalState } from './state.js';
import { actionableTask, runTaskAction } from './tasks.js';
import type { UserRecord } from '../types.js';
import { instanceView } from './views.js';

/**
 * `/__emulator/approval…`: what people do in the Feishu client (approve or reject their task,
 * an admin revoking an approved instance), and the per-person view an approval-centre page reads.
 */

function findUserAnyId(ctx: EmulatorContext, id: unknown): UserRecord | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  for (const type of ['open_id', 'user_id', 'union_id', 'email'] as const) {
    const u = ctx.slice(DirectoryState).findUser(id, type);
    if (u) return u;
  }
  return undefined;
}

/** Platform errors thrown by the shared checks, answered in the control API's plain shape. */
function plain(reply: FastifyReply, e: unknown) {
  if (e instanceof ApiError) return reply.status(e.status === 403 ? 403 : e.code === 1390010 || e.code === 1390003 ? 404 : 409).send({ error: e.message, code: e.code });
  throw e;
}

export function registerApprovalControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(ApprovalState);

  app.post('/__emulator/approval/instances/:code/revert', async (request, reply) => {
    const inst = state().findInstance((request.params as { code: string }).code);
    if (!inst) return reply.status(404).send({ error: 'no such instance' });
    if (inst.status !== 'APPROVED') return reply.status(409).send({ error: `only an APPROVED instance can be reverted (it is ${inst.status})` });
    if (inst.reverted) return reply.status(409).send({ error: 'the instance was already reverted' });
    revertInstance(ctx, inst);
    return { instance: instanceView(ctx, inst) };
  });

  for (const action of ['approve', 'reject'] as const) {
    app.post(`/__emulator/approval/tasks/:task_id/${action}`, async (request, reply) => {
      const body = (request.body ?? {}) as { as?: unknown; comment?: unknown };
      const actor = findUserAnyId(ctx, body.as);
      if (!actor) return reply.status(400).send({ error: `"as" must name a user (got ${JSON.stringify(body.as)})` });
      if (body.comment !== undefined && typeof body.comment !== 'string') return reply.status(400).send({ error: 'comment must be a string' });
      try {
        const t = actionableTask(ctx, { taskId: (request.params as { task_id: string }).task_id, actor });
        runTaskAction(ctx, action, t, body.comment ?? '');
        return { instance: instanceView(ctx, t.inst) };
      } catch (e) {
        return plain(reply, e);
      }
    });
  }

  // The approval centre of one person: tasks waiting for them, tasks they handled, what they submitted.
  app.get('/__emulator/approval', async (request, reply) => {
    const q = request.query as { user?: string };
    const defs = [...state().definitions.values()].map((d) => ({ approval_code: d.approval_code, approval_name: d.approval_name, status: d.status }));
    if (q.user === undefined) return { definitions: defs, instances: [...state().instances.values()].map((i) => instanceView(ctx, i)) };
    const user = findUserAnyId(ctx, q.user);
    if (!user) return reply.status(400).send({ error: `no user ${q.user}` });
    const rows = [...state().instances.values()].flatMap((inst) =>
      inst.tasks
        .filter((t) => t.open_id === user.open_id)
        .map((t) => ({
          task_id: t.id,
          status: t.status,
          node_name: t.node_name,
          approval_code: inst.approval_code,
          approval_name: state().definitions.get(inst.approval_code)?.approval_name ?? '',
          instance_code: inst.instance_code,
          instance_status: inst.status,
          title: inst.title,
          applicant: inst.open_id,
          start_time: t.start_time,
          end_time: t.end_time,
        })),
    );
    return {
      user: { open_id: user.open_id, user_id: user.user_id, name: user.en_name || user.name },
      definitions: defs,
      pending: rows.filter((r) => r.status === 'PENDING' && r.instance_status === 'PENDING'),
      done: rows.filter((r) => r.status !== 'PENDING'),
      submitted: [...state().instances.values()].filter((i) => i.open_id === user.open_id).map((i) => instanceView(ctx, i)),
    };
  });
}
