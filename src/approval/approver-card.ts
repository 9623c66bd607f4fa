import type { Kysely } from 'kysely';
import { uuidFrom } from '../bot/index.js';
import type { Store } from '../store/index.js';
import type { ApprovalClient, InstanceData } from './client.js';
import type { ApprovalTables } from './tables.js';
import { button, card2, form, header, input, markdown, submitButton, type ActionContext } from '../cards/index.js';
import type { EventContext } from '../capability/index.js';
import { FeishuApiError, type Platform } from '../platform/index.js';
import { readInstanceForm } from './form.js';
import type { AccountsApi } from '../sso/index.js';

interface TaskEvent {
  approval_code?: string;
  instance_code?: string;
  task_id?: string;
  open_id?: string;
  status?: string;
}

/** What the card's buttons carry: enough to act on the task without a lookup. */
type Decision = {
  action: string;
  code: string;
  instance: string;
  task: string;
  assignee: string;
};

const display = (v: unknown, currency?: string): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.map((x) => display(x)).join(', ');
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).filter((x) => typeof x === 'string' || typeof x === 'number').join(' → ');
  return currency ? `${v} ${currency}` : String(v);
};

/** What both the pending and the decided card say about the request: its title and form lines. */
export interface RequestSummary {
  title: string;
  applicant: string;
  lines: string[];
}

/** The request as the cards show it (the applicant's name from `nameOf`, the user id if it cannot say). */
export async function summariseRequest(inst: InstanceData, nameOf: (openId: string) => Promise<string | undefined>): Promise<RequestSummary> {
  const lines = readInstanceForm(inst.form ?? '[]').items.map((f) => `**${f.name || f.id}**: ${f.type === 'date' && typeof f.value === 'string' ? f.value.slice(0, 10) : display(f.value, f.currency)}`);
  // A card header cannot hold a mention, so the title needs the name itself.
  const name = inst.open_id ? await nameOf(inst.open_id) : undefined;
  return { title: `${inst.approval_name || 'Approval'} from ${name ?? inst.user_id ?? 'a colleague'}`, applicant: inst.open_id ? `<at id=${inst.open_id}></at>` : 'someone', lines };
}

/** The seed's approval card: applicant, the form's values (amount, reason…), Approve, Reject with a comment, View details. */
export function approverCard(about: RequestSummary, e: Required<Pick<TaskEvent, 'approval_code' | 'instance_code' | 'task_id' | 'open_id'>>, detailsUrl?: string) {
  const value = (action: string): Decision => ({ action, code: e.approval_code, instance: e.instance_code, task: e.task_id, assignee: e.open_id });
  return card2({ header: header(about.title, { template: 'blue' }), config: { update_multi: true } }, [
    markdown(`${about.applicant} asks for your approval.\n${about.lines.join('\n')}`),
    form('decision', [
      input({ name: 'comment', placeholder: 'Comment (sent with your decision; needed to reject)' }),
      submitButton('Approve', { name: 'approve', type: 'primary', value: value('approval.approve') }),
      submitButton('Reject', { name: 'reject', type: 'danger', value: value('approval.reject') }),
    ]),
    ...(detailsUrl ? [button('View details', { url: detailsUrl })] : []),
  ]);
}

/**
 * What a task's card says once the task is no longer pending: the same card whether it was decided
 * by a click on it, in the approval centre, or by another approver of an OR node.
 */
export function taskOutcomeCard(about: RequestSummary, status: string, assignee: string, comment = '', transferredTo?: string, systemUser?: string) {
  // Who decided, as Feishu shows them and, when bound (hub.accounts), who they are in our systems.
  const by = `<at id=${assignee}></at>${systemUser ? ` (${systemUser})` : ''}`;
  const opinion = comment ? `: ${comment}` : '';
  const [verdict, template, text] =
    status === 'APPROVED'
      ? ['Approved', 'green', `Approved by ${by}${opinion}.`]
      : status === 'REJECTED'
        ? ['Rejected', 'red', `Rejected by ${by}${opinion}.`]
        : status === 'TRANSFERRED'
          ? ['Transferred', 'grey', `${by} handed it to ${transferredTo ? `<at id=${transferredTo}></at>` : 'someone else'}${opinion}.`]
          : ['No longer needs you', 'grey', 'Another approver decided it, or the request ended.'];
  return card2({ header: header(`${verdict}: ${about.title}`, { template: template as 'green' }), config: { update_multi: true } }, [markdown(`${about.lines.join('\n')}\n\n${text}`)]);
}

/** Which card was sent for which task, and the outcome it shows (a table of the approval capability). */
export class TaskCards {
  private readonly db: Kysely<ApprovalTables>;
  constructor(store: Store) {
    this.db = store.db as unknown as Kysely<ApprovalTables>;
  }
  async record(taskId: string, instanceCode: string, messageId: string): Promise<void> {
    await this.db.insertInto('approval_task_cards').values({ task_id: taskId, instance_code: instanceCode, message_id: messageId, outcome: null, created_at: Date.now() }).onConflict((oc) => oc.doNothing()).execute();
  }
  async get(taskId: string): Promise<{ messageId: string; outcome: string | null } | undefined> {
    const row = await this.db.selectFrom('approval_task_cards').select(['message_id', 'outcome']).where('task_id', '=', taskId).executeTakeFirst();
    return row && { messageId: row.message_id, outcome: row.outcome };
  }
  async setOutcome(taskId: string, outcome: string | null): Promise<void> {
    await this.db.updateTable('approval_task_cards').set({ outcome }).where('task_id', '=', taskId).execute();
  }
}

