import type { Platform } from '../platform/index.js';
import { ApprovalForm, ApprovalFormError, buildForm, parseDefinitionForm, readInstanceForm, validateForm, type FormItem, type WidgetDefinition } from './form.js';

const API = '/open-apis/approval/v4';
const iso = (ms: unknown) => (ms && String(ms) !== '0' ? new Date(Number(ms)).toISOString() : '');
/** Open ids start with ou_; anything else is a user_id. */
export const idTypeOf = (id: string): 'open_id' | 'user_id' => (id.startsWith('ou_') ? 'open_id' : 'user_id');

export interface DefinitionSummary {
  approval_code: string;
  name: string;
  status: string;
  widgets: WidgetDefinition[];
  nodes: { node_id: string; custom_node_id: string; name: string; type: string; need_approver: boolean }[];
}

interface DefinitionData {
  approval_name?: string;
  status?: string;
  form?: string;
  node_list?: { name?: string; node_id?: string; custom_node_id?: string; node_type?: string; need_approver?: boolean }[];
}

/** `instance get` as the platform answers it (the SDK's type lacks `reverted`). */
export interface InstanceData {
  approval_name?: string;
  approval_code?: string;
  instance_code?: string;
  title?: string;
  status?: string;
  reverted?: boolean;
  start_time?: string;
  end_time?: string;
  user_id?: string;
  open_id?: string;
  serial_number?: string;
  form?: string;
  task_list?: { id?: string; user_id?: string; open_id?: string; status?: string; node_name?: string; custom_node_id?: string; type?: string; start_time?: string; end_time?: string }[];
  timeline?: { type?: string; create_time?: string; user_id?: string; open_id?: string; comment?: string; task_id?: string; open_id_list?: string[] }[];
  comment_list?: { id?: string; user_id?: string; open_id?: string; comment?: string; create_time?: string }[];
}

export interface Person {
  user_id: string;
  open_id: string;
}

/** The platform reports a revoked instance as APPROVED with `reverted: true`: its status as the hub names it. */
export function statusOf(d: Pick<InstanceData, 'status' | 'reverted'>): string {
  return d.reverted ? 'REVERTED' : (d.status ?? '');
}

/** An instance read for people and code: status with REVERTED spelled out, form values normalised, times ISO. */
export function summariseInstance(code: string, d: InstanceData) {
  const form = d.form ? readInstanceForm(d.form) : { items: [] };
  return {
    instance_code: d.instance_code ?? code,
    approval_code: d.approval_code ?? '',
    approval_name: d.approval_name ?? '',
    ...(d.title ? { title: d.title } : {}),
    serial_number: d.serial_number ?? '',
    status: statusOf(d),
    applicant: { user_id: d.user_id ?? '', open_id: d.open_id ?? '' } as Person,
    start_time: iso(d.start_time),
    end_time: iso(d.end_time),
    form: form.items.map((f) => ({ id: f.id, name: f.name, type: f.type, value: f.value, ...(f.currency ? { currency: f.currency } : {}) })),
    tasks: (d.task_list ?? []).map((t) => ({ id: t.id ?? '', node: t.node_name ?? t.custom_node_id ?? '', assignee: { user_id: t.user_id ?? '', open_id: t.open_id ?? '' } as Person, status: t.status ?? '', start_time: iso(t.start_time), end_time: iso(t.end_time) })),
    timeline: (d.timeline ?? []).map((e) => ({ type: e.type ?? '', time: iso(e.create_time), user: { user_id: e.user_id ?? '', open_id: e.open_id ?? '' } as Person, ...(e.comment ? { comment: e.comment } : {}), ...(e.task_id ? { task_id: e.task_id } : {}) })),
    comments: (d.comment_list ?? []).map((c) => ({ user: { user_id: c.user_id ?? '', open_id: c.open_id ?? '' } as Person, comment: c.comment ?? '', time: iso(c.create_time) })),
  };
}
export type InstanceSummary = ReturnType<typeof summariseInstance>;

