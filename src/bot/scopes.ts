import type { ScopeNeed } from '../capability/index.js';

/** Ids no tenant has: a probe with them changes nothing, and its answer says whether the scope is granted. */
export const PROBE = { chat: 'oc_feishu_hub_doctor_probe', message: 'om_feishu_hub_doctor_probe', user: 'ou_feishu_hub_doctor_probe' } as const;

const text = JSON.stringify({ text: 'feishu-hub doctor probe' });
/** Opens sending (create and reply), narrowest first. */
export const SEND = ['im:message:send_as_bot', 'im:message:send', 'im:message'];
/** Opens updating a sent message or card (PATCH), narrowest first. */
export const UPDATE = ['im:message:send_as_bot', 'im:message:update', 'im:message'];

/** Sending a message (to a chat id, an open_id…). */
export const sendMessage: ScopeNeed<any> = {
  api: 'POST /open-apis/im/v1/messages',
  scopes: SEND,
  why: 'send messages and notifications',
  probe: { url: '/open-apis/im/v1/messages', params: { receive_id_type: 'chat_id' }, data: { receive_id: PROBE.chat, msg_type: 'text', content: text } },
};
/** Updating a card the bot sent. */
export const patchMessage: ScopeNeed<any> = {
  api: 'PATCH /open-apis/im/v1/messages/:message_id',
  scopes: UPDATE,
  why: 'update cards the bot sent',
  probe: { url: `/open-apis/im/v1/messages/${PROBE.message}`, data: { content: '{}' } },
};

/**
 * What the bot itself calls: its own identity at start, replies to commands and messages, and the
 * apology in a private chat when a listener fails. The rest of `hub.messenger` and `hub.chats`
 * (chats, members, history, uploads) runs only when code calls it: a capability that does declares it.
 */
export const botScopes: ScopeNeed<any>[] = [
  { api: 'GET /open-apis/bot/v3/info', scopes: [], why: "learn the bot's own open_id at start" },
  { ...sendMessage, why: 'send messages (a failed command\'s apology in a private chat, `reply.toChat`)' },
  {
    api: 'POST /open-apis/im/v1/messages/:message_id/reply',
    scopes: SEND,
    why: 'reply to commands and messages',
    probe: { url: `/open-apis/im/v1/messages/${PROBE.message}/reply`, data: { msg_type: 'text', content: text } },
  },
];
