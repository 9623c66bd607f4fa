import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { AuthState } from '../auth/index.js';
import type { MessageRecord, UserRecord } from '../types.js';
import { registerAvatarRoute } from './avatars.js';
import { registerBotInfoRoute } from './bot-info.js';
import { registerChatRoutes } from './chat-routes.js';
import { registerEditRoutes } from './message-edit-routes.js';
import { registerReadRoutes } from './message-read-routes.js';
import { registerSendRoutes } from './message-routes.js';
import { registerResourceRoutes } from './resources.js';
import { imScopeNames, imScopes } from './scopes.js';
import { ImState } from './state.js';
import { insertMessage } from './store.js';

export { ImState, type ImSnapshot } from './state.js';
export { chatRecord, type NewChat } from './chat-record.js';
export { chatMessages, insertMessage, type NewMessage } from './store.js';
export { receiveView } from './receive-format.js';
export { validateCard } from './card-validate.js';

/** IM: messages, images/files, chats and members, and the avatars chats and users show. */
export const im = defineProduct({
  name: 'im',
  state: ImState,
  page: { title: 'Messenger', path: '/' },
  scopes: imScopes,
  scopeNames: imScopeNames,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    registerSendRoutes(app, ctx);
    registerEditRoutes(app, ctx);
    registerReadRoutes(app, ctx);
    registerResourceRoutes(app, ctx);
    registerChatRoutes(app, ctx);
    registerBotInfoRoute(app, ctx);
    registerAvatarRoute(app, ctx);
  },
});

/**
 * A message from one of the platform's own bots (Feishu's "Approval" bot…) in its p2p chat with a
 * user, as the client shows it: the bot is an app of the tenant (added on first use, with no request
 * URL and a secret nobody knows), so the Messenger names it like any bot.
 */
export function platformBotMessage(ctx: EmulatorContext, bot: { appId: string; name: string }, user: UserRecord, msgType: string, content: string): MessageRecord {
  const apps = ctx.slice(AuthState).apps;
  if (!apps.has(bot.appId)) {
    const botOpenId = `ou_${createHash('sha256').update(`bot:${bot.appId}`).digest('hex').slice(0, 32)}`;
    apps.set(bot.appId, { appId: bot.appId, appSecret: randomBytes(24).toString('hex'), type: 'self_built', botName: bot.name, botOpenId, tenantKeys: [user.tenant_key] });
  }
  const chat = ctx.slice(ImState).p2pChat(bot.appId, user);
  return insertMessage(ctx, { chat, sender: { id: bot.appId, id_type: 'app_id', sender_type: 'app', tenant_key: user.tenant_key }, msgType, content });
}
