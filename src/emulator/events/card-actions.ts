import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { JSON_TYPE } from '../http.js';
import { newId } from '../ids.js';
import { caller, type EmulatorContext } from '../context.js';
import { AuthState, requireTenant } from '../auth/index.js';
import type { MessageRecord, UserRecord } from '../types.js';
import { DirectoryState } from '../directory/index.js';
import { ImState } from '../im/index.js';
import { busOf } from './context.js';
import { interpretCardAnswer, type Toast } from './card-answer.js';

/** A delayed-update token lives 30 min (emulator time) and may be used twice. */
export const CARD_TOKEN_TTL_MS = 30 * 60_000;
export const CARD_TOKEN_USES = 2;

/** What the user did on the card: the `action` object of `card.action.trigger`. */
export interface CardAction {
  value?: Record<string, unknown> | string;
  tag?: string;
  name?: string;
  form_value?: Record<string, unknown>;
  option?: string;
  options?: string[];
  input_value?: string;
  checked?: boolean;
  timezone?: string;
}

export interface CardActionResult {
  event_id: string;
  via: string;
  /** The app's HTTP status (or the ack code over the long connection); null when it never answered. */
  status: number | null;
  toast: Toast | null;
  card_updated: boolean;
  /** What the Feishu client would show instead (200340 no callback URL, 200341 timeout, 200671 non-200, 200672 bad body…). */
  error?: { code: number; msg: string };
}

export class CardActionError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const transportErrors: Record<string, { code: number; msg: string }> = {
  no_endpoint: { code: 200340, msg: 'the app has no card callback URL and no long connection' },
  timeout: { code: 200341, msg: 'the app did not answer the card callback within 3 s' },
  connect_failed: { code: 200342, msg: 'could not connect to the card callback URL' },
  dns_failed: { code: 200343, msg: 'could not resolve the card callback host' },
  closed: { code: 200342, msg: 'the long connection closed before the app answered' },
};

/**
 * A user clicks (or submits) an element of a card the app sent: the app gets
 * `card.action.trigger` synchronously (3 s, no retries) and its answer is applied,
 * a toast shown and/or the card replaced, as the Feishu client does.
 */
export async function userClicksCard(ctx: EmulatorContext, message: MessageRecord, operator: UserRecord, action: CardAction): Promise<CardActionResult> {
  if (message.deleted) throw new CardActionError(400, `message ${message.message_id} was recalled`);
  if (message.msg_type !== 'interactive') throw new CardActionError(400, `message ${message.message_id} is not a card (msg_type ${message.msg_type})`);
  if (message.sender.sender_type !== 'app') throw new CardActionError(400, 'only cards sent by an app call back');
  const app = ctx.slice(AuthState).apps.get(message.sender.id);
  if (!app) throw new CardActionError(400, `the card's app ${message.sender.id} is not in the emulator`);
  const chat = ctx.slice(ImState).chats.get(message.chat_id);
  if (chat && !chat.members.includes(operator.open_id)) throw new CardActionError(400, `${operator.open_id} is not in chat ${message.chat_id}`);

  const bus = busOf(ctx);
  const now = ctx.clock.now();
  const eventId = newId.eventId();
  const token = newId.cardToken();
  bus.cardTokens.set(token, { appId: app.appId, messageId: message.message_id, expiresAt: now + CARD_TOKEN_TTL_MS, uses: 0 });
  const tenantKey = chat?.tenant_key ?? app.tenantKeys[0];
  const envelope = {
    schema: '2.0',
    header: {
      event_id: eventId,
      token: app.verificationToken ?? '',
      // Card callbacks carry microseconds (the documented example), events milliseconds.
      create_time: String(now * 1000),
      event_type: 'card.action.trigger',
      tenant_key: tenantKey,
      app_id: app.appId,
    },
    event: {
      operator: { tenant_key: operator.tenant_key, user_id: operator.user_id, open_id: operator.open_id, union_id: operator.union_id },
      token,
      action: { value: action.value ?? {}, tag: action.tag ?? 'button', ...withoutUndefined({ ...action, value: undefined, tag: undefined }) },
      host: 'im_message',
      context: { open_message_id: message.message_id, open_chat_id: message.chat_id },
    },
  };
  const outcome = await bus.callback(app, eventId, 'card.action.trigger', envelope);
  const base = { event_id: eventId, via: outcome.via, status: outcome.status ?? null, toast: null, card_updated: false };
  if (outcome.error) return { ...base, error: transportErrors[outcome.error] ?? { code: 200342, msg: outcome.error } };
  if (outcome.status !== 200) return { ...base, error: { code: 200671, msg: `the app answered HTTP ${outcome.status}` } };

  const answer = interpretCardAnswer(outcome.body ?? '', message.content);
  if ('error' in answer) return { ...base, error: answer.error };
  if (answer.toast) message.last_toast = { type: answer.toast.type, content: answer.toast.content, at: ctx.clock.now() };
  if (answer.content !== undefined) replaceCard(ctx, message, answer.content);
  return { ...base, toast: answer.toast ?? null, card_updated: answer.content !== undefined };
}

