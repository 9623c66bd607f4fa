import type { EmulatorContext } from '../context.js';
import type { ChatRecord, UserRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { i18nNames } from './chat-view.js';

/** Who did it: a user (open_id) or an app's bot. */
export type Operator = { openId: string } | { appId: string };

/**
 * Pushes one event to an app in the chat. The push itself is asynchronous (retried, logged),
 * so the API call that caused it is answered whatever happens to the event later.
 */
export function pushEvent(ctx: EmulatorContext, appId: string, eventType: string, event: Record<string, unknown>): void {
  // Chats list only registered apps; one restored from an older snapshot may not.
  if (!ctx.slice(AuthState).apps.has(appId)) return;
  ctx.events.publish(appId, eventType, event, { tenantKey: ctx.slice(DirectoryState).tenantKey });
}

/** `{open_id, union_id, user_id}` of a user, or of a bot (its open_id only). */
export function operatorIds(ctx: EmulatorContext, op: Operator): { open_id: string; union_id: string; user_id: string } {
  if ('openId' in op) {
    const u = ctx.slice(DirectoryState).findUser(op.openId, 'open_id');
    return { open_id: op.openId, union_id: u?.union_id ?? '', user_id: u?.user_id ?? '' };
  }
  return { open_id: ctx.slice(AuthState).apps.get(op.appId)?.botOpenId ?? '', union_id: '', user_id: '' };
}

const userIds = (u: UserRecord) => ({ open_id: u.open_id, union_id: u.union_id, user_id: u.user_id });

function base(ctx: EmulatorContext, chat: ChatRecord, op: Operator) {
  return {
    chat_id: chat.chat_id,
    operator_id: operatorIds(ctx, op),
    external: chat.external,
    operator_tenant_key: ctx.slice(DirectoryState).tenantKey,
  };
}

const names = (chat: ChatRecord) => ({ name: chat.name, i18n_names: i18nNames(chat) });

/** The chat events of §2.6/§3.4, each sent to the apps that subscribe by being in the chat. */
export const chatEvents = {
  botAdded(ctx: EmulatorContext, chat: ChatRecord, appId: string, op: Operator): void {
    pushEvent(ctx, appId, 'im.chat.member.bot.added_v1', { ...base(ctx, chat, op), ...names(chat) });
  },
  botDeleted(ctx: EmulatorContext, chat: ChatRecord, appId: string, op: Operator): void {
    pushEvent(ctx, appId, 'im.chat.member.bot.deleted_v1', { ...base(ctx, chat, op), ...names(chat) });
  },
  usersAdded(ctx: EmulatorContext, chat: ChatRecord, users: UserRecord[], op: Operator, toApps = chat.bots): void {
    if (users.length === 0) return;
    const event = { ...base(ctx, chat, op), users: users.map((u) => ({ name: u.name, tenant_key: u.tenant_key, user_id: userIds(u) })), ...names(chat) };
    for (const appId of toApps) pushEvent(ctx, appId, 'im.chat.member.user.added_v1', event);
  },
  usersDeleted(ctx: EmulatorContext, chat: ChatRecord, users: UserRecord[], op: Operator, toApps = chat.bots): void {
    if (users.length === 0) return;
    const event = { ...base(ctx, chat, op), users: users.map((u) => ({ name: u.name, tenant_key: u.tenant_key, user_id: userIds(u) })), ...names(chat) };
    for (const appId of toApps) pushEvent(ctx, appId, 'im.chat.member.user.deleted_v1', event);
  },
  disbanded(ctx: EmulatorContext, chat: ChatRecord, op: Operator): void {
    const event = { ...base(ctx, chat, op), ...names(chat) };
    for (const appId of chat.bots) pushEvent(ctx, appId, 'im.chat.disbanded_v1', event);
  },
  /** before/after carry only the fields that changed. */
  updated(ctx: EmulatorContext, chat: ChatRecord, op: Operator, before: Record<string, unknown>, after: Record<string, unknown>): void {
    const event = { ...base(ctx, chat, op), after_change: after, before_change: before };
    for (const appId of chat.bots) pushEvent(ctx, appId, 'im.chat.updated_v1', event);
  },
};

/** The owner as the update event shows it. */
export function ownerIds(ctx: EmulatorContext, chat: ChatRecord) {
  if (chat.owner_id_type === 'app') return { open_id: '', union_id: '', user_id: '' };
  const u = ctx.slice(DirectoryState).findUser(chat.owner_id, 'open_id');
  return u ? userIds(u) : { open_id: chat.owner_id, union_id: '', user_id: '' };
}
