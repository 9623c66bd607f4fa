import type { FastifyInstance } from 'fastify';
import { requireTenant } from '../auth/index.js';
import { caller, type EmulatorContext } from '../context.js';
import { invalidParam } from '../errors.js';
import { ok, requireString } from '../http.js';
import type { ChatRecord, MessageRecord } from '../types.js';
import { validateContent } from './content.js';
import { imErrors } from './errors.js';
import { appSender, dedupedMessage, hitLimit, parseUuid, RECEIVE_ID_TYPES, rememberUuid, requireBotChat, requireMessage, resolveReceiver, toApiMessage } from './messages.js';
import { receiveView } from './receive-format.js';
import { insertMessage } from './store.js';

type Body = Record<string, unknown>;

/** Send (`POST /im/v1/messages`) and reply (`POST /im/v1/messages/:message_id/reply`). */
export function registerSendRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/open-apis/im/v1/messages', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const query = request.query as Record<string, unknown>;
    const idType = requireString(query, 'receive_id_type');
    if (!(RECEIVE_ID_TYPES as readonly string[]).includes(idType)) {
      throw invalidParam('receive_id_type', `receive_id_type must be one of ${RECEIVE_ID_TYPES.join(', ')}`);
    }
    const body = (request.body ?? {}) as Body;
    const receiveId = requireString(body, 'receive_id');
    const msgType = requireString(body, 'msg_type');
    const content = requireString(body, 'content');
    const uuid = parseUuid(body);

    const { chat, userOpenId } = resolveReceiver(ctx, auth.appId, idType, receiveId);
    validateContent({ ctx, appId: auth.appId, chat }, msgType, content);
    const earlier = dedupedMessage(ctx, auth.appId, uuid);
    if (earlier) return ok(reply, toApiMessage(ctx, earlier));
    // 5/s per chat (shared by every bot in it) or per user.
    hitLimit(ctx, userOpenId ? `user:${userOpenId}` : `chat:${chat.chat_id}`);
    const msg = send(ctx, chat, auth.appId, auth.tenantKey, msgType, content);
    rememberUuid(ctx, auth.appId, uuid, msg);
    return ok(reply, toApiMessage(ctx, msg));
  });

  app.post('/open-apis/im/v1/messages/:message_id/reply', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const { message_id } = request.params as { message_id: string };
    const body = (request.body ?? {}) as Body;
    const msgType = requireString(body, 'msg_type');
    const content = requireString(body, 'content');
    const uuid = parseUuid(body);
    if (body.reply_in_thread !== undefined && typeof body.reply_in_thread !== 'boolean') {
      throw invalidParam('reply_in_thread', 'reply_in_thread must be a boolean');
    }

    const parent = requireMessage(ctx, message_id);
    if (parent.deleted) throw imErrors.recalled();
    const chat = requireBotChat(ctx, parent.chat_id, auth.appId, () => imErrors.invalidParam('chat not found'));
    if (msgType === 'system') throw imErrors.unsupportedType('system messages cannot be replies');
    validateContent({ ctx, appId: auth.appId, chat }, msgType, content);
    const earlier = dedupedMessage(ctx, auth.appId, uuid);
    if (earlier) return ok(reply, toApiMessage(ctx, earlier));
    hitLimit(ctx, `chat:${chat.chat_id}`);
    // In topic groups every reply goes into the topic.
    const inThread = body.reply_in_thread === true || chat.group_message_type === 'thread' || chat.chat_mode === 'topic';
    const msg = send(ctx, chat, auth.appId, auth.tenantKey, msgType, content, parent, inThread);
    rememberUuid(ctx, auth.appId, uuid, msg);
    return ok(reply, toApiMessage(ctx, msg));
  });
}

function send(
  ctx: EmulatorContext,
  chat: ChatRecord,
  appId: string,
  tenantKey: string | undefined,
  msgType: string,
  content: string,
  parent?: MessageRecord,
  replyInThread?: boolean,
): MessageRecord {
  return insertMessage(ctx, {
    chat,
    sender: appSender(ctx, appId, tenantKey),
    msgType,
    content,
    mentions: receiveView(ctx, msgType, content).mentions,
    parent,
    replyInThread,
  });
}
