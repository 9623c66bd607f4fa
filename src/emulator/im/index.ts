import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerAvatarRoute } from './avatars.js';
import { registerBotInfoRoute } from './bot-info.js';
import { registerChatRoutes } from './chat-routes.js';
import { registerEditRoutes } from './message-edit-routes.js';
import { registerReadRoutes } from './message-read-routes.js';
import { registerSendRoutes } from './message-routes.js';
import { registerResourceRoutes } from './resources.js';
import { ImState } from './state.js';

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
