import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { caller } from '../context.js';
import { ok, page, pageParams } from '../http.js';
import { newId } from '../ids.js';
import { AuthState, requireTenant } from '../auth/index.js';
import type { ChatRecord, UserRecord } from '../types.js';
import { DirectoryState } from '../directory/index.js';
import { actorOf, chatError, chatErrors, findChat, isMember, queryFlag, userIdTypeParam } from './chat-access.js';
import { chatEvents } from './chat-events.js';
import { checkPublicName, enumField, settingsPatch, stringField, stringList } from './chat-input.js';
import { chatListItem, chatView, publicChatPreview } from './chat-view.js';
import { checkAvatar } from './chat-update.js';
import { ImState } from './state.js';

/** Same `uuid` (+ owner) creates at most one chat in this window. */
const CHAT_UUID_WINDOW_MS = 10 * 60 * 60 * 1000;
/** The platform's cap on bots in one chat. */
export const MAX_BOTS_PER_CHAT = 15;

type Query = Record<string, string | undefined>;
const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

/** Chats: create, list, search, get (update and disband live in chat-update.ts). */
export function registerChatCrudRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/open-apis/im/v1/chats', async (request, reply) => {
    requireTenant(request);
    const appId = caller(request).appId;
    const q = request.query as Query;
    const idType = userIdTypeParam(q.user_id_type);
    const b = body(request);
    if (q.uuid !== undefined && q.uuid.length > 50) throw chatErrors.invalidParam('uuid', 'uuid may have at most 50 characters');
    const ownerRaw = stringField(b, 'owner_id');
    const uuidKey = q.uuid ? `${appId}:${q.uuid}:${ownerRaw ?? ''}` : undefined;
    if (uuidKey) {
      const seen = ctx.slice(ImState).chatUuids.get(uuidKey);
      const chat = seen && ctx.slice(ImState).chats.get(seen.chatId);
      if (seen && chat && ctx.clock.now() - seen.at < CHAT_UUID_WINDOW_MS) return ok(reply, chatView(ctx, chat, idType, 'create'));
    }

    const chatType = enumField(b, 'chat_type', ['private', 'public'] as const) ?? 'private';
    enumField(b, 'chat_mode', ['group'] as const);
    const groupMessageType = enumField(b, 'group_message_type', ['chat', 'thread'] as const) ?? 'chat';
    let name = stringField(b, 'name') ?? '';
    if (chatType === 'public') checkPublicName(name);
    else if (name.trim() === '') name = '(无主题)';
    if (b.external === true) throw chatError(232033, 'The operator or invited bots does NOT have the authority to manage external chats without the scope.');

    const resolveUser = (id: string): UserRecord => {
      const u = ctx.slice(DirectoryState).findUser(id, idType);
      if (!u) throw chatError(232043, 'Your request contains unavailable ids.', { fieldViolations: [{ field: 'user_id_list', value: id, description: 'unavailable id' }] });
      if (u.resigned) throw chatError(232022, 'User has already resigned.');
      return u;
    };
    let owner: UserRecord | undefined;
    if (ownerRaw) {
      owner = ctx.slice(DirectoryState).findUser(ownerRaw, idType);
      if (!owner) throw chatError(232030, 'Your request specifies a user_id which is invalid.');
      if (owner.resigned) throw chatError(232022, 'User has already resigned.');
    }
    const users = stringList(b, 'user_id_list', 50).map(resolveUser);
    const extraBots = stringList(b, 'bot_id_list', 5).filter((id) => id !== appId);
    for (const id of extraBots) if (!ctx.slice(AuthState).apps.has(id)) throw chatError(232021, 'Bot can NOT be found.');

    const avatar = stringField(b, 'avatar');
    checkAvatar(ctx, avatar, 232001);
    const patch = settingsPatch(b, 'create');
    if (owner && queryFlag(q.set_bot_manager)) patch.bot_managers = [appId];
    const now = ctx.clock.now();
    const chat: ChatRecord = {
      chat_id: newId.chat(),
      name,
      description: stringField(b, 'description') ?? '',
      avatar: avatar ?? '',
      owner_id: owner ? owner.open_id : appId,
      owner_id_type: owner ? 'open_id' : 'app',
      chat_mode: 'group',
      chat_type: chatType,
      group_message_type: groupMessageType,
      external: false,
      tenant_key: ctx.slice(DirectoryState).tenantKey,
      members: [...new Set([...(owner ? [owner.open_id] : []), ...users.map((u) => u.open_id)])],
      bots: [appId, ...extraBots],
      status: 'normal',
      create_time: now,
      active_time: now,
      creator: appId,
      ...(q.uuid ? { create_uuid: q.uuid } : {}),
      settings: patch,
    };
    ctx.slice(ImState).chats.set(chat.chat_id, chat);
    if (uuidKey) ctx.slice(ImState).chatUuids.set(uuidKey, { chatId: chat.chat_id, at: now });
    for (const bot of chat.bots) chatEvents.botAdded(ctx, chat, bot, { appId });
    return ok(reply, chatView(ctx, chat, idType, 'create'));
  });

  app.get('/open-apis/im/v1/chats', async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Query;
    const idType = userIdTypeParam(q.user_id_type);
    const sort = q.sort_type ?? 'ByCreateTimeAsc';
    if (sort !== 'ByCreateTimeAsc' && sort !== 'ByActiveTimeDesc') throw chatErrors.invalidParam('sort_type', 'sort_type must be ByCreateTimeAsc or ByActiveTimeDesc');
    const { size, offset } = pageParams(q, { size: 20, max: 100 }, 232001);
    const chats = [...ctx.slice(ImState).chats.values()].filter((c) => c.chat_mode !== 'p2p' && isMember(c, actor));
    if (sort === 'ByActiveTimeDesc') chats.sort((a, b) => b.active_time - a.active_time || b.create_time - a.create_time);
    else chats.sort((a, b) => a.create_time - b.create_time);
    return ok(reply, page(chats.map((c) => chatListItem(ctx, c, idType)), offset, size));
  });

  app.get('/open-apis/im/v1/chats/search', async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Query;
    const idType = userIdTypeParam(q.user_id_type);
    const { size, offset } = pageParams(q, { size: 20, max: 100 }, 232001);
    const needle = (q.query ?? '').trim().toLowerCase();
    const matches = (c: ChatRecord) =>
      needle === '' || [c.name, ...Object.values((c.settings.i18n_names as Record<string, string> | undefined) ?? {})].some((n) => n.toLowerCase().includes(needle));
    // Visible: chats the caller is in, and public chats of the tenant.
    const chats = [...ctx.slice(ImState).chats.values()]
      .filter((c) => c.chat_mode !== 'p2p' && c.status === 'normal' && (isMember(c, actor) || c.chat_type === 'public') && matches(c))
      .sort((a, b) => a.create_time - b.create_time);
    return ok(reply, page(chats.map((c) => chatListItem(ctx, c, idType)), offset, size));
  });

  app.get('/open-apis/im/v1/chats/:chat_id', async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Query;
    const idType = userIdTypeParam(q.user_id_type);
    const chat = findChat(ctx, (request.params as { chat_id: string }).chat_id);
    if (!isMember(chat, actor)) {
      if (chat.chat_type === 'public' && chat.status === 'normal') return ok(reply, publicChatPreview(ctx, chat));
      throw chatErrors.notInChat();
    }
    return ok(reply, chatView(ctx, chat, idType, 'get'));
  });
}
