import type { EmulatorContext } from '../context.js';
import { newId } from '../ids.js';
import type { ChatRecord, MessageRecord } from '../types.js';
import { ImState } from './state.js';

export interface NewMessage {
  chat: ChatRecord;
  sender: MessageRecord['sender'];
  msgType: string;
  /** Send-side content, a JSON string. */
  content: string;
  mentions?: MessageRecord['mentions'];
  /** The message replied to, if any. */
  parent?: MessageRecord;
  replyInThread?: boolean;
}

/**
 * Stores a message in a chat: the single way messages come to exist, whether the
 * app sent them through the API or a user wrote them through the control API.
 */
export function insertMessage(ctx: EmulatorContext, m: NewMessage): MessageRecord {
  const now = ctx.clock.now();
  const msg: MessageRecord = {
    message_id: newId.message(),
    msg_type: m.msgType,
    content: m.content,
    create_time: now,
    update_time: now,
    deleted: false,
    updated: false,
    chat_id: m.chat.chat_id,
    sender: m.sender,
    mentions: m.mentions ?? [],
    edit_count: 0,
  };
  if (m.parent) {
    msg.root_id = m.parent.root_id ?? m.parent.message_id;
    msg.parent_id = m.parent.message_id;
    if (m.parent.thread_id) msg.thread_id = m.parent.thread_id;
    else if (m.replyInThread) {
      m.parent.thread_id = newId.thread();
      msg.thread_id = m.parent.thread_id;
    }
  }
  ctx.slice(ImState).messages.set(msg.message_id, msg);
  m.chat.active_time = now;
  return msg;
}

/** Messages of a chat in creation order. */
export function chatMessages(ctx: EmulatorContext, chatId: string): MessageRecord[] {
  return [...ctx.slice(ImState).messages.values()].filter((m) => m.chat_id === chatId).sort((a, b) => a.create_time - b.create_time);
}
