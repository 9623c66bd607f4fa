import { uuidFrom } from '../bot/index.js';
import { button, card2, form, header, input, markdown, submitButton, type ActionContext } from '../cards/index.js';
import type { EventContext } from '../capability/index.js';
import { FeishuApiError, type Platform } from '../platform/index.js';
import { readInstanceForm } from './form.js';

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

/** The seed's approval card: applicant, the form's values (amount, reason…), Approve, Reject with a comment, View details. */
export async function approverCard(platform: Platform, e: Required<Pick<TaskEvent, 'approval_code' | 'instance_code' | 'task_id' | 'open_id'>>, detailsUrl?: string) {
  const [inst, def] = await Promise.all([
    platform.sdk.approval.v4.instance.get({ path: { instance_id: e.instance_code } }),
    platform.sdk.approval.v4.approval.get({ path: { approval_code: e.approval_code } }),
  ]);
  const applicant = inst.data?.open_id ? `<at id=${inst.data.open_id}></at>` : 'someone';
  const values = readInstanceForm(inst.data?.form ?? '[]').items.map((f) => `**${f.name || f.id}**: ${display(f.value, f.currency)}`);
  const value = (action: string): Decision => ({ action, code: e.approval_code, instance: e.instance_code, task: e.task_id, assignee: e.open_id });
  return card2({ header: header(`${def.data?.approval_name ?? 'Approval'} from ${inst.data?.user_id ?? 'a colleague'}`, { template: 'blue' }), config: { update_multi: true } }, [
    markdown(`${applicant} asks for your approval.\n${values.join('\n')}`),
    form('decision', [
      input({ name: 'comment', placeholder: 'Comment (sent with your decision; needed to reject)' }),
      submitButton('Approve', { name: 'approve', type: 'primary', value: value('approval.approve') }),
      submitButton('Reject', { name: 'reject', type: 'danger', value: value('approval.reject') }),
    ]),
    ...(detailsUrl ? [button('View details', { url: detailsUrl })] : []),
  ]);
}

function outcomeCard(kind: 'approve' | 'reject', who: string, comment: string) {
  const approved = kind === 'approve';
  return card2({ header: header(approved ? 'Approved' : 'Rejected', { template: approved ? 'green' : 'red' }), config: { update_multi: true } }, [
    markdown(`${approved ? 'Approved' : 'Rejected'} by <at id=${who}></at>${comment ? `: ${comment}` : ''}.`),
  ]);
}

/** approval_task PENDING → the assignee gets the card once per task (the send's uuid is the task's). */
export async function sendApproverCard(ctx: EventContext, platform: Platform, detailsUrlOf?: (instance: string) => string): Promise<void> {
  const e = ctx.event as TaskEvent;
  if (e.status !== 'PENDING' || !e.approval_code || !e.instance_code || !e.task_id || !e.open_id) return;
  const card = await approverCard(platform, { approval_code: e.approval_code, instance_code: e.instance_code, task_id: e.task_id, open_id: e.open_id }, detailsUrlOf?.(e.instance_code));
  await ctx.messenger.send({ open_id: e.open_id }, { msgType: 'interactive', content: card as unknown as Record<string, unknown> }, { uuid: uuidFrom('approver-card', e.task_id) });
}

/** A click on Approve or Reject: only the task's assignee may act; the card turns into the outcome. */
export async function decideFromCard(ctx: ActionContext, kind: 'approve' | 'reject'): Promise<void> {
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
  const data = { approval_code: d.code, instance_code: d.instance, user_id: d.assignee, task_id: d.task, comment };
  try {
    if (kind === 'approve') await ctx.platform.sdk.approval.v4.task.approve({ params: { user_id_type: 'open_id' }, data });
    else await ctx.platform.sdk.approval.v4.task.reject({ params: { user_id_type: 'open_id' }, data });
  } catch (err) {
    const why = err instanceof FeishuApiError ? `${err.code} ${err.msg}` : (err as Error).message;
    ctx.logger.warn({ err, task: d.task }, 'approval decision from the card failed');
    ctx.toast(`Feishu refused it (${why}). It may have been decided already.`, 'error');
    return;
  }
  ctx.toast(kind === 'approve' ? 'Approved' : 'Rejected');
  await ctx.updateCard(outcomeCard(kind, d.assignee, comment));
}
