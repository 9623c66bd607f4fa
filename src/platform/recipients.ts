import { CARD_PATCH_LIMIT, RECIPIENT_LIMIT } from './tiers.js';
import type { Limit } from './limiter.js';

const MESSAGES = '/open-apis/im/v1/messages';
const MAX_ENTRIES = 20_000;

/** A small insertion-ordered map that forgets its oldest entries. */
class BoundedMap<K, V> extends Map<K, V> {
  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    if (this.size > MAX_ENTRIES) this.delete(this.keys().next().value as K);
    return this;
  }
}

export interface RecipientLimit {
  key: string;
  limit: Limit;
}

/**
 * Knows who a message request goes to, for the per-chat / per-user limits (5/s): from
 * `receive_id` for sends, and for replies from the chat of messages seen in earlier answers.
 * Every send to a user is mapped to its p2p chat once an answer told us which one it is, so the
 * same person reached by open_id and by email shares one limit.
 */
export class RecipientRegistry {
  private readonly messageChat = new BoundedMap<string, string>();
  private readonly receiverChat = new BoundedMap<string, string>();

  /** The recipient limits that apply to a request (none for most APIs). */
  limitsFor(method: string, path: string, params: Record<string, unknown>, data: unknown): RecipientLimit[] {
    const body = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    if (method === 'POST' && path === MESSAGES) {
      const type = String(params.receive_id_type ?? '');
      const id = typeof body.receive_id === 'string' ? body.receive_id : undefined;
      if (!id) return [];
      const chat = type === 'chat_id' ? id : this.receiverChat.get(`${type}:${id}`);
      return [{ key: chat ? `chat:${chat}` : `user:${type}:${id}`, limit: RECIPIENT_LIMIT }];
    }
    const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
    if (method === 'POST' && reply) {
      const chat = this.messageChat.get(decodeURIComponent(reply[1]));
      return chat ? [{ key: `chat:${chat}`, limit: RECIPIENT_LIMIT }] : [];
    }
    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
    if (method === 'PATCH' && patch) return [{ key: `message:${decodeURIComponent(patch[1])}`, limit: CARD_PATCH_LIMIT }];
    return [];
  }

  /** Learns message → chat (and receiver → p2p chat) from a successful answer. */
  learn(method: string, path: string, params: Record<string, unknown>, data: unknown, response: unknown): void {
    if (!path.startsWith(MESSAGES)) return;
    const d = (response as { data?: unknown })?.data as Record<string, unknown> | undefined;
    if (!d || typeof d !== 'object') return;
    const items = Array.isArray(d.items) ? (d.items as Record<string, unknown>[]) : [d];
    for (const m of items) {
      if (typeof m?.message_id === 'string' && typeof m.chat_id === 'string') this.messageChat.set(m.message_id, m.chat_id);
    }
    if (method === 'POST' && path === MESSAGES && typeof d.chat_id === 'string') {
      const body = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
      const type = String(params.receive_id_type ?? '');
      if (type !== 'chat_id' && typeof body.receive_id === 'string') this.receiverChat.set(`${type}:${body.receive_id}`, d.chat_id);
    }
  }

  /** Remembers that a message lives in a chat (e.g. from an event), so replies to it are limited per chat. */
  remember(messageId: string, chatId: string): void {
    this.messageChat.set(messageId, chatId);
  }
}
