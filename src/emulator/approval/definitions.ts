import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { caller, type EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import { approvalErrors } from './errors.js';
import { definitionUpdatedEvent } from './events.js';
import { numericId } from './flow.js';
import { stableNodeId } from './seed.js';
import { ApprovalState } from './state.js';
import type { ApprovalDefinition, ApprovalNode, NodeType, Widget } from './types.js';
import { idTypeOf, resolveUser } from './users.js';

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Texts of `@i18n@` keys from the default locale of `i18n_resources` (names are keys on the wire). */
function i18nTexts(body: Body): (s: string) => string {
  const res = Array.isArray(body.i18n_resources) ? body.i18n_resources.filter(isObj) : [];
  const chosen = res.find((r) => r.is_default === true) ?? res[0];
  const texts = new Map<string, string>();
  for (const t of Array.isArray(chosen?.texts) ? chosen.texts.filter(isObj) : []) {
    if (typeof t.key === 'string' && typeof t.value === 'string') texts.set(t.key, t.value);
  }
  return (s) => texts.get(s) ?? s;
}

function parseWidgets(form: unknown, text: (s: string) => string): Widget[] {
  if (!isObj(form) || typeof form.form_content !== 'string') throw approvalErrors.param('form.form_content', 'form.form_content is required (a JSON array string)');
  let list: unknown;
  try {
    list = JSON.parse(form.form_content);
  } catch {
    throw approvalErrors.param('form.form_content', 'form.form_content is not valid JSON');
  }
  if (!Array.isArray(list)) throw approvalErrors.param('form.form_content', 'form.form_content must be a JSON array');
  const widgets = list.map((w, i): Widget => {
    if (!isObj(w) || typeof w.id !== 'string' || w.id === '' || typeof w.type !== 'string') {
      throw approvalErrors.param(`form.form_content[${i}]`, 'each widget needs an id and a type');
    }
    const option = Array.isArray(w.option)
      ? w.option.filter(isObj).map((o) => ({ value: String(o.value ?? ''), text: text(typeof o.text === 'string' ? o.text : String(o.value ?? '')) }))
      : undefined;
    return { id: w.id, type: w.type, name: text(typeof w.name === 'string' ? w.name : w.id), required: w.required === true, ...(option ? { option } : {}) };
  });
  if (new Set(widgets.map((w) => w.id)).size !== widgets.length) throw approvalErrors.param('form.form_content', 'widget ids must be unique');
  return widgets;
}

/** `node_list` must run START → approval nodes → END; START and END are not stored. */
function parseNodes(ctx: EmulatorContext, code: string, list: unknown, text: (s: string) => string, query: Body): ApprovalNode[] {
  if (!Array.isArray(list) || list.length < 2) throw approvalErrors.param('node_list', 'node_list needs a START and an END node');
  const ids = list.map((n) => (isObj(n) ? n.id : undefined));
  if (ids[0] !== 'START' || ids[ids.length - 1] !== 'END') throw approvalErrors.param('node_list', 'node_list must start with START and end with END');
  const idType = idTypeOf(query);
  return list.slice(1, -1).map((n, i): ApprovalNode => {
    if (!isObj(n) || typeof n.id !== 'string' || n.id === '') throw approvalErrors.param(`node_list[${i + 1}].id`, 'every node needs an id');
    const type = (n.node_type ?? 'AND') as NodeType;
    if (!['AND', 'OR', 'SEQUENTIAL'].includes(type)) throw approvalErrors.param(`node_list[${i + 1}].node_type`, 'node_type must be AND, OR or SEQUENTIAL');
    const approver = Array.isArray(n.approver) ? n.approver.filter(isObj) : [];
    // Personal approvers are fixed; Free (or none) means the applicant names them at instance create.
    const personal = (list: Body[], field: string) => list.filter((a) => a.type === 'Personal').map((a) => resolveUser(ctx, a.user_id, idType, field).open_id);
    const fixed = personal(approver, `node_list[${i + 1}].approver.user_id`);
    const ccers = personal(Array.isArray(n.ccer) ? n.ccer.filter(isObj) : [], `node_list[${i + 1}].ccer.user_id`);
    // Supervisor, DepartmentManager… are not emulated: like Free, the applicant names the approvers.
    const free = approver.length === 0 || approver.some((a) => a.type !== 'Personal');
    return {
      node_id: stableNodeId(code, n.id),
      custom_node_id: n.id,
      name: text(typeof n.name === 'string' ? n.name : n.id),
      node_type: type,
      approvers: fixed,
      ccers,
      need_approver: free && fixed.length === 0,
    };
  });
}

/** Definitions: create (or update with `approval_code`), get; event subscriptions per app. */
export function registerDefinitionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(ApprovalState);

  app.post('/open-apis/approval/v4/approvals', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const query = request.query as Body;
    const text = i18nTexts(body);
    if (typeof body.approval_name !== 'string' || body.approval_name === '') throw approvalErrors.param('approval_name', 'approval_name is required');
    let existing: ApprovalDefinition | undefined;
    if (body.approval_code !== undefined && body.approval_code !== '') {
      existing = state().definitions.get(String(body.approval_code));
      if (!existing) throw approvalErrors.approvalNotFound(String(body.approval_code));
      if (existing.status === 'DELETED') throw approvalErrors.deleted(existing.approval_code);
    }
    const code = existing?.approval_code ?? randomUUID().toUpperCase();
    const widgets = parseWidgets(body.form, text);
    const nodes = parseNodes(ctx, code, body.node_list, text, query);
    const viewers = (Array.isArray(body.viewers) ? body.viewers.filter(isObj) : []).map((v) => ({
      type: String(v.viewer_type ?? 'TENANT'),
      ...(typeof v.viewer_user_id === 'string' ? { user_id: v.viewer_user_id } : {}),
      ...(typeof v.viewer_department_id === 'string' ? { id: v.viewer_department_id } : {}),
    }));
    const def: ApprovalDefinition = {
      approval_code: code,
      approval_id: existing?.approval_id ?? numericId(),
      approval_name: text(body.approval_name),
      description: typeof body.description === 'string' ? text(body.description) : '',
      status: existing?.status ?? 'ACTIVE',
      widgets,
      nodes,
      viewers,
      created_at: existing?.created_at ?? ctx.clock.now(),
      version: (existing?.version ?? 0) + 1,
    };
    state().definitions.set(code, def);
    // An update is a definition change: subscribed apps hear of it (a new code has no subscribers yet).
    if (existing) definitionUpdatedEvent(ctx, def);
    return ok(reply, { approval_code: code, approval_id: def.approval_id });
  });

  app.get('/open-apis/approval/v4/approvals/:approval_code', async (request, reply) => {
    const code = (request.params as { approval_code: string }).approval_code;
    const def = state().definitions.get(code);
    if (!def) throw approvalErrors.approvalNotFound(code);
    return ok(reply, definitionView(def));
  });

  const subscription = (on: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const code = (request.params as { approval_code: string }).approval_code;
    if (!state().definitions.has(code)) throw approvalErrors.approvalNotFound(code);
    const appId = caller(request).appId;
    const subs = state().subscriptions;
    const codes = subs.get(appId) ?? new Set<string>();
    if (on) {
      if (codes.has(code)) throw approvalErrors.subscribed(code);
      codes.add(code);
      subs.set(appId, codes);
    } else {
      // Unsubscribing what was not subscribed is accepted: the platform answers success.
      codes.delete(code);
    }
    return ok(reply, {});
  };
  app.post('/open-apis/approval/v4/approvals/:approval_code/subscribe', subscription(true));
  app.post('/open-apis/approval/v4/approvals/:approval_code/unsubscribe', subscription(false));
}

