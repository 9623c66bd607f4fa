import { createHash, randomUUID } from 'node:crypto';
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

/** A definition that exists (1390002), is not deleted (1390016) and is active (1390015). */
export function activeDefinition(ctx: EmulatorContext, code: unknown): ApprovalDefinition {
  if (typeof code !== 'string' || code === '') throw approvalErrors.param('approval_code', 'approval_code is required');
  const def = ctx.slice(ApprovalState).definitions.get(code);
  if (!def) throw approvalErrors.approvalNotFound(code);
  if (def.status === 'DELETED') throw approvalErrors.deleted(code);
  if (def.status !== 'ACTIVE') throw approvalErrors.notActive(code);
  return def;
}

/**
 * People per node from `<prefix>_user_id_list` and `<prefix>_open_id_list` (their union, as
 * documented), keyed by node_id or custom_node_id.
 */
function perNode(ctx: EmulatorContext, def: ApprovalDefinition, body: Body, prefix: string, max?: number): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const type of ['user_id', 'open_id'] as IdType[]) {
    const field = `${prefix}_${type}_list`;
    const list = body[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw approvalErrors.param(field, `${field} must be a list of {key, value[]}`);
    if (max !== undefined && list.length > max) throw approvalErrors.param(field, `${field} has at most ${max} entries`);
    for (const entry of list) {
      if (!isObj(entry) || typeof entry.key !== 'string' || !Array.isArray(entry.value)) throw approvalErrors.param(field, `${field}: {key, value[]} expected`);
      const node = def.nodes.find((n) => n.node_id === entry.key || n.custom_node_id === entry.key);
      if (!node) throw approvalErrors.param(field, `${field}: the definition has no node ${entry.key}`);
      const ids = entry.value.map((id) => resolveUser(ctx, id, type, field).open_id);
      named.set(node.node_id, [...new Set([...(named.get(node.node_id) ?? []), ...ids])]);
    }
  }
  return named;
}

/** Approvers per node: what the applicant named, else the definition's fixed approvers. */
function nodeApprovers(ctx: EmulatorContext, def: ApprovalDefinition, body: Body): Record<string, string[]> {
  const named = perNode(ctx, def, body, 'node_approver');
  const out: Record<string, string[]> = {};
  for (const n of def.nodes) {
    const approvers = named.get(n.node_id) ?? n.approvers;
    if (approvers.length === 0 && n.need_approver) throw approvalErrors.param('node_approver_open_id_list', `node ${n.custom_node_id} needs approvers chosen by the applicant`);
    out[n.node_id] = approvers;
  }
  return out;
}

function nodeCc(ctx: EmulatorContext, def: ApprovalDefinition, body: Body): Record<string, string[]> {
  const named = perNode(ctx, def, body, 'node_cc', 20);
  return Object.fromEntries(def.nodes.map((n) => [n.node_id, [...new Set([...n.ccers, ...(named.get(n.node_id) ?? [])])]]));
}

/** `title` is an `@i18n@` key resolved through `i18n_resources` (default locale); a plain string is kept. */
function titleOf(body: Body): string {
  if (typeof body.title !== 'string') return '';
  const res = Array.isArray(body.i18n_resources) ? body.i18n_resources.filter(isObj) : [];
  const chosen = res.find((r) => r.is_default === true) ?? res[0];
  const texts = Array.isArray(chosen?.texts) ? chosen.texts.filter(isObj) : [];
  const hit = texts.find((t) => t.key === body.title);
  return typeof hit?.value === 'string' ? hit.value : body.title;
}

/** What makes two creates "the same request" for uuid idempotency: the body without the uuid. */
function fingerprint(body: Body): string {
  const { uuid: _uuid, ...rest } = body;
  // Key order must not matter: a client may serialise the same request differently on retry.
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : isObj(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(rest))).digest('hex');
}

