import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { answerWithin, DEFAULT_CARD_BUDGET_MS, type AnswerBudget } from './budget.js';
import type { CardAction, CardActionResponse } from './types.js';

/** The durable record of answered card callbacks (IdempotencyKeys in the hub). */
export interface CardAnswerStore {
  /** Runs `fn` once per key, across restarts and replicas; a repeat gets the stored result. Throws `busy` while another run holds the key. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** The stored result of `key`, if its first run has finished. */
  result?(key: string): Promise<unknown | undefined>;
}

export type CardHandler = (action: CardAction, budget: AnswerBudget) => Promise<CardActionResponse | undefined | void> | CardActionResponse | undefined | void;

export interface CardAnswerOptions {
  handler?: CardHandler;
  /** Without it, repeats are caught only by the in-memory nonce cache (one process, 10 min). */
  answers?: CardAnswerStore;
  budgetMs?: number;
  logger: Logger;
}

const EMPTY: CardActionResponse = {};

/**
 * A card callback's identity: v2 `header.event_id`; the old format's `token` (one per click), else
 * its refresh-token header, else a digest of the whole callback.
 */
export function cardCallbackKey(action: CardAction): string {
  if (action.schema === 'v2' && action.id) return `card:${action.id}`;
  const token = action.payload.token;
  if (typeof token === 'string' && token) return `card:v1:${token}`;
  if (action.id) return `card:v1:${action.id}`;
  return `card:v1:sha256:${createHash('sha256').update(JSON.stringify(action.payload)).digest('hex')}`;
}

/**
 * Answers one card callback, whichever transport brought it: recorded durably by its identity
 * before the handler runs, so a repeat (Feishu's, or a replay after a restart or on another
 * replica) never runs the handler again and gets the first answer; within the budget from receipt.
 */
export async function answerCardCallback(action: CardAction, receivedAt: number, options: CardAnswerOptions): Promise<CardActionResponse> {
  const { handler, answers, logger: log } = options;
  const budgetMs = options.budgetMs ?? DEFAULT_CARD_BUDGET_MS;
  if (!handler) {
    log.warn({ id: action.id, schema: action.schema }, 'card callback received but no card action handler is registered; answered {}');
    return EMPTY;
  }
  const key = cardCallbackKey(action);
  const run = async (budget: AnswerBudget): Promise<CardActionResponse> => {
    const value = await handler(action, budget);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : EMPTY;
  };
  const budgeted = async (): Promise<CardActionResponse> => {
    const outcome = await answerWithin(receivedAt, budgetMs, run, () => EMPTY, (err) => log.error({ err, id: action.id }, 'card action handler failed after the answer was sent'));
    if ('error' in outcome) {
      log.error({ err: outcome.error, id: action.id }, 'card action handler failed; answered {}');
      return EMPTY;
    }
    if (!outcome.inTime) log.info({ id: action.id, budget_ms: budgetMs }, 'card handler is slower than the budget; answered {} and let it continue');
    return outcome.value;
  };
  if (!answers) return budgeted();
  try {
    const first = await answers.once(key, budgeted);
    return first;
  } catch (err) {
    if ((err as Error)?.name !== 'IdempotencyBusyError') {
      log.error({ err, key }, 'could not record the card callback; answered {} without running the handler');
      return EMPTY;
    }
    // The first delivery is still being answered (a concurrent repeat): wait for its answer within our budget.
    const stored = await waitForAnswer(answers, key, receivedAt + budgetMs);
    log.info({ key, answered: stored !== undefined }, 'repeated card callback: the handler ran once; answered with the first answer');
    return stored ?? EMPTY;
  }
}

async function waitForAnswer(answers: CardAnswerStore, key: string, deadline: number): Promise<CardActionResponse | undefined> {
  if (!answers.result) return undefined;
  while (Date.now() < deadline - 50) {
    const r = await answers.result(key);
    if (r !== undefined) return r as CardActionResponse;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
