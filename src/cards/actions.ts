import type * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../config/index.js';
import type { AnswerBudget, CardAction, CardActionResponse } from '../events/index.js';
import type { Platform } from '../platform/index.js';
import { sayIn, type CardInput, type Messenger, type Reply, type Sender } from '../bot/index.js';
import { assertValidCard, cardValidationStats } from './validate/index.js';

export type ToastType = 'success' | 'info' | 'warning' | 'error';

/** What an action listener gets when a user clicks a card element. */
export interface ActionContext {
  /** `value` of the clicked element (object or string). */
  value: unknown;
  tag?: string;
  /** `name` of the element (form fields, selects). */
  name?: string;
  /** Form submissions: field name → value. */
  formValue?: Record<string, unknown>;
  /** Selected option (select_static, overflow…), or options (multi-select). */
  option?: string;
  options?: string[];
  inputValue?: string;
  checked?: boolean;
  /** The user who clicked. */
  user: Sender;
  messageId?: string;
  chatId?: string;
  tenantKey?: string;
  /** Shows a toast to the clicker (only while answering within the budget). */
  toast(content: string, type?: ToastType): void;
  /** Replaces the card: in the callback answer when in time, else by PATCHing the message. */
  updateCard(card: CardInput): Promise<void>;
  /** Posts in the card's chat. */
  say: Reply;
  client: lark.Client;
  platform: Platform;
  messenger: Messenger;
  logger: Logger;
  state: Record<string, unknown>;
}

export type ActionListener = (ctx: ActionContext) => unknown | Promise<unknown>;

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The key an action routes on: `value.action`, `value.key`, a string value, or the element's name. */
export function actionKeys(action: Record<string, unknown>): string[] {
  const v = action.value;
  const keys = typeof v === 'string' ? [v] : [str(obj(v).action), str(obj(v).key)];
  return [...keys, str(action.name)].filter((k): k is string => Boolean(k));
}

/**
 * Routes card callbacks to `hub.action(key)` listeners. The budget (one for every transport,
 * from receipt) decides when the answer goes: a listener that finishes in time has its toast and
 * card sent in the answer; one that does not gets what it had set so far answered for it, and its
 * later `updateCard` PATCHes the message. Resolves with the answer as sent.
 */
export class ActionRouter {
  private listeners: { key: string | RegExp; listener: ActionListener }[] = [];

  constructor(private readonly deps: { platform: Platform; messenger: Messenger; logger: Logger }) {}

  on(key: string | RegExp, listener: ActionListener): void {
    this.listeners.push({ key, listener });
  }

  async handle(card: CardAction, budget: AnswerBudget): Promise<CardActionResponse> {
    const p = card.payload;
    const event = card.schema === 'v2' ? obj(p.event) : p;
    const action = obj(event.action);
    const context = obj(event.context);
    const operator = card.schema === 'v2' ? obj(event.operator) : { open_id: p.open_id, user_id: p.user_id, union_id: p.union_id };
    const messageId = str(context.open_message_id) ?? str(p.open_message_id);
    const chatId = str(context.open_chat_id) ?? str(p.open_chat_id);
    const keys = actionKeys(action);
    const matching = this.listeners.filter((l) => keys.some((k) => (typeof l.key === 'string' ? l.key === k : l.key.test(k))));
    const log = this.deps.logger.child({ action: keys[0], message_id: messageId });
    if (matching.length === 0) {
      log.warn({ keys }, 'card action has no listener; answered {}');
      return {};
    }

    const response: CardActionResponse = {};
    // True once this router has answered (with what the listeners had set by the soft deadline).
    let answered = false;
    const { platform } = this.deps;
    const messenger = card.tenantKey ? this.deps.messenger.forTenant(card.tenantKey) : this.deps.messenger;
    const ctx: ActionContext = {
      value: action.value,
      tag: str(action.tag),
      name: str(action.name),
      formValue: action.form_value ? obj(action.form_value) : undefined,
      option: str(action.option),
      options: Array.isArray(action.options) ? (action.options as string[]) : undefined,
      inputValue: str(action.input_value),
      checked: typeof action.checked === 'boolean' ? action.checked : undefined,
      user: { openId: str(operator.open_id), userId: str(operator.user_id), unionId: str(operator.union_id) },
      messageId,
      chatId,
      tenantKey: card.tenantKey,
      toast: (content, type = 'success') => {
        if (answered) log.warn('toast() after the callback was answered is not shown; use updateCard or say');
        else response.toast = { type, content };
      },
      updateCard: async (next) => {
        if (!answered) {
          try {
            assertValidCard(next); // a bad card in the answer would show the user an error (200673)
          } catch (err) {
            cardValidationStats.record(false);
            throw err;
          }
          cardValidationStats.record(true);
          response.card = { type: 'raw', data: next };
          return;
        }
        if (!messageId) throw new Error('cannot update the card later: the callback carried no open_message_id');
        await messenger.patch(messageId, next as Record<string, unknown>);
      },
      say: sayIn(messenger, chatId ?? '', card.id ?? `${messageId}:${Date.now()}`, 'action'),
      client: platform.sdk,
      platform,
      messenger,
      logger: log,
      state: {},
    };

    const work = (async () => {
      for (const m of matching) await m.listener(ctx);
    })().catch((err: unknown) => {
      log.error({ err }, 'card action listener failed');
      if (!answered) response.toast = { type: 'error', content: 'Something went wrong. Please try again.' };
    });
    // Whichever comes first: the listeners finish, or the budget sends the answer with what they set so far.
    let finished = false;
    await Promise.race([work.then(() => (finished = true)), budget.timeToAnswer]);
    answered = true;
    if (!finished) log.info({ deadline: budget.deadline }, 'action listener still running; answered with what it had set, its later updates PATCH the card');
    return { ...response };
  }
}
