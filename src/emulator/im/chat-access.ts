import type { FastifyRequest } from 'fastify';
import { caller, type EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { ChatRecord } from '../types.js';
import { ImState } from './state.js';

/** Who is calling a chat API: the app's bot (tenant token) or a user (user token). */
export type Actor = { kind: 'bot'; appId: string } | { kind: 'user'; appId: string; openId: string };

export function actorOf(request: FastifyRequest): Actor {
  const a = caller(request);
  if (a.kind === 'user' && a.openId) return { kind: 'user', appId: a.appId, openId: a.openId };
  return { kind: 'bot', appId: a.appId };
}

/** Chat APIs answer HTTP 400 with a 232xxx code. */
export const chatError = (code: number, msg: string, extra: ConstructorParameters<typeof ApiError>[3] = {}) =>
  new ApiError(400, code, msg, extra);

export const chatErrors = {
  invalidParam: (field: string, description: string) =>
    chatError(232001, 'Your request contains an invalid request parameter.', { fieldViolations: [{ field, description }] }),
  invalidChatId: () => chatError(232006, 'Your request specifies a chat_id which is invalid.'),
  unsupportedType: () => chatError(232008, 'Your request specifies a chat whose type is NOT supported currently.'),
  dissolved: () => chatError(232009, 'Your request specifies a chat which has already been dissolved.'),
  notInChat: () => chatError(232011, 'Operator can NOT be out of the chat.'),
  noValidMembers: () => chatError(232027, 'There are no valid members in the ID list specified in your request.'),
  unavailableIds: (ids: string[]) =>
    chatError(232043, 'Your request contains unavailable ids.', {
      fieldViolations: ids.map((id) => ({ field: 'id_list', value: id, description: 'unavailable id' })),
    }),
};

/** The chat, or 232006 when the id is malformed or unknown. */
export function findChat(ctx: EmulatorContext, chatId: string): ChatRecord {
  const chat = ctx.slice(ImState).chats.get(chatId);
  if (!chat) throw chatErrors.invalidChatId();
  return chat;
}

export function isMember(chat: ChatRecord, actor: Actor): boolean {
  return actor.kind === 'bot' ? chat.bots.includes(actor.appId) : chat.members.includes(actor.openId);
}

export function isOwner(chat: ChatRecord, actor: Actor): boolean {
  return actor.kind === 'bot'
    ? chat.owner_id_type === 'app' && chat.owner_id === actor.appId
    : chat.owner_id_type === 'open_id' && chat.owner_id === actor.openId;
}

/**
 * Owner, manager, or the bot that created the chat. The last stands for a bot holding
 * `im:chat:operate_as_owner`; the emulator grants every app that scope.
 */
export function isManager(chat: ChatRecord, actor: Actor): boolean {
  if (isOwner(chat, actor)) return true;
  const s = chat.settings as { user_managers?: string[]; bot_managers?: string[] };
  if (actor.kind === 'bot') return (s.bot_managers ?? []).includes(actor.appId) || chat.creator === actor.appId;
  return (s.user_managers ?? []).includes(actor.openId);
}

/** A group the actor is in and that still exists: the precondition of most chat and member APIs. */
export function requireLiveMembership(ctx: EmulatorContext, chatId: string, actor: Actor): ChatRecord {
  const chat = findChat(ctx, chatId);
  if (chat.status === 'dissolved') throw chatErrors.dissolved();
  if (!isMember(chat, actor)) throw chatErrors.notInChat();
  return chat;
}

const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type ChatUserIdType = (typeof USER_ID_TYPES)[number];

/** `user_id_type`/`member_id_type` query values; anything else fails like the gateway does. */
export function userIdTypeParam(raw: unknown, field = 'user_id_type', extra: readonly string[] = []): ChatUserIdType {
  if (raw === undefined || raw === '') return 'open_id';
  if (typeof raw === 'string' && ([...USER_ID_TYPES, ...extra] as string[]).includes(raw)) return raw as ChatUserIdType;
  throw new ApiError(400, 99992402, 'field validation failed', {
    fieldViolations: [{ field, value: String(raw), description: `${field} must be one of ${[...USER_ID_TYPES, ...extra].join(', ')}` }],
  });
}

/** Query booleans arrive as strings. */
export const queryFlag = (v: unknown) => v === true || v === 'true' || v === '1';
