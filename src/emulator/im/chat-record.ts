import type { ChatRecord } from '../types.js';

export type NewChat = Pick<ChatRecord, 'chat_id' | 'name' | 'tenant_key' | 'members' | 'bots' | 'creator'> & Partial<ChatRecord>;

/** A chat record with the platform's defaults (a private group, no owner), for every place that makes one. */
export function chatRecord(c: NewChat, now: number): ChatRecord {
  return {
    description: '',
    avatar: '',
    owner_id: '',
    owner_id_type: 'open_id',
    chat_mode: 'group',
    chat_type: 'private',
    group_message_type: 'chat',
    external: false,
    status: 'normal',
    create_time: now,
    active_time: now,
    settings: {},
    ...c,
  };
}