/**
 * The hub's approval cards: sent to the assignee when a task is theirs, decided by a click (only
 * the assignee may), and kept in step with the task when it is decided anywhere else (the approval
 * centre, another approver of an OR node, a transfer). Applicants' names are cached for ten
 * minutes, so a busy definition costs one directory read per person, not one per card.
 */
export class ApproverCards {
  private readonly names = new Map<string, { at: number; name: Promise<string | undefined> }>();

  constructor(
    private readonly platform: Platform,
    private readonly client: ApprovalClient,
    private readonly cards: TaskCards,
    private readonly detailsUrlOf?: (instance: string) => string,
    /** hub.accounts, when the hub has it: the decider's system user goes on the outcome card. */
    private readonly accounts?: Pick<AccountsApi, 'systemUserOf'>,
  ) {}

  private systemUserOf(openId: string): Promise<string | undefined> {
    if (!this.accounts || !openId) return Promise.resolve(undefined);
    return this.accounts.systemUserOf(openId, { directory: false }).catch(() => undefined);
  }

  private nameOf = (openId: string): Promise<string | undefined> => {
    const hit = this.names.get(openId);
    if (hit && Date.now() - hit.at < 10 * 60_000) return hit.name;
    if (this.names.size > 5000) this.names.clear();
    const name = this.platform.sdk.contact.v3.user
      .get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } })
      .then((r) => r.data?.user?.name)
      .catch(() => undefined);
    this.names.set(openId, { at: Date.now(), name });
    return name;
  };

  private about(inst: InstanceData) {
    return summariseRequest(inst, this.nameOf);
  }

  /** approval_task PENDING → the assignee gets the card once per task (the send's uuid is the task's). */
  async send(ctx: EventContext): Promise<void> {
    const e = ctx.event as TaskEvent;
    if (e.status !== 'PENDING' || !e.approval_code || !e.instance_code || !e.task_id || !e.open_id) return;
    const inst = await this.client.raw(e.instance_code);
    const card = approverCard(await this.about(inst), { approval_code: e.approval_code, instance_code: e.instance_code, task_id: e.task_id, open_id: e.open_id }, this.detailsUrlOf?.(e.instance_code));
    const sent = await ctx.messenger.send({ open_id: e.open_id }, { msgType: 'interactive', content: card as unknown as Record<string, unknown> }, { uuid: uuidFrom('approver-card', e.task_id) });
    await this.cards.record(e.task_id, e.instance_code, sent.message_id);
  }

  /**
   * approval_task APPROVED / REJECTED / TRANSFERRED / DONE: the task's card (if the hub sent one)
   * turns into the outcome, with the opinion read from the instance's timeline. A card that already
   * shows it (the click decided it; a repeated event) is left alone.
   */
  async sync(ctx: EventContext): Promise<void> {
    const e = ctx.event as TaskEvent;
    if (!e.task_id || !e.instance_code || !e.status || e.status === 'PENDING') return;
    const card = await this.cards.get(e.task_id);
    if (!card || card.outcome === e.status) return;
    const inst = await this.client.raw(e.instance_code);
    const entry = [...(inst.timeline ?? [])].reverse().find((t) => t.task_id === e.task_id);
    const assignee = (inst.task_list ?? []).find((t) => t.id === e.task_id)?.open_id ?? e.open_id ?? '';
    await ctx.messenger.patch(card.messageId, taskOutcomeCard(await this.about(inst), e.status, assignee, entry?.comment ?? '', entry?.open_id_list?.[0], await this.systemUserOf(assignee)) as unknown as Record<string, unknown>);
    await this.cards.setOutcome(e.task_id, e.status);
  }

  /** A click on Approve or Reject: only the task's assignee may act; the card turns into the outcome. */
  async decide(ctx: ActionContext, kind: 'approve' | 'reject'): Promise<void> {
    const d = ctx.value as Decision;
    if (!ctx.user.openId || ctx.user.openId !== d.assignee) {
      ctx.toast('Only the approver this task is assigned to can decide it.', 'warning');
      return;
    }
    const comment = typeof ctx.formValue?.comment === 'string' ? ctx.formValue.comment.trim() : '';
    if (kind === 'reject' && !comment) {
      ctx.toast('Please write why you reject it in the comment box.', 'warning');
      return;
    }
    const outcome = kind === 'approve' ? 'APPROVED' : 'REJECTED';
    // Marked first: the task event this decision causes may arrive before the click is answered.
    await this.cards.setOutcome(d.task, outcome);
    const data = { approval_code: d.code, instance_code: d.instance, user_id: d.assignee, task_id: d.task, comment };
    const decision = kind === 'approve' ? this.platform.sdk.approval.v4.task.approve({ params: { user_id_type: 'open_id' }, data }) : this.platform.sdk.approval.v4.task.reject({ params: { user_id_type: 'open_id' }, data });
    // The request's lines do not change with the decision: read them meanwhile.
    const [decided, inst] = await Promise.allSettled([decision, this.client.raw(d.instance)]);
    if (decided.status === 'rejected') {
      await this.cards.setOutcome(d.task, null);
      const err = decided.reason as unknown;
      const why = err instanceof FeishuApiError ? `${err.code} ${err.msg}` : (err as Error).message;
      ctx.logger.warn({ err, task: d.task }, 'approval decision from the card failed');
      ctx.toast(`Feishu refused it (${why}). It may have been decided already.`, 'error');
      return;
    }
    ctx.toast(kind === 'approve' ? 'Approved' : 'Rejected');
    const about = inst.status === 'fulfilled' ? await this.about(inst.value) : { title: 'Approval', applicant: '', lines: [] };
    await ctx.updateCard(taskOutcomeCard(about, outcome, d.assignee, comment, undefined, await this.systemUserOf(d.assignee)));
  }
}
