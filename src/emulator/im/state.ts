import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import { refill, type Slice } from '../product.js';
import type { ChatRecord, MessageRecord, UploadRecord, UserRecord } from '../types.js';
import { chatRecord } from './chat-record.js';
import { seedChats } from './seed.js';

type Dedup<K extends string> = { [P in K]: string } & { at: number };

export interface ImSnapshot {
  chats: ChatRecord[];
  messages: MessageRecord[];
  /** `data` as base64. */
  uploads: (Omit<UploadRecord, 'data'> & { data: string })[];
  message_uuids: [key: string, seen: Dedup<'messageId'>][];
  chat_uuids: [key: string, seen: Dedup<'chatId'>][];
}

/** Chats, their messages, uploaded images and files, and the uuid dedup windows of send and create. */
export class ImState implements Slice<ImSnapshot> {
  // Maps are refilled in place, never replaced, so references held elsewhere stay live.
  readonly chats = new Map<string, ChatRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly uploads = new Map<string, UploadRecord>();
  /** Send/reply `uuid` dedup: `${appId}:${uuid}` → message id and when it was first used. */
  readonly messageUuids = new Map<string, Dedup<'messageId'>>();
  /** Chat create `uuid` dedup (10 h). */
  readonly chatUuids = new Map<string, Dedup<'chatId'>>();

  constructor(private readonly ctx: EmulatorContext) {
    this.reset();
  }

  /** Empty but for the demo group (seeded from the directory, so directory comes first in the list). */
  reset(): void {
    for (const m of [this.chats, this.messages, this.uploads, this.messageUuids, this.chatUuids]) m.clear();
    const users = this.ctx.slice(DirectoryState).users;
    for (const chat of seedChats(this.ctx.options.appId, users, this.ctx.clock.now())) this.chats.set(chat.chat_id, chat);
  }

  snapshot(): ImSnapshot {
    return {
      chats: [...this.chats.values()],
      messages: [...this.messages.values()],
      uploads: [...this.uploads.values()].map((u) => ({ ...u, data: u.data.toString('base64') })),
      message_uuids: [...this.messageUuids],
      chat_uuids: [...this.chatUuids],
    };
  }

  restore(json: ImSnapshot): void {
    refill(this.chats, (json.chats ?? []).map((c) => [c.chat_id, c]));
    refill(this.messages, (json.messages ?? []).map((m) => [m.message_id, m]));
    refill(this.uploads, (json.uploads ?? []).map((u) => [u.key, { ...u, data: Buffer.from(u.data, 'base64') }]));
    refill(this.messageUuids, json.message_uuids ?? []);
    refill(this.chatUuids, json.chat_uuids ?? []);
  }

  inspect(): Record<string, unknown> {
    return {
      chats: [...this.chats.values()],
      messages: [...this.messages.values()],
      uploads: [...this.uploads.values()].map(({ data, ...u }) => ({ ...u, size: data.length })),
    };
  }

  /** The p2p chat between an app's bot and a user, created on first use as Feishu does. */
  p2pChat(appId: string, user: UserRecord): ChatRecord {
    for (const c of this.chats.values()) {
      if (c.chat_mode === 'p2p' && c.bots.includes(appId) && c.members.includes(user.open_id)) return c;
    }
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
      this.ctx.clock.now(),
    );
    this.chats.set(chat.chat_id, chat);
    return chat;
  }
}