/** What `GET approvals/:code` answers: form as a JSON string, approval nodes between START and END. */
export function definitionView(def: ApprovalDefinition) {
  const edge = (id: 'START' | 'END', name: string) => ({
    name,
    need_approver: false,
    node_id: stableNodeId(def.approval_code, id),
    custom_node_id: id,
    node_type: 'AND' as const,
    approver_chosen_multi: false,
    approver_chosen_range: [],
    require_signature: false,
  });
  return {
    approval_name: def.approval_name,
    status: def.status,
    form: JSON.stringify(
      def.widgets.map((w) => ({ id: w.id, custom_id: w.id, name: w.name, type: w.type, required: Boolean(w.required), ...(w.option ? { option: w.option } : {}) })),
    ),
    node_list: [
      edge('START', 'Submit'),
      ...def.nodes.map((n) => ({
        name: n.name,
        need_approver: n.need_approver,
        node_id: n.node_id,
        custom_node_id: n.custom_node_id,
        node_type: n.node_type,
        approver_chosen_multi: true,
        approver_chosen_range: n.approvers.length ? [{ approver_range_type: 2, approver_range_ids: n.approvers }] : [{ approver_range_type: 0, approver_range_ids: [] }],
        require_signature: false,
      })),
      edge('END', 'End'),
    ],
    viewers: def.viewers,
    approval_admin_ids: [],
  };
}