/** Instances: create (uuid-idempotent), get (by code or uuid), list codes, cancel by the applicant. */
export function registerInstanceRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(ApprovalState);

  app.post('/open-apis/approval/v4/instances', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const def = activeDefinition(ctx, body.approval_code);
    const uuid = body.uuid ?? '';
    if (typeof uuid !== 'string' || uuid.length > 64 || (body.uuid !== undefined && uuid === '')) throw approvalErrors.param('uuid', 'uuid must be 1-64 characters');
    const print = fingerprint(body);
    if (uuid !== '') {
      // Unique within the tenant, case-insensitive: the same request answers the instance it made.
      const earlier = [...state().instances.values()].find((i) => i.uuid.toLowerCase() === uuid.toLowerCase());
      if (earlier && earlier.fingerprint !== print) throw approvalErrors.uuidConflict(uuid);
      if (earlier) return ok(reply, { instance_code: earlier.instance_code, instance_link: instanceLink(ctx, earlier) });
    }
    // user_id wins over open_id, as documented.
    const applicant =
      typeof body.user_id === 'string' && body.user_id !== '' ? resolveUser(ctx, body.user_id, 'user_id') : resolveUser(ctx, body.open_id, 'open_id', 'open_id');
    const form = parseForm(body.form, def.widgets);
    const approvers = nodeApprovers(ctx, def, body);
    const cc = nodeCc(ctx, def, body);
    const quiet = Number(body.cancel_bot_notification ?? 0);
    if (!Number.isInteger(quiet) || quiet < 0 || quiet > 7) throw approvalErrors.param('cancel_bot_notification', 'a sum of 1 (approved), 2 (rejected) and 4 (canceled)');
    const now = ctx.clock.now();
    const inst: ApprovalInstance = {
      instance_code: randomUUID().toUpperCase(),
      approval_code: def.approval_code,
      uuid,
      fingerprint: print,
      title: titleOf(body),
      open_id: applicant.open_id,
      department_id: typeof body.department_id === 'string' ? body.department_id : (applicant.department_ids[0] ?? ''),
      serial_number: String(202600000000 + state().instances.size + 1),
      form,
      status: 'PENDING',
      reverted: false,
      start_time: now,
      end_time: 0,
      approvers,
      node_cc: cc,
      current_node: 0,
      tasks: [],
      cc: [],
      comments: [],
      timeline: [],
      quiet,
    };
    state().instances.set(inst.instance_code, inst);
    startInstance(ctx, def, inst);
    return ok(reply, { instance_code: inst.instance_code, instance_link: instanceLink(ctx, inst) });
  });

  app.get('/open-apis/approval/v4/instances/:instance_id', async (request, reply) => {
    const id = (request.params as { instance_id: string }).instance_id;
    const inst = state().findInstance(id);
    if (!inst) throw approvalErrors.instanceNotFound(id);
    return ok(reply, instanceView(ctx, inst, idTypeOf(request.query as Body)));
  });

  app.get('/open-apis/approval/v4/instances', async (request, reply) => {
    const q = request.query as Body;
    if (typeof q.approval_code !== 'string' || q.approval_code === '') throw approvalErrors.param('approval_code', 'approval_code is required');
    if (!state().definitions.has(q.approval_code)) throw approvalErrors.approvalNotFound(q.approval_code);
    const start = Number(q.start_time);
    const end = Number(q.end_time);
    if (q.start_time === undefined || q.end_time === undefined || !Number.isFinite(start) || !Number.isFinite(end) || start > end) {
      throw approvalErrors.param('start_time', 'start_time and end_time (ms) are required, start_time <= end_time');
    }
    const { size, offset } = pageParams(q, { size: 100, max: 100 }, 1390001);
    // The map keeps creation order, which is the documented order.
    const codes = [...state().instances.values()]
      .filter((i) => i.approval_code === q.approval_code && i.start_time >= start && i.start_time <= end)
      .map((i) => i.instance_code);
    const p = page(codes, offset, size, 'instance_code_list');
    return ok(reply, { ...p, page_token: p.page_token ?? '' });
  });

  app.post('/open-apis/approval/v4/instances/cancel', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const inst = typeof body.instance_code === 'string' ? state().instances.get(body.instance_code) : undefined;
    if (!inst) throw approvalErrors.instanceNotFound(String(body.instance_code ?? ''));
    if (body.approval_code !== inst.approval_code) throw approvalErrors.param('approval_code', 'approval_code does not match the instance');
    const who = resolveUser(ctx, body.user_id, idTypeOf(request.query as Body));
    if (who.open_id !== inst.open_id) throw approvalErrors.noPermission('only the applicant can withdraw the instance');
    if (inst.status !== 'PENDING') throw approvalErrors.param('instance_code', `the instance is ${inst.status}, not PENDING`);
    cancelInstance(ctx, inst);
    return ok(reply, {});
  });
}

/** The SDK types `instance_link` as a string: here, the instance in the emulator's approval centre. */
const instanceLink = (ctx: EmulatorContext, inst: ApprovalInstance) => `${ctx.baseUrl()}/#/approval/initiated?instance=${inst.instance_code}`;
