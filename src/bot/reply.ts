import type { Card1, Card2 } from '../cards/index.js';
import { card as cardContent, text as textContent, type MessageContent } from './content.js';
import { uuidFrom, type Messenger } from './messenger.js';

/** A card as JSON (schema 1.0 or 2.0, e.g. from the card builders) or a Feishu template reference. */
export type CardInput = Card1 | Card2 | Record<string, unknown>;

export interface ReplyOptions {
  inThread?: boolean;
  /** Cards are validated before sending; false skips that. */
  validate?: boolean;
}

/** Answers to a received message. Every send carries a uuid derived from the event, so a retried handler never doubles a message. */
export interface Reply {
  /** Text (`<at user_id="ou_…">Name</at>` mentions allowed). Answers the new message id. */
  text(text: string, options?: ReplyOptions): Promise<string>;
  /** An interactive card, validated first (a rejected card throws CardValidationError and is not sent). */
  card(card: CardInput, options?: ReplyOptions): Promise<string>;
  /** Any message type with its content object. */
  raw(msgType: string, content: Record<string, unknown>, options?: ReplyOptions): Promise<string>;
}

function replier(send: (content: MessageContent, uuid: string, options: ReplyOptions) => Promise<{ message_id: string }>, eventId: string, purpose: string): Reply {
  let n = 0;
  // The n-th send of one event always gets the same uuid, so a re-run listener sends nothing twice.
  const go = async (content: MessageContent, options: ReplyOptions = {}) => (await send(content, uuidFrom(eventId, purpose, String(n++)), options)).message_id;
  return {
    raw: (msgType, content, options) => go({ msgType: msgType as MessageContent['msgType'], content }, options),
    text: (t, options) => go(textContent(t), options),
    card: (c, options) => go(cardContent(c as Record<string, unknown>), options),
  };
}

/** Replies to a message (in its thread with `inThread`). */
export function replyTo(messenger: Messenger, messageId: string, eventId: string): Reply {
  return replier((content, uuid, o) => messenger.reply(messageId, content, { uuid, inThread: o.inThread, validate: o.validate }), eventId, 'reply');
}

/** Sends to a chat (not as a reply). */
export function sayIn(messenger: Messenger, chatId: string, eventId: string, purpose: string): Reply {
  return replier((content, uuid, o) => messenger.send(chatId, content, { uuid, validate: o.validate }), eventId, purpose);
}
