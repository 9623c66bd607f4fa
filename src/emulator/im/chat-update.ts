import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import type { ChatRecord } from '../types.js';
import { DirectoryState } from '../directory/index.js';
import { type Actor, actorOf, chatError, chatErrors, findChat, isManager, isMember, isOwner, userIdTypeParam } from './chat-access.js';
import { chatEvents, ownerIds, type Operator } from './chat-events.js';
import { checkPublicName, enumField, settingsPatch, stringField } from './chat-input.js';
import { chatSettings, i18nNames } from './chat-view.js';
import { ImState } from './state.js';

/** What any member may change; everything else needs the owner or a manager (232016). */
const BASIC_FIELDS = ['avatar', 'name', 'description', 'i18n_names'];

export const operatorOf = (actor: Actor): Operator => (actor.kind === 'bot' ? { appId: actor.appId } : { openId: actor.openId });

/** An avatar must be an uploaded image or one of the platform's default avatars. */
export function checkAvatar(ctx: EmulatorContext, avatar: string | undefined, code: number): void {
  if (!avatar || avatar.startsWith('default-avatar')) return;
  const upload = ctx.slice(ImState).uploads.get(avatar);
  if (!upload || upload.kind !== 'image') throw chatError(code, code === 232041 ? 'The avatar key is illegal.' : 'Your request contains an invalid request parameter.');
}

/** The fields im.chat.updated_v1 reports, as they are now. */
function snapshot(ctx: EmulatorContext, chat: ChatRecord): Record<string, unknown> {
  const s = chatSettings(chat);
  return {
    avatar: chat.avatar,
    name: chat.name,
    description: chat.description,
    i18n_names: i18nNames(chat),
    add_member_permission: s.add_member_permission,
    share_card_permission: s.share_card_permission,
    at_all_permission: s.at_all_permission,
    edit_permission: s.edit_permission,
    membership_approval: s.membership_approval,
    join_message_visibility: s.join_message_visibility,
    leave_message_visibility: s.leave_message_visibility,
    moderation_permission: s.moderation_permission,
    owner_id: ownerIds(ctx, chat),
    restricted_mode_setting: s.restricted_mode_setting,
    group_message_type: chat.group_message_type,
    chat_type: chat.chat_type,
  };
}

/** Chat update (PUT) and disband (DELETE). */
export function registerChatUpdateRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.put('/open-apis/im/v1/chats/:chat_id', async (request, reply) => {
    const actor = actorOf(request);
    const idType = userIdTypeParam((request.query as Record<string, string | undefined>).user_id_type);
    const chat = findChat(ctx, (request.params as { chat_id: string }).chat_id);
    if (chat.chat_mode === 'p2p') throw chatErrors.unsupportedType();
    if (chat.status === 'dissolved') throw chatErrors.dissolved();
    if (!isMember(chat, actor)) throw chatErrors.notInChat();
    const b = (request.body ?? {}) as Record<string, unknown>;
    const present = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
    if (!isManager(chat, actor)) {
      if (chatSettings(chat).edit_permission === 'only_owner') {
        throw chatError(232002, 'No Permission: Only chat owner or admin can edit chat information in the current situation.');
      }
      if (present.some((k) => !BASIC_FIELDS.includes(k))) throw chatError(232016, 'Non-chat-owner or Non-chat-admin can only edit certain parts.');
    }

    const patch = settingsPatch(b, 'update');
    const name = stringField(b, 'name');
    const description = stringField(b, 'description');
    const avatar = stringField(b, 'avatar');
    checkAvatar(ctx, avatar, 232041);
    const chatType = enumField(b, 'chat_type', ['private', 'public'] as const);
    const groupMessageType = enumField(b, 'group_message_type', ['chat', 'thread'] as const);
    const ownerRaw = stringField(b, 'owner_id');
    let newOwner: string | undefined;
    if (ownerRaw) {
      const u = ctx.slice(DirectoryState).findUser(ownerRaw, idType);
      if (!u) throw chatError(232035, 'Your request specifies an owner_id which is invalid.');
      if (!chat.members.includes(u.open_id)) throw chatError(232012, 'New chat owner can NOT be out of the chat.');
      newOwner = u.open_id;
    }
    const finalName = name ?? chat.name;
    if ((chatType ?? chat.chat_type) === 'public') {
      checkPublicName(finalName);
      const taken = [...ctx.slice(ImState).chats.values()].some(
        (c) => c !== chat && c.chat_type === 'public' && c.status === 'normal' && c.name === finalName,
      );
      if (taken) throw chatError(232026, 'This name is already used in an existing public chat. Names of public chats are supposed to be different.');
    }

    const before = snapshot(ctx, chat);
    if (name !== undefined) chat.name = name;
    if (description !== undefined) chat.description = description;
    if (avatar !== undefined) chat.avatar = avatar;
    if (chatType) chat.chat_type = chatType;
    if (groupMessageType) chat.group_message_type = groupMessageType;
    if (newOwner) {
      chat.owner_id = newOwner;
      chat.owner_id_type = 'open_id';
    }
    const merged = { ...chat.settings, ...patch };
    if (patch.restricted_mode_setting) {
      merged.restricted_mode_setting = { ...((chat.settings.restricted_mode_setting as object | undefined) ?? {}), ...(patch.restricted_mode_setting as object) };
    }
    chat.settings = merged;
    const after = snapshot(ctx, chat);

    const changedBefore: Record<string, unknown> = {};
    const changedAfter: Record<string, unknown> = {};
    for (const k of Object.keys(after)) {
      if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
        changedBefore[k] = before[k];
        changedAfter[k] = after[k];
      }
    }
    if (Object.keys(changedAfter).length > 0) chatEvents.updated(ctx, chat, operatorOf(actor), changedBefore, changedAfter);
    return ok(reply, {});
  });

  app.delete('/open-apis/im/v1/chats/:chat_id', async (request, reply) => {
    const actor = actorOf(request);
    const chat = findChat(ctx, (request.params as { chat_id: string }).chat_id);
    if (chat.chat_mode === 'p2p') throw chatErrors.unsupportedType();
    if (chat.status === 'dissolved') throw chatErrors.dissolved();
    if (!isMember(chat, actor)) throw chatErrors.notInChat();
    // The owner, or the bot that created the chat (im:chat:operate_as_owner, granted to every emulated app).
    const mayDisband = isOwner(chat, actor) || (actor.kind === 'bot' && chat.creator === actor.appId);
    if (!mayDisband) {
      throw chatError(232017, 'No Permission: If the operator is NOT owner or creator with the scope, the operator can NOT complete the request.');
    }
    chat.status = 'dissolved';
    chatEvents.disbanded(ctx, chat, operatorOf(actor));
    return ok(reply, {});
  });
}