function replaceCard(ctx: EmulatorContext, message: MessageRecord, content: string): void {
  message.content = content;
  message.updated = true;
  message.update_time = ctx.clock.now();
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const actionBody = z
  .object({
    operator: z.string(),
    value: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    option: z.string().optional(),
    options: z.array(z.string()).optional(),
    input_value: z.string().optional(),
    checked: z.boolean().optional(),
    timezone: z.string().optional(),
  })
  .strict();

/** Delayed card update errors are old-style: top-level {code,msg}, no `error` object. */
const updateError = (code: number, msg: string) => new ApiError(400, code, msg, { bare: true });

export function registerCardActionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/__emulator/messages/:message_id/actions', async (req, reply) => {
    const p = actionBody.safeParse(req.body ?? {});
    if (!p.success) return reply.status(400).send({ error: 'invalid body', issues: p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    const message = ctx.slice(ImState).messages.get((req.params as { message_id: string }).message_id);
    if (!message) return reply.status(404).send({ error: 'no such message' });
    const operator = ctx.slice(DirectoryState).findUser(p.data.operator);
    if (!operator) return reply.status(400).send({ error: `no user with open_id ${p.data.operator}` });
    const { operator: _op, ...action } = p.data;
    try {
      return await userClicksCard(ctx, message, operator, action);
    } catch (e) {
      if (e instanceof CardActionError) return reply.status(e.status).send({ error: e.message });
      throw e;
    }
  });

  // Delayed update with the callback's token: 30 min, two uses.
  app.post('/open-apis/interactive/v1/card/update', async (req, reply) => {
    requireTenant(req);
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as { token?: unknown; card?: unknown };
    if (typeof b.token !== 'string' || !/^c-[0-9a-zA-Z_-]+$/.test(b.token)) throw updateError(300020, 'token format is invalid');
    const bus = busOf(ctx);
    const t = bus.cardTokens.get(b.token);
    if (!t) throw updateError(300020, 'token is invalid');
    if (t.appId !== caller(req).appId) throw updateError(200310, 'the card was not sent by this app');
    if (ctx.clock.now() > t.expiresAt) throw updateError(300030, 'token is expired');
    if (t.uses >= CARD_TOKEN_USES) throw updateError(300040, 'token has been used too many times');
    const message = ctx.slice(ImState).messages.get(t.messageId);
    if (!message || message.deleted) throw updateError(200000, 'the card has been recalled');
    let card = b.card;
    if (typeof card === 'string') {
      try {
        card = JSON.parse(card);
      } catch {
        throw updateError(11311, 'card content is not valid JSON');
      }
    }
    if (!card || typeof card !== 'object' || Array.isArray(card)) throw updateError(11311, 'card is required and must be a card JSON object');
    // open_ids only narrows who sees the update (JSON 1.0 non-shared cards); the emulator shows it to everyone.
    const { open_ids: _openIds, ...rest } = card as Record<string, unknown>;
    t.uses++;
    replaceCard(ctx, message, JSON.stringify(rest));
    reply.type(JSON_TYPE);
    return { code: 0, msg: 'ok' };
  });
}
