import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok, page, pageParams } from '../http.js';
import { approvalErrors } from './errors.js';
import { cancelInstance, startInstance } from './flow.js';
import { parseForm } from './form.js';
import { ApprovalState } from './state.js';
import type { ApprovalDefinition, ApprovalInstance } from './types.js';
import { idTypeOf, type IdType, resolveUser } from './users.js';
import { instanceView } from './views.js';

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A definition that exists (1390002) and is active (1390015). */
export function activeDefinition(ctx: EmulatorContext, code: unknown): ApprovalDefinition {
  if (typeof code !== 'string' || code === '') throw approvalErrors.param('approval_code is required');
  const def = ctx.slice(ApprovalState).definitions.get(code);
  if (!def) throw approvalErrors.approvalNotFound();
  if (def.status !== 'ACTIVE') throw approvalErrors.notActive();
  return def;
}

/** Approvers per node: what the applicant named (keyed by node_id or custom id), else the definition's. */
function nodeApprovers(ctx: EmulatorContext, def: ApprovalDefinition, body: Body): Record<string, string[]> {
  const named = new Map<string, string[]>();
  const take = (field: string, type: IdType) => {
    const list = body[field];
    if (list === undefined) return;
    if (!Array.isArray(list)) throw approvalErrors.param(`${field} must be a list`);
    for (const entry of list) {
      if (!isObj(entry) || typeof entry.key !== 'string' || !Array.isArray(entry.value)) throw approvalErrors.param(`${field}: {key, value[]} expected`);
      const node = def.nodes.find((n) => n.node_id === entry.key || n.custom_node_id === entry.key);
      if (!node) throw approvalErrors.param(`${field}: no node ${entry.key}`);
      const ids = entry.value.map((id) => resolveUser(ctx, id, type, field).open_id);
      named.set(node.node_id, [...(named.get(node.node_id) ?? []), ...ids]);
    }
  };
  take('node_approver_user_id_list', 'user_id');
  take('node_approver_open_id_list', 'open_id');
  const out: Record<string, string[]> = {};
  for (const n of def.nodes) {
    const approvers = [...new Set(named.get(n.node_id) ?? n.approvers)];
    if (approvers.length === 0 && n.need_approver) throw approvalErrors.param(`node ${n.custom_node_id} needs approvers (node_approver_open_id_list)`);
    out[n.node_id] = approvers;
  }
  return out;
}

/** Instances: create (uuid-idempotent), get (by code or uuid), list codes, cancel by the applicant. */
export function registerInstanceRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(ApprovalState);

  app.post('/open-apis/approval/v4/instances', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const def = activeDefinition(ctx, body.approval_code);
    // user_id wins over open_id, as documented.
    const applicant =
      typeof body.user_id === 'string' && body.user_id !== ''
        ? resolveUser(ctx, body.user_id, 'user_id')
        : resolveUser(ctx, body.open_id, 'open_id', 'user_id or open_id');
    const uuid = body.uuid === undefined ? '' : body.uuid;
    if (typeof uuid !== 'string' || uuid.length > 64) throw approvalErrors.param('uuid must be a string of 1-64 characters');
    if (uuid !== '') {
      // Idempotency within the tenant: the same uuid answers the instance it created.
      const earlier = [...state().instances.values()].find((i) => i.uuid === uuid);
      if (earlier) return ok(reply, { instance_code: earlier.instance_code, instance_link: instanceLink(earlier) });
    }
    const form = parseForm(body.form, def.widgets);
    const approvers = nodeApprovers(ctx, def, body);
    const now = ctx.clock.now();
    const inst: ApprovalInstance = {
      instance_code: randomUUID().toUpperCase(),
      approval_code: def.approval_code,
      uuid,
      title: typeof body.title === 'string' ? body.title : '',
      open_id: applicant.open_id,
      department_id: typeof body.department_id === 'string' ? body.department_id : (applicant.department_ids[0] ?? ''),
      serial_number: String(202600000000 + state().instances.size + 1),
      form,
      status: 'PENDING',
      reverted: false,
      start_time: now,
      end_time: 0,
      approvers,
      current_node: 0,
      tasks: [],
      comments: [],
      timeline: [],
    };
    state().instances.set(inst.instance_code, inst);
    startInstance(ctx, def, inst);
    return ok(reply, { instance_code: inst.instance_code, instance_link: instanceLink(inst) });
  });

  app.get('/open-apis/approval/v4/instances/:instance_id', async (request, reply) => {
    const inst = state().findInstance((request.params as { instance_id: string }).instance_id);
    if (!inst) throw approvalErrors.instanceNotFound();
    return ok(reply, instanceView(ctx, inst));
  });

  app.get('/open-apis/approval/v4/instances', async (request, reply) => {
    const q = request.query as Body;
    if (typeof q.approval_code !== 'string' || q.approval_code === '') throw approvalErrors.param('approval_code is required');
    if (!state().definitions.has(q.approval_code)) throw approvalErrors.approvalNotFound();
    const start = Number(q.start_time);
    const end = Number(q.end_time);
    if (q.start_time === undefined || q.end_time === undefined || !Number.isFinite(start) || !Number.isFinite(end) || start > end) {
      throw approvalErrors.param('start_time and end_time (ms) are required');
    }
    const { size, offset } = pageParams(q, { size: 100, max: 100 }, 1390001);
    // Map order is creation order.
    const codes = [...state().instances.values()]
      .filter((i) => i.approval_code === q.approval_code && i.start_time >= start && i.start_time <= end)
      .map((i) => i.instance_code);
    const p = page(codes, offset, size, 'instance_code_list');
    return ok(reply, { ...p, page_token: p.page_token ?? '' });
  });

  app.post('/open-apis/approval/v4/instances/cancel', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const who = resolveUser(ctx, body.user_id, idTypeOf(request.query as Body));
    const inst = typeof body.instance_code === 'string' ? state().instances.get(body.instance_code) : undefined;
    if (!inst) throw approvalErrors.instanceNotFound();
    if (body.approval_code !== inst.approval_code) throw approvalErrors.param('approval_code does not match the instance');
    if (who.open_id !== inst.open_id) throw approvalErrors.noPermission('only the applicant can cancel');
    if (inst.status !== 'PENDING') throw approvalErrors.param(`instance is ${inst.status}, not PENDING`);
    cancelInstance(ctx, inst);
    return ok(reply, {});
  });
}

/** The SDK types `instance_link` as a string: the approval centre's link to the instance. */
const instanceLink = (inst: ApprovalInstance) => `https://applink.feishu.cn/client/mini_program/open?appId=cli_approval&path=detail&instanceId=${inst.instance_code}`;
