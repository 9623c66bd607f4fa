import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import { approvalBot } from './bot.js';
import { approvalErrors } from './errors.js';
import { addCc } from './flow.js';
import { activeDefinition } from './instances.js';
import { ApprovalState } from './state.js';
import type { ApprovalDefinition, ApprovalInstance } from './types.js';
import { idAs, idTypeOf, type IdType, resolveUser } from './users.js';

type Body = Record<string, unknown>;

function instanceOf(ctx: EmulatorContext, code: unknown): ApprovalInstance {
  if (typeof code !== 'string' || code === '') throw approvalErrors.param('instance_code', 'instance_code is required');
  const inst = ctx.slice(ApprovalState).findInstance(code);
  if (!inst) throw approvalErrors.instanceNotFound(code);
  return inst;
}

/** The nodes a request would go through: the definition's, or an instance's from its current node on. */
function previewNodes(ctx: EmulatorContext, def: ApprovalDefinition, idType: IdType, inst?: ApprovalInstance) {
  const from = inst ? inst.current_node : 0;
  return def.nodes.slice(from).map((n) => {
    const approvers = inst ? (inst.approvers[n.node_id] ?? []) : n.approvers;
    return {
      node_id: n.node_id,
      node_name: n.name,
      node_type: n.node_type,
      comments: [],
      custom_node_id: n.custom_node_id,
      user_id_list: approvers.map((id) => idAs(ctx, id, idType)),
      end_cc_id_list: (inst ? (inst.node_cc[n.node_id] ?? []) : n.ccers).map((id) => idAs(ctx, id, idType)),
      is_empty_logic: approvers.length === 0 && !n.need_approver,
      is_approver_type_free: n.need_approver,
      has_cc_type_free: false,
    };
  });
}

/** Instances, continued: cc (copy people), preview (the route a request takes), remind (nudge approvers). */
export function registerInstanceOpsRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/open-apis/approval/v4/instances/cc', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const idType = idTypeOf(request.query as Body);
    const inst = instanceOf(ctx, body.instance_code);
    if (body.approval_code !== inst.approval_code) throw approvalErrors.param('approval_code', 'approval_code does not match the instance');
    const from = resolveUser(ctx, body.user_id, idType);
    if (!Array.isArray(body.cc_user_ids) || body.cc_user_ids.length === 0) throw approvalErrors.param('cc_user_ids', 'cc_user_ids is required');
    if (body.cc_user_ids.length > 20) throw approvalErrors.param('cc_user_ids', 'at most 20 people at once');
    const to = body.cc_user_ids.map((id) => resolveUser(ctx, id, idType, 'cc_user_ids').open_id);
    // Only people who can see the instance may copy it: its applicant, approvers and those copied.
    const involved = new Set([inst.open_id, ...inst.tasks.map((t) => t.open_id), ...inst.cc.map((c) => c.open_id)]);
    if (!involved.has(from.open_id)) throw approvalErrors.noPermission('the operator is not involved in the instance');
    addCc(ctx, inst, to, from.open_id, typeof body.comment === 'string' ? body.comment : '');
    return ok(reply, {});
  });

  app.post('/open-apis/approval/v4/instances/preview', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const idType = idTypeOf(request.query as Body);
    resolveUser(ctx, body.user_id, idType);
    if (body.instance_code !== undefined && body.instance_code !== '') {
      const inst = instanceOf(ctx, body.instance_code);
      const def = ctx.slice(ApprovalState).definitions.get(inst.approval_code);
      if (!def) throw approvalErrors.approvalNotFound(inst.approval_code);
      return ok(reply, { preview_nodes: previewNodes(ctx, def, idType, inst) });
    }
    const def = activeDefinition(ctx, body.approval_code);
    return ok(reply, { preview_nodes: previewNodes(ctx, def, idType) });
  });

  app.post('/open-apis/approval/v4/instances/remind', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const inst = instanceOf(ctx, body.instance_code);
    if (!Array.isArray(body.task_ids) || body.task_ids.length === 0) throw approvalErrors.param('task_ids', 'task_ids is required');
    const tasks = body.task_ids.map((id) => {
      const t = inst.tasks.find((x) => x.id === id);
      if (!t) throw approvalErrors.taskNotFound(String(id));
      if (t.status !== 'PENDING') throw approvalErrors.param('task_ids', `task ${t.id} is ${t.status}, not PENDING`);
      return t;
    });
    const note = typeof body.comment === 'string' && body.comment !== '' ? body.comment : 'Please handle it soon.';
    for (const t of tasks) approvalBot.assigned(ctx, inst, t, { remind: note });
    return ok(reply, {});
  });
}
