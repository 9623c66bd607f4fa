import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ok, page, pageParams } from '../http.js';
import type { ChatRecord, UserRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import {
  type Actor,
  actorOf,
  chatError,
  chatErrors,
  findChat,
  isManager,
  isMember,
  requireLiveMembership,
  userIdTypeParam,
} from './chat-access.js';
import { addBots, addUsers, removeBots, removeUsers } from './chat-membership.js';
import { chatSettings } from './chat-view.js';
import { MAX_BOTS_PER_CHAT } from './chats.js';
import { operatorOf } from './chat-update.js';

const MAX_USERS_PER_CALL = 50;
const MAX_BOTS_PER_CALL = 5;
const MAX_CHAT_MEMBERS = 5000;

type Query = Record<string, string | undefined>;
const chatIdOf = (request: FastifyRequest) => (request.params as { chat_id: string }).chat_id;

function idList(request: FastifyRequest): string[] {
  const v = ((request.body ?? {}) as Record<string, unknown>).id_list;
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) throw chatErrors.noValidMembers();
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw chatErrors.invalidParam('id_list', 'id_list must be an array of strings');
  return [...new Set(v as string[])];
}

/** The gateway's answer when ids of a user id type do not exist (succeed_type 0). */
function notExistedError(idType: string, ids: string[]): ApiError {
  if (idType === 'open_id') return new ApiError(400, 99992351, `these open ids not existed: [${ids.join(' ')}]`);
  if (idType === 'user_id') return new ApiError(400, 99992360, 'Your request contains not existed id.');
  if (idType === 'union_id') return new ApiError(400, 99992364, 'Your request contains not existed id.');
  return chatErrors.unavailableIds(ids);
}

