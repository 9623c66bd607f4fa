import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import { platformBotMessage } from '../im/index.js';
import { ApprovalState } from './state.js';
import type { ApprovalInstance, ApprovalTask, CcRecord, Widget } from './types.js';
import { nameOf } from './users.js';

/**
 * Feishu's own "Approval" bot: it, not the app, tells people what happens to approvals, in its
 * p2p chat with each of them (a card with the form's main fields and a link to the approval
 * centre). Messages are best effort, like the platform's: a failure never fails the API call.
 */
export const APPROVAL_BOT = {
  appId: `cli_${createHash('sha256').update('platform-bot:approval').digest('hex').slice(0, 16)}`,
  name: 'Approval',
};

type Template = 'blue' | 'wathet' | 'orange' | 'green' | 'red' | 'grey';

/** A form value as the client shows it: option texts, date ranges, lists. */
export function displayValue(value: unknown, w?: Widget): string {
  if (value === undefined || value === null || value === '') return '—';
  if (w?.type === 'radioV2') return w.option?.find((o) => o.value === value)?.text ?? String(value);
  if (w?.type === 'checkboxV2' && Array.isArray(value)) return value.map((v) => w.option?.find((o) => o.value === v)?.text ?? String(v)).join(', ');
  if (w?.type === 'date' && typeof value === 'string') return value.slice(0, 10);
  if (w?.type === 'dateInterval' && typeof value === 'object') {
    const v = value as { start?: string; end?: string };
    return `${String(v.start ?? '').slice(0, 10)} → ${String(v.end ?? '').slice(0, 10)}`;
  }
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function card(ctx: EmulatorContext, inst: ApprovalInstance, title: string, template: Template, note: string, as: string, tab: string): string {
  const def = ctx.slice(ApprovalState).definitions.get(inst.approval_code);
  const widgets = new Map((def?.widgets ?? []).map((w) => [w.id, w]));
  const fields = inst.form.slice(0, 4).map((f) => ({ is_short: true, text: { tag: 'lark_md', content: `**${f.name}**\n${displayValue(f.value, widgets.get(f.id))}` } }));
  const url = `/#/approval/${tab}?instance=${encodeURIComponent(inst.instance_code)}&as=${encodeURIComponent(as)}`;
  return JSON.stringify({
    config: { wide_screen_mode: true },
    header: { template, title: { tag: 'plain_text', content: title } },
    elements: [
      { tag: 'div', text: { tag: 'lark_md', content: `**Applicant**: ${nameOf(ctx, inst.open_id)}\n**Type**: ${def?.approval_name ?? ''}${inst.title ? ` · ${inst.title}` : ''}` } },
      ...(fields.length ? [{ tag: 'div', fields }] : []),
      ...(note ? [{ tag: 'note', elements: [{ tag: 'plain_text', content: note }] }] : []),
      { tag: 'action', actions: [{ tag: 'button', type: 'primary', text: { tag: 'plain_text', content: 'View details' }, url }] },
    ],
  });
}

function send(ctx: EmulatorContext, openId: string, content: string): void {
  const user = ctx.slice(DirectoryState).findUser(openId, 'open_id');
  if (!user || user.resigned) return;
  try {
    platformBotMessage(ctx, APPROVAL_BOT, user, 'interactive', content);
  } catch {
    // Best effort: the approval itself already happened.
  }
}

const approvalName = (ctx: EmulatorContext, inst: ApprovalInstance) => ctx.slice(ApprovalState).definitions.get(inst.approval_code)?.approval_name ?? 'Approval';

export const approvalBot = {
  submitted(ctx: EmulatorContext, inst: ApprovalInstance): void {
    send(ctx, inst.open_id, card(ctx, inst, `Your ${approvalName(ctx, inst)} request was submitted`, 'wathet', 'You will be told when it is approved or rejected.', inst.open_id, 'initiated'));
  },

  /** A task for someone: new, transferred to them (`by`), or a reminder. */
  assigned(ctx: EmulatorContext, inst: ApprovalInstance, task: ApprovalTask, why: { by?: string; remind?: string } = {}): void {
    const who = nameOf(ctx, inst.open_id);
    const title = why.remind !== undefined ? `Reminder: ${who}'s ${approvalName(ctx, inst)} request is waiting for you` : `${who}'s ${approvalName(ctx, inst)} request needs your approval`;
    const note = why.by ? `Transferred to you by ${nameOf(ctx, why.by)}` : why.remind ? why.remind : `Node: ${task.node_name}`;
    send(ctx, task.open_id, card(ctx, inst, title, 'orange', note, task.open_id, 'pending'));
  },

  /** The applicant hears how it ended, unless `cancel_bot_notification` silenced that outcome. */
  finished(ctx: EmulatorContext, inst: ApprovalInstance, outcome: 'APPROVED' | 'REJECTED' | 'CANCELED' | 'REVERTED'): void {
    const bit = { APPROVED: 1, REJECTED: 2, CANCELED: 4, REVERTED: 0 }[outcome];
    if (bit && (inst.quiet & bit) !== 0) return;
    const name = approvalName(ctx, inst);
    const [title, template] = {
      APPROVED: [`Your ${name} request was approved`, 'green'],
      REJECTED: [`Your ${name} request was rejected`, 'red'],
      CANCELED: [`Your ${name} request was withdrawn`, 'grey'],
      REVERTED: [`Your approved ${name} request was revoked`, 'grey'],
    }[outcome] as [string, Template];
    const last = [...inst.timeline].reverse().find((e) => e.comment);
    const note = outcome === 'REJECTED' && last ? `${nameOf(ctx, last.open_id)}: ${last.comment}` : '';
    send(ctx, inst.open_id, card(ctx, inst, title, template, note, inst.open_id, 'initiated'));
  },

  cc(ctx: EmulatorContext, inst: ApprovalInstance, cc: CcRecord): void {
    const from = cc.from_open_id ? `${nameOf(ctx, cc.from_open_id)} copied you on` : 'You were copied on';
    send(ctx, cc.open_id, card(ctx, inst, `${from} ${nameOf(ctx, inst.open_id)}'s ${approvalName(ctx, inst)} request`, 'blue', '', cc.open_id, 'cc'));
  },
};
