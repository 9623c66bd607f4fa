import { createHash } from 'node:crypto';
import { requestOptions, type Platform } from '../platform/index.js';

/** A card as JSON (schema 1.0 or 2.0) or a Feishu template reference. */
export type CardInput = Record<string, unknown>;

/** Answers to a received message. Every send carries a uuid derived from the event, so a retried handler never doubles a message. */
export interface Reply {
  /** Replies with text (`<at user_id="ou_…">Name</at>` mentions allowed). */
  text(text: string, options?: { inThread?: boolean }): Promise<string>;
  /** Replies with an interactive card. */
  card(card: CardInput, options?: { inThread?: boolean }): Promise<string>;
  /** Replies with any message type and its content object. */
  raw(msgType: string, content: Record<string, unknown>, options?: { inThread?: boolean }): Promise<string>;
}

/** Feishu dedups sends by `uuid` (≤ 50 chars) for 1 h: one per event, purpose and position. */
export function deriveUuid(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 40);
}

/**
 * Replies in the thread of a message. The n-th reply of one event always gets the same uuid,
 * so a listener that is re-run after a crash or failure sends nothing twice.
 */
export function replyTo(platform: Platform, messageId: string, eventId: string, tenantKey?: string): Reply {
  let n = 0;
  const raw: Reply['raw'] = async (msgType, content, options = {}) => {
    const uuid = deriveUuid(eventId, 'reply', String(n++));
    const res = await platform.sdk.im.v1.message.reply(
      { path: { message_id: messageId }, data: { msg_type: msgType, content: JSON.stringify(content), reply_in_thread: options.inThread ?? false, uuid } },
      tenantKey ? requestOptions({ tenantKey }) : undefined,
    );
    return res.data?.message_id ?? '';
  };
  return {
    raw,
    text: (text, options) => raw('text', { text }, options),
    card: (card, options) => raw('interactive', card, options),
  };
}

/** Sends to a chat (not as a reply), with the same derived-uuid guarantee. */
export function sayIn(platform: Platform, chatId: string, eventId: string, purpose: string): Reply {
  let n = 0;
  const raw: Reply['raw'] = async (msgType, content) => {
    const uuid = deriveUuid(eventId, purpose, String(n++));
    const res = await platform.sdk.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: chatId, msg_type: msgType, content: JSON.stringify(content), uuid },
    });
    return res.data?.message_id ?? '';
  };
  return { raw, text: (text) => raw('text', { text }), card: (card) => raw('interactive', card) };
}
