import { randomUUID } from 'node:crypto';
import { paginate, requestOptions, type Platform } from '../platform/index.js';

/** A chat as list/search return it. */
export interface ChatSummary {
  chat_id: string;
  name?: string;
  description?: string;
  avatar?: string;
  owner_id?: string;
  owner_id_type?: string;
  external?: boolean;
  tenant_key?: string;
  chat_status?: string;
}

export interface ChatMember {
  member_id: string;
  member_id_type: string;
  name?: string;
  tenant_key?: string;
}

export type MemberIdType = 'open_id' | 'user_id' | 'union_id' | 'app_id';

export interface CreateChatOptions {
  name?: string;
  description?: string;
  /** Members to add (open_ids unless userIdType says otherwise), at most 50. */
  users?: string[];
  /** Other bots (app ids), at most 5. */
  bots?: string[];
  /** The owner (default: the bot). */
  owner?: string;
  userIdType?: 'open_id' | 'user_id' | 'union_id';
  chatType?: 'private' | 'public';
  /** Deduplication key: the same uuid creates one chat per 10 h. Default: a random one per call. */
  uuid?: string;
  /** Anything else the create API takes (group_message_type, avatar, settings…). */
  extra?: Record<string, unknown>;
}

/**
 * Chats and members: list, search, create, update, disband, add/remove/list members.
 *
 * @example
 * const { chat_id } = await messenger.chats.create({ name: 'incident 42', users: ['ou_…'] });
 */
export class Chats {
  constructor(private readonly platform: Platform, private readonly options: { tenantKey?: string } = {}) {}

  private opts(idempotent = false) {
    return requestOptions({ tenantKey: this.options.tenantKey, idempotent });
  }

  /** Every chat the bot is in (p2p chats excluded). @example for await (const c of messenger.chats.list()) … */
  async *list(o: { sort?: 'created' | 'active' } = {}): AsyncGenerator<ChatSummary> {
    const sort_type = o.sort === 'active' ? 'ByActiveTimeDesc' : 'ByCreateTimeAsc';
    yield* paginate<ChatSummary>((page_token) => this.platform.sdk.im.v1.chat.list({ params: { sort_type, page_size: 100, page_token } }, this.opts()) as never);
  }

  /** Chats whose name or members match. @example for await (const c of messenger.chats.search('oncall')) … */
  async *search(query: string): AsyncGenerator<ChatSummary> {
    yield* paginate<ChatSummary>((page_token) => this.platform.sdk.im.v1.chat.search({ params: { query, page_size: 100, page_token } }, this.opts()) as never);
  }

  /** One chat's details. @example (await messenger.chats.get('oc_…')).name */
  async get(chatId: string): Promise<Record<string, unknown>> {
    const res = await this.platform.sdk.im.v1.chat.get({ path: { chat_id: chatId } }, this.opts());
    return (res.data ?? {}) as Record<string, unknown>;
  }

  /** Creates a group with the bot in it. @example await messenger.chats.create({ name: 'war room', users }) */
  async create(o: CreateChatOptions = {}): Promise<{ chat_id: string } & Record<string, unknown>> {
    const data: Record<string, unknown> = { ...o.extra };
    if (o.name !== undefined) data.name = o.name;
    if (o.description !== undefined) data.description = o.description;
    if (o.users) data.user_id_list = o.users;
    if (o.bots) data.bot_id_list = o.bots;
    if (o.owner) data.owner_id = o.owner;
    if (o.chatType) data.chat_type = o.chatType;
    const res = await this.platform.sdk.im.v1.chat.create(
      { params: { user_id_type: o.userIdType ?? 'open_id', uuid: o.uuid ?? randomUUID() }, data: data as never },
      this.opts(),
    );
    return res.data as { chat_id: string } & Record<string, unknown>;
  }

  /** Changes name, description, owner or settings. @example await messenger.chats.update('oc_…', { name: 'resolved' }) */
  async update(chatId: string, patch: Record<string, unknown>, o: { userIdType?: 'open_id' | 'user_id' | 'union_id' } = {}): Promise<void> {
    // Setting the same values twice is harmless, so an update may be retried.
    await this.platform.sdk.im.v1.chat.update({ path: { chat_id: chatId }, params: { user_id_type: o.userIdType ?? 'open_id' }, data: patch as never }, this.opts(true));
  }

  /** Disbands a group the bot owns. @example await messenger.chats.disband('oc_…') */
  async disband(chatId: string): Promise<void> {
    await this.platform.sdk.im.v1.chat.delete({ path: { chat_id: chatId } }, this.opts());
  }

  /** Adds members; answers the ids that could not be added. @example await messenger.chats.addMembers('oc_…', ['ou_…']) */
  async addMembers(chatId: string, ids: string[], o: { idType?: MemberIdType } = {}): Promise<{ invalid: string[]; notExisting: string[]; pendingApproval: string[] }> {
    const res = await this.platform.sdk.im.v1.chatMembers.create(
      { path: { chat_id: chatId }, params: { member_id_type: o.idType ?? 'open_id', succeed_type: 1 }, data: { id_list: ids } },
      this.opts(true),
    );
    const d = (res.data ?? {}) as Record<string, string[] | undefined>;
    return { invalid: d.invalid_id_list ?? [], notExisting: d.not_existed_id_list ?? [], pendingApproval: d.pending_approval_id_list ?? [] };
  }

  /** Removes members; answers the ids that were not removed. @example await messenger.chats.removeMembers('oc_…', ['ou_…']) */
  async removeMembers(chatId: string, ids: string[], o: { idType?: MemberIdType } = {}): Promise<{ invalid: string[] }> {
    const res = await this.platform.sdk.im.v1.chatMembers.delete(
      { path: { chat_id: chatId }, params: { member_id_type: o.idType ?? 'open_id' }, data: { id_list: ids } },
      this.opts(true),
    );
    return { invalid: ((res.data ?? {}) as { invalid_id_list?: string[] }).invalid_id_list ?? [] };
  }

  /** The human members (bots are not listed). @example for await (const m of messenger.chats.members('oc_…')) … */
  async *members(chatId: string, o: { idType?: Exclude<MemberIdType, 'app_id'> } = {}): AsyncGenerator<ChatMember> {
    yield* paginate<ChatMember>((page_token) =>
      this.platform.sdk.im.v1.chatMembers.get({ path: { chat_id: chatId }, params: { member_id_type: o.idType ?? 'open_id', page_size: 100, page_token } }, this.opts()) as never,
    );
  }
}