export interface CreateInstanceInput {
  code: string;
  /** The applicant: an open_id (ou_…) or a user_id. */
  user: string;
  /** An ApprovalForm, form items, or plain values by widget id or name (coerced to each widget's shape). */
  form: ApprovalForm | FormItem[] | Record<string, unknown>;
  /** Approvers the applicant names, by node id or custom node id. */
  approvers?: Record<string, string[]>;
  title?: string;
  /** Idempotency key: the same request with it answers the same instance (and a retry is safe). */
  uuid?: string;
}

export interface DecideInput {
  instance: string;
  /** The approver: an open_id (ou_…) or a user_id. Their PENDING task is found unless `task` is given. */
  as: string;
  task?: string;
  comment?: string;
}

/** A decision was asked of an instance with no PENDING task for anyone. */
export class NoPendingTaskError extends Error {
  override name = 'NoPendingTaskError';
}

/**
 * Approvals over the SDK's transport, typed: forms are checked against the definition's widgets
 * before anything is sent (every problem at once, by widget id), decisions find the approver's own
 * pending task, and instances come back with REVERTED and the form values read.
 *
 * @example
 * const approvals = new ApprovalClient(hub.platform);
 * const { instance_code } = await approvals.create({ code, user: 'bob', form: { amount: '1200 CNY', reason: 'Offsite', date: new Date() } });
 * await approvals.approve({ instance: instance_code, as: 'alice', comment: 'ok' });
 */
export class ApprovalClient {
  private readonly definitions = new Map<string, { at: number; def: Promise<DefinitionSummary> }>();

  constructor(
    private readonly platform: Platform,
    private readonly options: { definitionTtlMs?: number } = {},
  ) {}

  /** A definition's name, status, widgets and nodes (cached for a minute: forms are checked against it). */
  definition(code: string, fresh = false): Promise<DefinitionSummary> {
    const hit = this.definitions.get(code);
    if (!fresh && hit && Date.now() - hit.at < (this.options.definitionTtlMs ?? 60_000)) return hit.def;
    const def = this.fetchDefinition(code);
    this.definitions.set(code, { at: Date.now(), def });
    def.catch(() => this.definitions.delete(code));
    return def;
  }

  private async fetchDefinition(code: string): Promise<DefinitionSummary> {
    const res = await this.platform.request<{ data?: DefinitionData }>({ method: 'GET', url: `${API}/approvals/${encodeURIComponent(code)}` });
    const d = res.data ?? {};
    return {
      approval_code: code,
      name: d.approval_name ?? '',
      status: d.status ?? '',
      widgets: d.form ? parseDefinitionForm(d.form) : [],
      nodes: (d.node_list ?? [])
        .filter((n) => n.custom_node_id !== 'START' && n.custom_node_id !== 'END')
        .map((n) => ({ node_id: n.node_id ?? '', custom_node_id: n.custom_node_id ?? '', name: n.name ?? '', type: n.node_type ?? '', need_approver: n.need_approver === true })),
    };
  }

  /** `instance get` as the platform answers it. */
  async raw(instance: string): Promise<InstanceData> {
    const res = await this.platform.request<{ data?: InstanceData }>({ method: 'GET', url: `${API}/instances/${encodeURIComponent(instance)}`, params: { user_id_type: 'open_id' } });
    return res.data ?? {};
  }

  async get(instance: string): Promise<InstanceSummary> {
    return summariseInstance(instance, await this.raw(instance));
  }

  /** The `form` string for a definition: throws ApprovalFormError (nothing sent) when it does not fit. */
  async formFor(code: string, form: CreateInstanceInput['form']): Promise<string> {
    const { widgets } = await this.definition(code);
    if (form instanceof ApprovalForm) return withWidgets(form, widgets).toString();
    if (Array.isArray(form)) {
      const problems = validateForm(widgets, form);
      if (problems.length) throw new ApprovalFormError(problems);
      return JSON.stringify(form);
    }
    return buildForm(widgets, form);
  }

