import { chatRecord } from './chat-record.js';
import { createHash } from 'node:crypto';
import { DEFAULT_TENANT_KEY, seedChats, seedDepartments, seedUsers } from './directory/seed.js';
import type { ResolvedOptions } from './options.js';
import type {
  ApiCallRecord,
  AppRecord,
  ChatRecord,
  DepartmentRecord,
  MessageRecord,
  UploadRecord,
  UserRecord,
  WebhookBotRecord,
} from './types.js';

export type UserIdType = 'open_id' | 'union_id' | 'user_id' | 'email' | 'mobile';

/** Everything the emulated tenant holds. Route modules read and change it; the control API shows it. */
export class EmulatorState {
  apps = new Map<string, AppRecord>();
  users: UserRecord[] = [];
  departments: DepartmentRecord[] = [];
  chats = new Map<string, ChatRecord>();
  messages = new Map<string, MessageRecord>();
  uploads = new Map<string, UploadRecord>();
  webhookBots = new Map<string, WebhookBotRecord>();
  /** Send/reply `uuid` dedup: `${appId}:${uuid}` → message id and when it was first used. */
  messageUuids = new Map<string, { messageId: string; at: number }>();
  /** Chat create `uuid` dedup (10 h). */
  chatUuids = new Map<string, { chatId: string; at: number }>();
  /** The latest app_ticket of each store app. */
  appTickets = new Map<string, string>();
  calls: ApiCallRecord[] = [];
  private nextCallId = 1;
  /** Calls kept for inspection; older ones are dropped. */
  static readonly MAX_CALLS = 20_000;

  constructor(private readonly options: ResolvedOptions, private readonly now: () => number) {
    this.seed();
  }

  get defaultApp(): AppRecord {
    return this.apps.get(this.options.appId)!;
  }

  get tenantKey(): string {
    return DEFAULT_TENANT_KEY;
  }

  /** Back to the seeded tenant: the apps keep their credentials and URLs. */
  reset(): void {
    const urls = new Map([...this.apps.values()].map((a) => [a.appId, { eventUrl: a.eventUrl, cardUrl: a.cardUrl }]));
    this.chats.clear();
    this.messages.clear();
    this.uploads.clear();
    this.webhookBots.clear();
    this.messageUuids.clear();
    this.chatUuids.clear();
    this.appTickets.clear();
    this.calls = [];
    this.seed();
    for (const [id, u] of urls) {
      const app = this.apps.get(id);
      if (app) Object.assign(app, u);
    }
  }

  recordCall(call: Omit<ApiCallRecord, 'id'>): void {
    this.calls.push({ id: this.nextCallId++, ...call });
    if (this.calls.length > EmulatorState.MAX_CALLS) this.calls.splice(0, this.calls.length - EmulatorState.MAX_CALLS);
  }

  findUser(id: string, type: UserIdType = 'open_id'): UserRecord | undefined {
    switch (type) {
      case 'open_id':
        return this.users.find((u) => u.open_id === id);
      case 'union_id':
        return this.users.find((u) => u.union_id === id);
      case 'user_id':
        return this.users.find((u) => u.user_id === id);
      case 'email':
        return this.users.find((u) => u.email.toLowerCase() === id.toLowerCase());
      case 'mobile':
        return this.users.find((u) => u.mobile === id || u.mobile.replace(/^\+86/, '') === id);
    }
  }

  /** The user's id of the requested type (open_id when the type is unknown). */
  userIdOf(user: UserRecord, type: string | undefined): string {
    if (type === 'union_id') return user.union_id;
    if (type === 'user_id') return user.user_id;
    return user.open_id;
  }

  /** The p2p chat between an app's bot and a user, created on first use as Feishu does. */
  p2pChat(appId: string, user: UserRecord): ChatRecord {
    for (const c of this.chats.values()) {
      if (c.chat_mode === 'p2p' && c.bots.includes(appId) && c.members.includes(user.open_id)) return c;
    }
    const now = this.now();
    const chat = chatRecord(
      {
        chat_id: `oc_${createHash('sha256').update(`p2p:${appId}:${user.open_id}`).digest('hex').slice(0, 32)}`,
        name: user.en_name,
        chat_mode: 'p2p',
        tenant_key: user.tenant_key,
        members: [user.open_id],
        bots: [appId],
        creator: appId,
      },
      now,
    );
    this.chats.set(chat.chat_id, chat);
    return chat;
  }

  private seed(): void {
    const o = this.options;
    const now = this.now();
    const botOpenId = (appId: string) => `ou_${createHash('sha256').update(`bot:${appId}`).digest('hex').slice(0, 32)}`;
    if (!this.apps.has(o.appId)) {
      this.apps.set(o.appId, {
        appId: o.appId,
        appSecret: o.appSecret,
        type: 'self_built',
        encryptKey: o.encryptKey || undefined,
        verificationToken: o.verificationToken || undefined,
        eventUrl: o.eventUrl,
        cardUrl: o.cardUrl,
        botName: o.botName,
        botOpenId: botOpenId(o.appId),
        tenantKeys: [DEFAULT_TENANT_KEY],
      });
      for (const extra of o.extraApps ?? []) {
        this.apps.set(extra.appId, {
          appId: extra.appId,
          appSecret: extra.appSecret,
          type: extra.type ?? 'self_built',
          encryptKey: extra.encryptKey,
          verificationToken: extra.verificationToken,
          eventUrl: extra.eventUrl,
          botName: `${extra.appId} bot`,
          botOpenId: botOpenId(extra.appId),
          tenantKeys: extra.tenantKeys ?? [DEFAULT_TENANT_KEY],
        });
      }
    }
    this.users = seedUsers();
    this.departments = seedDepartments();
    for (const chat of seedChats(o.appId, this.users, now)) this.chats.set(chat.chat_id, chat);
  }
}
