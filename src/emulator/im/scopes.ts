import type { ScopeTable } from '../product.js';

/**
 * The scopes of IM v1 and the bot info API, from each API's "权限要求" (any one suffices) in the
 * platform's docs (服务端 API › 消息, 群组, 机器人). Downloading an image or file by key and the bot's
 * info need none.
 */
export const imScopes: ScopeTable = {
  'POST /open-apis/im/v1/messages': ['im:message', 'im:message:send_as_bot', 'im:message:send'],
  'POST /open-apis/im/v1/messages/:message_id/reply': ['im:message', 'im:message:send_as_bot', 'im:message:send'],
  'PUT /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
  'PATCH /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
  'DELETE /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:recall', 'im:message:send_as_bot'],
  'GET /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:readonly'],
  'GET /open-apis/im/v1/messages': ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
  'GET /open-apis/im/v1/messages/:message_id/resources/:file_key': ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
  'POST /open-apis/im/v1/images': ['im:resource', 'im:resource:upload'],
  'GET /open-apis/im/v1/images/:image_key': [],
  'POST /open-apis/im/v1/files': ['im:resource', 'im:resource:upload'],
  'GET /open-apis/im/v1/files/:file_key': [],
  'POST /open-apis/im/v1/chats': ['im:chat', 'im:chat:create'],
  'GET /open-apis/im/v1/chats': ['im:chat', 'im:chat:readonly', 'im:chat:read', 'im:chat.group_info:readonly'],
  'GET /open-apis/im/v1/chats/search': ['im:chat', 'im:chat:readonly', 'im:chat:read', 'im:chat.group_info:readonly'],
  'GET /open-apis/im/v1/chats/:chat_id': ['im:chat', 'im:chat:read', 'im:chat:readonly'],
  'PUT /open-apis/im/v1/chats/:chat_id': ['im:chat', 'im:chat:update'],
  'DELETE /open-apis/im/v1/chats/:chat_id': ['im:chat', 'im:chat:delete'],
  'POST /open-apis/im/v1/chats/:chat_id/members': ['im:chat', 'im:chat.members:write_only'],
  'DELETE /open-apis/im/v1/chats/:chat_id/members': ['im:chat', 'im:chat.members:write_only'],
  'GET /open-apis/im/v1/chats/:chat_id/members': ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'],
  'GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat': ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'],
  'PATCH /open-apis/im/v1/chats/:chat_id/members/me_join': ['im:chat', 'im:chat.members:write_only'],
  'GET /open-apis/bot/v3/info': [],
};

export const imScopeNames: Record<string, string> = {
  'im:message': 'Read and send messages in private and group chats',
  'im:message:send_as_bot': 'Send messages as the app',
  'im:message:send': 'Send messages (V2)',
  'im:message:update': 'Update messages',
  'im:message:recall': 'Recall messages',
  'im:message:readonly': 'Read messages in private and group chats',
  'im:message.history:readonly': 'Read the history of private and group chats',
  'im:resource': 'Read and upload images and files',
  'im:resource:upload': 'Upload images and files (V2)',
  'im:chat': 'Read and update group information',
  'im:chat:create': 'Create groups',
  'im:chat:readonly': 'Read group information',
  'im:chat:read': 'View group information',
  'im:chat.group_info:readonly': 'Read group information (earlier version)',
  'im:chat:update': 'Update group information',
  'im:chat:delete': 'Disband groups',
  'im:chat.members:write_only': 'Add and remove group members',
  'im:chat.members:read': 'View group members',
};
