import type { EventContext } from '../capability/index.js';
import type { Messenger } from './messenger.js';
import { parseText, type ReceivedMention } from './command-parser.js';
import { replyTo, sayIn, type Reply } from './reply.js';

export type { EventContext };

declare module '../capability/index.js' {
  interface EventContext<E = Record<string, unknown>> {
    /** Send and manage messages and chats (retries, limits, card validation); per tenant for store apps. */
    messenger: Messenger;
  }
}

export interface Sender {
  openId?: string;
  userId?: string;
  unionId?: string;
}

/** `im.message.receive_v1`, read: what was written, by whom, where, and how to answer. */
export interface MessageContext extends EventContext {
  message: {
    id: string;
    chatId: string;
    chatType: 'p2p' | 'group' | string;
    msgType: string;
    /** Parsed `content` (receive-side format). */
    content: Record<string, unknown>;
    threadId?: string;
    rootId?: string;
    parentId?: string;
  };
  sender: Sender;
  /** Text with mentions resolved to `@Name` (empty for non-text messages). */
  text: string;
  mentionsBot: boolean;
  mentions: { openId?: string; name: string }[];
  /** Replies to this message. */
  reply: Reply;
  /** Sends to this chat (not as a reply). */
  say: Reply;
  /** Set by `hub.message(regex)` listeners. */
  match?: RegExpMatchArray;
  /** The `/command args…` the text starts with, if any. */
  commandLine?: { name: string; args: string[]; rest: string };
}

export interface CommandContext extends MessageContext {
  command: string;
  args: string[];
  /** Everything after the command name, as written. */
  rest: string;
}

interface ReceivedMessage {
  message_id: string;
  chat_id: string;
  chat_type: string;
  message_type: string;
  content: string;
  thread_id?: string;
  root_id?: string;
  parent_id?: string;
  mentions?: ReceivedMention[];
}

/** Extends a base context for `im.message.receive_v1`; undefined if the payload is not a message. */
export function messageContext(base: EventContext, botOpenId: string | undefined): MessageContext | undefined {
  const m = base.event.message as ReceivedMessage | undefined;
  if (!m || typeof m.message_id !== 'string' || typeof m.chat_id !== 'string') return undefined;
  let content: Record<string, unknown> = {};
  try {
    content = JSON.parse(m.content ?? '{}');
  } catch {
    base.logger.warn({ message_id: m.message_id }, 'message content is not JSON; treating it as empty');
  }
  const raw = m.message_type === 'text' && typeof content.text === 'string' ? content.text : '';
  const parsed = parseText(raw, m.mentions ?? [], botOpenId);
  const senderId = ((base.event.sender as { sender_id?: Record<string, string> } | undefined)?.sender_id ?? {}) as Record<string, string>;
  return {
    ...base,
    message: {
      id: m.message_id,
      chatId: m.chat_id,
      chatType: m.chat_type,
      msgType: m.message_type,
      content,
      threadId: m.thread_id || undefined,
      rootId: m.root_id || undefined,
      parentId: m.parent_id || undefined,
    },
    sender: { openId: senderId.open_id, userId: senderId.user_id, unionId: senderId.union_id },
    text: parsed.text,
    mentionsBot: parsed.mentionsBot,
    mentions: parsed.mentions,
    reply: replyTo(base.messenger, m.message_id, base.eventId),
    say: sayIn(base.messenger, m.chat_id, base.eventId, 'say'),
    commandLine: parsed.command,
  };
}
