import { uuidFrom, type Messenger } from '../bot/index.js';
import { fillPlaceholders, TemplateError, validateCard, type AnyCard } from '../cards/index.js';
import { FeishuApiError } from '../platform/index.js';
import type { ActionRun } from './action-runs.js';
import type { InstanceFacts } from './instance-facts.js';
import type { ActionExecutor } from './runner.js';

/** A rule's `message:` action: who gets it, and a text or a card (both may use `${…}` variables). */
export interface MessageActionConfig {
  /** A chat (oc_…), a user (ou_… open_id, a user_id, an email), or a variable such as `${applicant.open_id}`. */
  to: string;
  text?: string;
  /** Card JSON (schema 2.0 or 1.0) with `${…}` placeholders; validated before it is sent. */
  card?: Record<string, unknown>;
}

/** The variables of a run: the instance's facts plus the transition. */
export function templateVars(facts: InstanceFacts, run: ActionRun): Record<string, unknown> {
  const p = (run.payload ?? {}) as { from?: string | null; operate_time?: number };
  return { ...facts, status: run.status, from: p.from ?? '', rule: run.rule };
}

/** The message a rule sends for a run: `{to, msgType, content}`; a TemplateError when a variable is missing. */
export function renderMessage(config: MessageActionConfig, vars: Record<string, unknown>) {
  const to = fillPlaceholders(config.to, vars);
  if (!to) throw new TemplateError('the recipient (to) is empty for this instance');
  if (config.card) {
    const card = fillPlaceholders(config.card, vars) as unknown as AnyCard;
    const checked = validateCard(card);
    if (!checked.ok) throw new TemplateError(`the card would not render: ${checked.errors.map((e) => `${e.path || '(card)'}: ${e.message}`).join('; ')}`);
    return { to, msgType: 'interactive' as const, content: card as unknown as Record<string, unknown> };
  }
  return { to, msgType: 'text' as const, content: { text: fillPlaceholders(config.text ?? '', vars) } };
}

/**
 * The executor for `message` rows. The send's uuid is derived from the row id, so a retry after a
 * lost answer is deduplicated by Feishu itself (uuid is honoured for an hour); a Feishu refusal
 * that no retry fixes (bot not in the chat, no such user) or a template that cannot render ends
 * the row as failed, with the reason, at once.
 */
export function messageExecutor(deps: { messenger: Messenger; configFor: (rule: string) => MessageActionConfig | undefined; facts: (instanceCode: string, status: string) => Promise<InstanceFacts> }): ActionExecutor {
  return async (run, { runs, owner }) => {
    const config = deps.configFor(run.rule);
    if (!config) return void (await runs.recordAttempt(run.id, owner, { outcome: 'failed', error: `rule "${run.rule}" has no message action configured` }));
    let message: ReturnType<typeof renderMessage>;
    try {
      message = renderMessage(config, templateVars(await deps.facts(run.instanceCode, run.status), run));
    } catch (err) {
      if (err instanceof TemplateError) return void (await runs.recordAttempt(run.id, owner, { outcome: 'failed', error: err.message }));
      throw err; // could not read the instance: later
    }
    try {
      await deps.messenger.send(message.to, { msgType: message.msgType, content: message.content } as never, { uuid: uuidFrom('approval-rule', run.id), validate: false });
    } catch (err) {
      if (err instanceof FeishuApiError && !err.retryable) return void (await runs.recordAttempt(run.id, owner, { outcome: 'failed', error: `Feishu ${err.code}: ${err.msg}` }));
      throw err;
    }
    await runs.recordAttempt(run.id, owner, { outcome: 'done' });
  };
}