/** Chat members: add, remove, list, is_in_chat, me_join. */
export function registerMemberRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/open-apis/im/v1/chats/:chat_id/members', async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Query;
    const idType = userIdTypeParam(q.member_id_type, 'member_id_type', ['app_id']) as string;
    const succeedType = q.succeed_type === undefined || q.succeed_type === '' ? 0 : Number(q.succeed_type);
    if (![0, 1, 2].includes(succeedType)) throw chatErrors.invalidParam('succeed_type', 'succeed_type must be 0, 1 or 2');
    const chat = requireLiveMembership(ctx, chatIdOf(request), actor);
    if (chat.chat_mode === 'p2p') throw chatError(232090, 'Unsupported chat type.');
    const manager = isManager(chat, actor);
    const s = chatSettings(chat);
    if (s.add_member_permission === 'only_owner' && !manager) {
      throw chatError(232017, 'No Permission: If the operator is NOT owner or creator with the scope, the operator can NOT complete the request.');
    }
    const ids = idList(request);
    const invalid: string[] = [];
    const notExisted: string[] = [];
    const validUsers: UserRecord[] = [];
    const validBots: string[] = [];
    if (idType === 'app_id') {
      if (ids.length > MAX_BOTS_PER_CALL) throw chatErrors.invalidParam('id_list', `at most ${MAX_BOTS_PER_CALL} bots per call`);
      for (const id of ids) (ctx.slice(AuthState).apps.has(id) ? validBots : notExisted).push(id);
    } else {
      if (ids.length > MAX_USERS_PER_CALL) throw chatErrors.invalidParam('id_list', `at most ${MAX_USERS_PER_CALL} users per call`);
      for (const id of ids) {
        const u = ctx.slice(DirectoryState).findUser(id, idType as 'open_id');
        if (!u) notExisted.push(id);
        else if (u.resigned) invalid.push(id);
        else validUsers.push(u);
      }
    }
    if (succeedType === 0 && notExisted.length > 0) throw notExistedError(idType, notExisted);
    if (succeedType === 2 && notExisted.length + invalid.length > 0) throw chatErrors.unavailableIds([...notExisted, ...invalid]);
    if (validUsers.length + validBots.length === 0) throw chatErrors.noValidMembers();
    if (new Set([...chat.bots, ...validBots]).size > MAX_BOTS_PER_CHAT || new Set([...chat.members, ...validUsers.map((u) => u.open_id)]).size > MAX_CHAT_MEMBERS) {
      throw chatError(232013, 'You have reached the limit of maximum number of members a chat can have.');
    }

    const pending: string[] = [];
    const op = operatorOf(actor);
    if (s.membership_approval === 'approval_required' && !manager) {
      // Joining needs the owner's approval: nobody is added yet.
      pending.push(...ids.filter((id) => !notExisted.includes(id) && !invalid.includes(id)));
    } else {
      // Bots that join now learn of the chat through bot.added, not user.added.
      const botsBefore = [...chat.bots];
      addBots(ctx, chat, validBots, op);
      addUsers(ctx, chat, validUsers, op, botsBefore);
    }
    return ok(reply, { invalid_id_list: invalid, not_existed_id_list: notExisted, pending_approval_id_list: pending });
  });

  app.delete('/open-apis/im/v1/chats/:chat_id/members', async (request, reply) => {
    const actor = actorOf(request);
    const idType = userIdTypeParam((request.query as Query).member_id_type, 'member_id_type', ['app_id']) as string;
    const chat = requireLiveMembership(ctx, chatIdOf(request), actor);
    const ids = idList(request);
    const manager = isManager(chat, actor);
    const invalid: string[] = [];
    const users: UserRecord[] = [];
    const bots: string[] = [];
    if (idType === 'app_id') {
      if (ids.length > MAX_BOTS_PER_CALL) throw chatErrors.invalidParam('id_list', `at most ${MAX_BOTS_PER_CALL} bots per call`);
      for (const id of ids) (chat.bots.includes(id) ? bots : invalid).push(id);
    } else {
      if (ids.length > MAX_USERS_PER_CALL) throw chatErrors.invalidParam('id_list', `at most ${MAX_USERS_PER_CALL} users per call`);
      for (const id of ids) {
        const u = ctx.slice(DirectoryState).findUser(id, idType as 'open_id');
        if (u && chat.members.includes(u.open_id)) users.push(u);
        else invalid.push(id);
      }
    }
    const isSelf = (target: { bot?: string; user?: string }) =>
      actor.kind === 'bot' ? target.bot === actor.appId : target.user === actor.openId;
    const kicksOthers = bots.some((b) => !isSelf({ bot: b })) || users.some((u) => !isSelf({ user: u.open_id }));
    if (kicksOthers && !manager) {
      throw chatError(232014, 'The token used in the request does NOT have the permissions necessary to complete the request.');
    }
    const ownerTargeted =
      (chat.owner_id_type === 'app' && bots.includes(chat.owner_id)) || (chat.owner_id_type === 'open_id' && users.some((u) => u.open_id === chat.owner_id));
    if (ownerTargeted) throw chatError(232076, "Can't kick chat owner.");
    if (users.length + bots.length === 0) throw chatErrors.noValidMembers();
    const op = operatorOf(actor);
    removeBots(ctx, chat, bots, op);
    removeUsers(ctx, chat, users, op);
    return ok(reply, { invalid_id_list: invalid });
  });

  app.get('/open-apis/im/v1/chats/:chat_id/members', async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Query;
    const idType = userIdTypeParam(q.member_id_type, 'member_id_type');
    const { size, offset } = pageParams(q, { size: 20, max: 100 }, 232001);
    const chat = requireLiveMembership(ctx, chatIdOf(request), actor);
    // Bots are never listed, so a page may be shorter than page_size.
    const items = chat.members.flatMap((openId) => {
      const u = ctx.slice(DirectoryState).findUser(openId, 'open_id');
      return u ? [{ member_id_type: idType, member_id: ctx.slice(DirectoryState).userIdOf(u, idType), name: u.name, tenant_key: u.tenant_key }] : [];
    });
    return ok(reply, { ...page(items, offset, size), member_total: items.length });
  });

  app.get('/open-apis/im/v1/chats/:chat_id/members/is_in_chat', async (request, reply) => {
    const chat = findChat(ctx, chatIdOf(request));
    return ok(reply, { is_in_chat: chat.status === 'normal' && isMember(chat, actorOf(request)) });
  });

  app.patch('/open-apis/im/v1/chats/:chat_id/members/me_join', async (request, reply) => {
    const actor = actorOf(request);
    const chat = findChat(ctx, chatIdOf(request));
    if (chat.status === 'dissolved') throw chatErrors.dissolved();
    if (chat.chat_mode === 'p2p' || chat.chat_type !== 'public') throw chatErrors.unsupportedType();
    if (isMember(chat, actor)) return ok(reply, {});
    if (chatSettings(chat).membership_approval === 'approval_required') {
      throw chatError(232075, 'The public group needs to apply to join, and users or bots are not allowed to actively join the group.');
    }
    joinAs(ctx, chat, actor);
    return ok(reply, {});
  });
}

function joinAs(ctx: EmulatorContext, chat: ChatRecord, actor: Actor): void {
  const op = operatorOf(actor);
  if (actor.kind === 'bot') {
    if (chat.bots.length >= MAX_BOTS_PER_CHAT) throw chatError(232013, 'You have reached the limit of maximum number of members a chat can have.');
    addBots(ctx, chat, [actor.appId], op);
    return;
  }
  const u = ctx.slice(DirectoryState).findUser(actor.openId, 'open_id');
  if (u) addUsers(ctx, chat, [u], op);
}
