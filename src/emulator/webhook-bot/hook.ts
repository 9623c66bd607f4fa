import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { JSON_TYPE } from '../http.js';
import { webhookBotLimit } from '../ratelimit.js';
import { ImState, insertMessage, receiveView } from '../im/index.js';
import { BAD_REQUEST, toMessage } from './message.js';
import { ipAllowed, signatureValid } from './security.js';
import { WebhookBotState } from './state.js';

/** The guide's body limit; larger bodies are refused with 19036. */
export const WEBHOOK_BODY_LIMIT = 20 * 1024;

export const WEBHOOK_SUCCESS = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };

/**
 * Webhook answers are HTTP 200 with a business code, like the platform's
 * (`{"code":19021,"data":{},"msg":"sign match fail…"}`), never the OpenAPI error envelope.
 */
function fail(reply: FastifyReply, code: number, msg: string, status = 200) {
  return reply.status(status).type(JSON_TYPE).send({ code, msg, data: {} });
}

/** A custom bot posts as an app of its own; its id is derived from the token so it stays the same. */
export function webhookSenderId(token: string): string {
  return `cli_${createHash('sha256').update(`webhook:${token}`).digest('hex').slice(0, 16)}`;
}

/** `POST /open-apis/bot/v2/hook/:token`, in its own plugin so it reads raw bodies and answers in its own envelope. */
export async function webhookHookPlugin(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;
  // Raw text in: the size limit and the 9499 answer for bad JSON are the webhook's own.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | ApiError, _request, reply) => {
    if (err instanceof ApiError) {
      // Injected faults keep the status and code they were given.
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
      return fail(reply, err.code, err.message, err.status);
    }
    if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') return fail(reply, 19036, 'The message exceeds the size limit of 30KB');
    return fail(reply, 9499, 'Bad Request', (err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500 ? 400 : 500);
  });

  app.post('/open-apis/bot/v2/hook/:token', { bodyLimit: 1024 * 1024 }, async (request, reply) => {
    const token = (request.params as { token: string }).token;
    const bot = ctx.slice(WebhookBotState).bots.get(token);
    const chat = bot ? ctx.slice(ImState).chats.get(bot.chat_id) : undefined;
    // A custom bot dies with its chat (disbanded) or when removed from it.
    if (!bot || !chat || chat.status !== 'normal') return fail(reply, 19001, 'param invalid: incoming webhook access token invalid');

    const raw = typeof request.body === 'string' ? request.body : '';
    if (Buffer.byteLength(raw) > WEBHOOK_BODY_LIMIT) return fail(reply, 19036, 'The message exceeds the size limit of 30KB');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return fail(reply, BAD_REQUEST.code, BAD_REQUEST.msg);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(reply, BAD_REQUEST.code, BAD_REQUEST.msg);
    const b = body as Record<string, unknown>;

    if (!ipAllowed(request.ip, bot.ip_allowlist)) return fail(reply, 19022, 'Ip Not Allowed');
    if (bot.secret && !signatureValid(b.timestamp, b.sign, bot.secret, ctx.clock.now())) {
      return fail(reply, 19021, 'sign match fail or timestamp is not within one hour from current time');
    }
    const m = toMessage(b);
    if (!m.ok) return fail(reply, m.code, m.msg);
    // A custom bot can only share the card of its own group.
    if (m.msgType === 'share_chat' && JSON.parse(m.content).chat_id !== bot.chat_id) return fail(reply, BAD_REQUEST.code, BAD_REQUEST.msg);
    if (bot.keywords.length > 0 && !m.texts.some((t) => bot.keywords.some((k) => t.includes(k)))) {
      return fail(reply, 19024, 'Key Words Not Found');
    }

    // The limit counts messages the bot would post (5/s, 100/min per bot), not refused requests.
    const verdict = ctx.limiter.hit(`webhook:${token}`, webhookBotLimit, ctx.clock.now());
    if (!verdict.ok) return fail(reply, 11232, 'create message service trigger rate limit');
    insertMessage(ctx, {
      chat,
      sender: { id: webhookSenderId(token), id_type: 'app_id', sender_type: 'app', tenant_key: chat.tenant_key },
      msgType: m.msgType,
      content: m.content,
      mentions: receiveView(ctx, m.msgType, m.content).mentions,
    });
    return reply.type(JSON_TYPE).send(WEBHOOK_SUCCESS);
  });
}
