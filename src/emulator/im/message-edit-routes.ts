import type { FastifyInstance } from 'fastify';
import { requireTenant } from '../auth/index.js';
import { caller, type EmulatorContext } from '../context.js';
import { ok, requireString } from '../http.js';
import { perMessageUpdateLimit } from '../ratelimit.js';
import type { MessageRecord } from '../types.js';
import { isSharedCard } from './card-validate.js';
import { validateContent } from './content.js';
import { imErrors } from './errors.js';
import { hitLimit, requireBotChat, requireMessage, toApiMessage } from './messages.js';
import { receiveView } from './receive-format.js';
import { ImState } from './state.js';

type Body = Record<string, unknown>;

/** A message can be edited (text/post) at most 20 times. */
export const MAX_EDITS = 20;
/** Cards can be updated for 14 days after they were sent. */
export const CARD_UPDATE_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

const isOwn = (msg: MessageRecord, appId: string) => msg.sender.sender_type === 'app' && msg.sender.id === appId;

/** Edit (PUT), card update (PATCH) and recall (DELETE) of `/im/v1/messages/:message_id`. */
export function registerEditRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.put('/open-apis/im/v1/messages/:message_id', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const { message_id } = request.params as { message_id: string };
    const body = (request.body ?? {}) as Body;
    const msgType = requireString(body, 'msg_type');
    const content = requireString(body, 'content');
    const msg = requireMessage(ctx, message_id);
    if (msg.deleted) throw imErrors.messageDeleted();
    if (!isOwn(msg, auth.appId)) throw imErrors.notSender();
    if (msgType !== 'text' && msgType !== 'post') throw imErrors.unsupportedType('only text and post messages can be edited');
    if (msg.msg_type !== 'text' && msg.msg_type !== 'post') throw imErrors.unsupportedType(`${msg.msg_type} messages cannot be edited`);
    if (msg.edit_count >= MAX_EDITS) throw imErrors.editLimit();
    const chat = requireBotChat(ctx, msg.chat_id, auth.appId, () => imErrors.invalidParam('chat not found'));
    validateContent({ ctx, appId: auth.appId, chat }, msgType, content);
    Object.assign(msg, {
      msg_type: msgType,
      content,
      mentions: receiveView(ctx, msgType, content).mentions,
      edit_count: msg.edit_count + 1,
      updated: true,
      update_time: ctx.clock.now(),
    });
    return ok(reply, toApiMessage(ctx, msg));
  });

  app.patch('/open-apis/im/v1/messages/:message_id', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const { message_id } = request.params as { message_id: string };
    const content = requireString((request.body ?? {}) as Body, 'content');
    const msg = requireMessage(ctx, message_id);
    if (msg.deleted) throw imErrors.recalled();
    if (msg.msg_type !== 'interactive') throw imErrors.unsupportedType('only card (interactive) messages can be updated with PATCH');
    if (!isOwn(msg, auth.appId)) throw imErrors.notSender();
    if (ctx.clock.now() - msg.create_time > CARD_UPDATE_WINDOW_MS) throw imErrors.updateExpired();
    const chat = requireBotChat(ctx, msg.chat_id, auth.appId, () => imErrors.invalidParam('chat not found'));
    validateContent({ ctx, appId: auth.appId, chat }, 'interactive', content);
    // Only shared cards (update_multi) can be updated, and they must stay shared.
    const before = safeParse(msg.content);
    if (!isSharedCard(before)) throw imErrors.card(200830, 'the card is not shared: config.update_multi must be true when it is sent', 'config.update_multi');
    if (!isSharedCard(JSON.parse(content))) throw imErrors.card(200830, 'the new card must keep config.update_multi true', 'config.update_multi');
    hitLimit(ctx, `message-update:${msg.message_id}`, perMessageUpdateLimit);
    Object.assign(msg, { content, edit_count: msg.edit_count + 1, update_time: ctx.clock.now() });
    return ok(reply, {});
  });

  app.delete('/open-apis/im/v1/messages/:message_id', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const { message_id } = request.params as { message_id: string };
    const msg = requireMessage(ctx, message_id);
    if (msg.deleted) throw imErrors.recalled();
    const chat = ctx.slice(ImState).chats.get(msg.chat_id);
    // A bot recalls its own messages; as the group's owner it may recall anyone's.
    const owner = chat?.owner_id_type === 'app' && chat.owner_id === auth.appId;
    if (!isOwn(msg, auth.appId) && !owner) throw imErrors.noRecallPermission();
    msg.deleted = true;
    msg.update_time = ctx.clock.now();
    return ok(reply);
  });
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