  async create(input: CreateInstanceInput): Promise<{ instance_code: string; instance_link?: string }> {
    const form = await this.formFor(input.code, input.form);
    const open: { key: string; value: string[] }[] = [];
    const user: { key: string; value: string[] }[] = [];
    for (const [key, ids] of Object.entries(input.approvers ?? {})) {
      const o = ids.filter((i) => idTypeOf(i) === 'open_id');
      const u = ids.filter((i) => idTypeOf(i) === 'user_id');
      if (o.length) open.push({ key, value: o });
      if (u.length) user.push({ key, value: u });
    }
    const data = {
      approval_code: input.code,
      [idTypeOf(input.user)]: input.user,
      form,
      ...(open.length ? { node_approver_open_id_list: open } : {}),
      ...(user.length ? { node_approver_user_id_list: user } : {}),
      ...(input.title ? { title: input.title } : {}),
      ...(input.uuid ? { uuid: input.uuid } : {}),
    };
    const res = await this.platform.request<{ data?: { instance_code?: string; instance_link?: string } }>({ method: 'POST', url: `${API}/instances`, data, idempotent: Boolean(input.uuid) });
    return { instance_code: res.data?.instance_code ?? '', ...(res.data?.instance_link ? { instance_link: res.data.instance_link } : {}) };
  }

  approve(input: DecideInput) {
    return this.decide('approve', input);
  }

  reject(input: DecideInput) {
    return this.decide('reject', input);
  }

  /** Hands the approver's pending task to someone else (`to`: open_id or user_id, same id type as `as`). */
  transfer(input: DecideInput & { to: string }) {
    return this.decide('transfer', input);
  }

  /**
   * Acts on the task `as` holds (or `task`). When `as` holds none of the pending tasks the platform
   * is asked anyway on the first one, and answers 1390009 saying why: that is its decision to make.
   */
  async decide(action: 'approve' | 'reject' | 'transfer', input: DecideInput & { to?: string }) {
    const inst = await this.raw(input.instance);
    const pending = (inst.task_list ?? []).filter((t) => t.status === 'PENDING');
    if (!pending.length) throw new NoPendingTaskError(`instance ${input.instance} has no PENDING task (it is ${statusOf(inst)}): nothing to ${action}`);
    const held = pending.find((t) => t.open_id === input.as || t.user_id === input.as);
    const task = input.task ? pending.find((t) => t.id === input.task) : (held ?? pending[0]);
    if (!task) throw new NoPendingTaskError(`task ${input.task} is not PENDING in instance ${input.instance}`);
    const [userId, userIdType] = held && held.id === task.id && held.open_id ? [held.open_id, 'open_id' as const] : [input.as, idTypeOf(input.as)];
    await this.platform.request({
      method: 'POST',
      url: `${API}/tasks/${action}`,
      params: { user_id_type: userIdType },
      data: {
        approval_code: inst.approval_code,
        instance_code: inst.instance_code ?? input.instance,
        user_id: userId,
        task_id: task.id,
        ...(input.comment ? { comment: input.comment } : {}),
        ...(action === 'transfer' ? { transfer_user_id: input.to } : {}),
      },
    });
    return { task, heldByThem: held?.id === task.id, pending };
  }

  /** Withdraws an instance, as its applicant. */
  async cancel(input: { instance: string; as: string }): Promise<void> {
    const inst = await this.raw(input.instance);
    await this.platform.request({ method: 'POST', url: `${API}/instances/cancel`, params: { user_id_type: idTypeOf(input.as) }, data: { approval_code: inst.approval_code, instance_code: input.instance, user_id: input.as } });
  }

  /** The platform's reminder to the approvers of pending tasks (all of them unless `tasks`). */
  async remind(input: { instance: string; tasks?: string[]; comment?: string }): Promise<string[]> {
    const tasks = input.tasks ?? ((await this.raw(input.instance)).task_list ?? []).filter((t) => t.status === 'PENDING').map((t) => t.id!);
    if (!tasks.length) throw new NoPendingTaskError(`instance ${input.instance} has no PENDING task to remind anyone of`);
    await this.platform.request({ method: 'POST', url: `${API}/instances/remind`, data: { instance_code: input.instance, task_ids: tasks, ...(input.comment ? { comment: input.comment } : {}) } });
    return tasks;
  }
}

/** An ApprovalForm built without a definition, checked against one. */
function withWidgets(form: ApprovalForm, widgets: WidgetDefinition[]): ApprovalForm {
  const checked = new ApprovalForm(widgets);
  for (const item of form.toItems()) checked.add(item);
  return checked;
}
