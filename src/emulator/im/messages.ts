import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { recipientLimit, type Limit } from '../ratelimit.js';
import { rateLimited } from '../platform-http.js';
import type { ChatRecord, MessageRecord } from '../types.js';
import { DirectoryState, type UserIdType } from '../directory/index.js';
import { imErrors } from './errors.js';
import { receiveView } from './receive-format.js';
import { ImState } from './state.js';

/** What list shows in place of a recalled message's content. */
export const RECALLED_CONTENT = 'This message was recalled';
/** Send/reply `uuid`: the same uuid from the same app makes at most one message per hour. */
export const UUID_WINDOW_MS = 60 * 60 * 1000;
export const RECEIVE_ID_TYPES = ['open_id', 'union_id', 'user_id', 'email', 'chat_id'] as const;

/**
 * A message as the API returns it (reference §2.1): times as ms strings, receive-side
 * content with `mentions[]`, user ids in the requested `user_id_type`. Recalled
 * messages keep their place: `deleted:true`, and in lists the text "This message was recalled".
 */
export function toApiMessage(ctx: EmulatorContext, msg: MessageRecord, opts: { userIdType?: string; view?: 'get' | 'list' } = {}) {
  const dir = ctx.slice(DirectoryState);
  const idOf = (openId: string) => {
    const u = dir.findUser(openId, 'open_id');
    return u ? dir.userIdOf(u, opts.userIdType) : openId;
  };
  const idType = opts.userIdType === 'union_id' || opts.userIdType === 'user_id' ? opts.userIdType : 'open_id';
  const out: Record<string, unknown> = { message_id: msg.message_id };
  if (msg.root_id) out.root_id = msg.root_id;
  if (msg.parent_id) out.parent_id = msg.parent_id;
  if (msg.thread_id) out.thread_id = msg.thread_id;
  Object.assign(out, {
    msg_type: msg.msg_type,
    create_time: String(msg.create_time),
    update_time: String(msg.update_time),
    deleted: msg.deleted,
    updated: msg.updated,
    chat_id: msg.chat_id,
    sender:
      msg.sender.sender_type === 'user'
        ? { ...msg.sender, id: idOf(msg.sender.id), id_type: idType }
        : { ...msg.sender },
  });
  if (msg.deleted) {
    if (opts.view === 'list') out.body = { content: RECALLED_CONTENT };
    return out;
  }
  const view = receiveView(ctx, msg.msg_type, msg.content);
  out.body = { content: view.content };
  // Mentions found in the content win; messages written without @-tags keep the ones they were stored with.
  const mentions = view.mentions.length ? view.mentions : msg.mentions;
  if (mentions.length) {
    out.mentions = mentions.map((m) => {
      const isUser = Boolean(dir.findUser(m.id, 'open_id'));
      return { ...m, id: isUser ? idOf(m.id) : m.id, id_type: isUser ? idType : m.id_type };
    });
  }
  return out;
}

/** A message by id, or 230001 when there is none (recalled ones are returned; callers decide). */
export function requireMessage(ctx: EmulatorContext, messageId: string): MessageRecord {
  const msg = ctx.slice(ImState).messages.get(messageId);
  if (!msg) throw imErrors.invalidParam(`message_id ${messageId} does not exist`);
  return msg;
}

/** A chat the app may post in: it exists, is not dissolved, and the app's bot is a member. */
export function requireBotChat(ctx: EmulatorContext, chatId: string, appId: string, missing: () => ApiError): ChatRecord {
  const chat = ctx.slice(ImState).chats.get(chatId);
  if (!chat) throw missing();
  if (chat.status === 'dissolved') throw imErrors.chatDissolved();
  if (!chat.bots.includes(appId)) throw imErrors.botNotInChat();
  return chat;
}

/**
 * Where a send goes: a chat by id, or the p2p chat with a user found by the given id
 * type. Resigned users cannot receive messages (230013).
 */
export function resolveReceiver(ctx: EmulatorContext, appId: string, idType: string, receiveId: string): { chat: ChatRecord; userOpenId?: string } {
  if (idType === 'chat_id') return { chat: requireBotChat(ctx, receiveId, appId, () => imErrors.receiveIdInvalid(receiveId)) };
  const user = ctx.slice(DirectoryState).findUser(receiveId, idType as UserIdType);
  if (!user) throw idType === 'open_id' ? imErrors.openIdsNotExist(receiveId) : imErrors.receiveIdInvalid(receiveId);
  if (user.resigned) throw imErrors.noAvailability();
  return { chat: ctx.slice(ImState).p2pChat(appId, user), userOpenId: user.open_id };
}

/** The message an earlier send/reply with this uuid made within the hour, if any. */
export function dedupedMessage(ctx: EmulatorContext, appId: string, uuid: string | undefined): MessageRecord | undefined {
  if (!uuid) return undefined;
  const im = ctx.slice(ImState);
  const seen = im.messageUuids.get(`${appId}:${uuid}`);
  if (!seen || ctx.clock.now() - seen.at >= UUID_WINDOW_MS) return undefined;
  return im.messages.get(seen.messageId);
}

export function rememberUuid(ctx: EmulatorContext, appId: string, uuid: string | undefined, msg: MessageRecord): void {
  if (uuid) ctx.slice(ImState).messageUuids.set(`${appId}:${uuid}`, { messageId: msg.message_id, at: ctx.clock.now() });
}

/** Counts one call against a per-recipient (or per-message) limit; over it → HTTP 429 + 99991400 with the x-ogw headers. */
export function hitLimit(ctx: EmulatorContext, key: string, limit: Limit = recipientLimit): void {
  const verdict = ctx.limiter.hit(key, limit, ctx.clock.now());
  if (!verdict.ok) throw rateLimited(verdict.limit, verdict.resetSec);
}

/** The `uuid` body field: optional, at most 50 characters. */
export function parseUuid(body: Record<string, unknown>): string | undefined {
  const uuid = body.uuid;
  if (uuid === undefined || uuid === null || uuid === '') return undefined;
  if (typeof uuid !== 'string' || uuid.length > 50) throw imErrors.invalidParam('uuid must be a string of at most 50 characters');
  return uuid;
}

/** The sender record of messages an app sends. */
export function appSender(ctx: EmulatorContext, appId: string, tenantKey: string | undefined): MessageRecord['sender'] {
  return { id: appId, id_type: 'app_id', sender_type: 'app', tenant_key: tenantKey ?? ctx.slice(DirectoryState).tenantKey };
}
