import type { EmulatorContext } from '../context.js';
import type { ChatRecord } from '../types.js';
import { DirectoryState } from '../directory/index.js';
import type { ChatUserIdType } from './chat-access.js';

/** Settings a chat has unless it was created or updated with others (the platform's defaults). */
export const DEFAULT_CHAT_SETTINGS = {
  add_member_permission: 'all_members',
  share_card_permission: 'allowed',
  at_all_permission: 'all_members',
  edit_permission: 'all_members',
  join_message_visibility: 'all_members',
  leave_message_visibility: 'all_members',
  membership_approval: 'no_approval_required',
  moderation_permission: 'all_members',
  urgent_setting: 'all_members',
  video_conference_setting: 'all_members',
  pin_manage_setting: 'all_members',
  hide_member_count_setting: 'all_members',
  restricted_mode_setting: {
    status: false,
    screenshot_has_permission_setting: 'all_members',
    download_has_permission_setting: 'all_members',
    message_has_permission_setting: 'all_members',
  },
};

/** Allowed values of the enum-like settings, for 232001 on anything else. */
export const SETTING_VALUES: Record<string, readonly string[]> = {
  add_member_permission: ['only_owner', 'all_members'],
  share_card_permission: ['allowed', 'not_allowed'],
  at_all_permission: ['only_owner', 'all_members'],
  edit_permission: ['only_owner', 'all_members'],
  join_message_visibility: ['only_owner', 'all_members', 'not_anyone'],
  leave_message_visibility: ['only_owner', 'all_members', 'not_anyone'],
  membership_approval: ['no_approval_required', 'approval_required'],
  urgent_setting: ['only_owner', 'all_members'],
  video_conference_setting: ['only_owner', 'all_members'],
  pin_manage_setting: ['only_owner', 'all_members'],
  hide_member_count_setting: ['all_members', 'only_owner'],
};

export type ChatSettings = typeof DEFAULT_CHAT_SETTINGS & Record<string, unknown>;

export function chatSettings(chat: ChatRecord): ChatSettings {
  const s = chat.settings as Record<string, unknown>;
  return {
    ...DEFAULT_CHAT_SETTINGS,
    ...s,
    restricted_mode_setting: { ...DEFAULT_CHAT_SETTINGS.restricted_mode_setting, ...((s.restricted_mode_setting as object | undefined) ?? {}) },
  } as ChatSettings;
}

export function i18nNames(chat: ChatRecord): Record<string, string> {
  return { ...((chat.settings.i18n_names as Record<string, string> | undefined) ?? {}) };
}

/** Chat avatars are served by the emulator (an uploaded avatar image, or a drawn default). */
export function chatAvatarUrl(ctx: EmulatorContext, chat: ChatRecord): string {
  return `${ctx.baseUrl()}/__emulator/avatars/${chat.chat_id}`;
}

/** owner_id/owner_id_type as the APIs show them: absent when a bot owns the chat (or for p2p). */
export function ownerFields(ctx: EmulatorContext, chat: ChatRecord, idType: ChatUserIdType): Record<string, string> {
  if (chat.owner_id_type !== 'open_id' || !chat.owner_id || chat.chat_mode === 'p2p') return {};
  const u = ctx.slice(DirectoryState).findUser(chat.owner_id, 'open_id');
  return { owner_id: u ? ctx.slice(DirectoryState).userIdOf(u, idType) : chat.owner_id, owner_id_type: idType };
}

const chatStatus = (chat: ChatRecord) => chat.status;

/** The chat object of create (with chat_id) and get (with counts and managers). */
export function chatView(ctx: EmulatorContext, chat: ChatRecord, idType: ChatUserIdType, kind: 'create' | 'get'): Record<string, unknown> {
  const s = chatSettings(chat);
  const view: Record<string, unknown> = {
    ...(kind === 'create' ? { chat_id: chat.chat_id } : {}),
    avatar: chatAvatarUrl(ctx, chat),
    name: chat.name,
    description: chat.description,
    i18n_names: i18nNames(chat),
    ...ownerFields(ctx, chat, idType),
    add_member_permission: s.add_member_permission,
    share_card_permission: s.share_card_permission,
    at_all_permission: s.at_all_permission,
    edit_permission: s.edit_permission,
    group_message_type: chat.group_message_type,
    chat_mode: chat.chat_mode,
    chat_type: chat.chat_type,
    chat_tag: (s.chat_tag as string | undefined) ?? 'inner',
    external: chat.external,
    tenant_key: chat.tenant_key,
    join_message_visibility: s.join_message_visibility,
    leave_message_visibility: s.leave_message_visibility,
    membership_approval: s.membership_approval,
    moderation_permission: s.moderation_permission,
    labels: (s.labels as string[] | undefined) ?? [],
    toolkit_ids: (s.toolkit_ids as string[] | undefined) ?? [],
    restricted_mode_setting: s.restricted_mode_setting,
    urgent_setting: s.urgent_setting,
    video_conference_setting: s.video_conference_setting,
    pin_manage_setting: s.pin_manage_setting,
    hide_member_count_setting: s.hide_member_count_setting,
  };
  if (kind === 'get') {
    const managers = ((s.user_managers as string[] | undefined) ?? []).map((openId) => {
      const u = ctx.slice(DirectoryState).findUser(openId, 'open_id');
      return u ? ctx.slice(DirectoryState).userIdOf(u, idType) : openId;
    });
    Object.assign(view, {
      user_manager_id_list: managers,
      bot_manager_id_list: (s.bot_managers as string[] | undefined) ?? [],
      user_count: String(chat.members.length),
      bot_count: String(chat.bots.length),
      chat_status: chatStatus(chat),
    });
  }
  return view;
}

/** What a non-member may see of a public chat. */
export function publicChatPreview(ctx: EmulatorContext, chat: ChatRecord): Record<string, unknown> {
  return {
    avatar: chatAvatarUrl(ctx, chat),
    name: chat.name,
    i18n_names: i18nNames(chat),
    user_count: String(chat.members.length),
    bot_count: String(chat.bots.length),
    chat_status: chatStatus(chat),
  };
}

/** One item of chat list/search. */
export function chatListItem(ctx: EmulatorContext, chat: ChatRecord, idType: ChatUserIdType): Record<string, unknown> {
  return {
    chat_id: chat.chat_id,
    avatar: chatAvatarUrl(ctx, chat),
    name: chat.name,
    description: chat.description,
    ...ownerFields(ctx, chat, idType),
    external: chat.external,
    tenant_key: chat.tenant_key,
    labels: (chat.settings.labels as string[] | undefined) ?? [],
    chat_status: chatStatus(chat),
  };
}
