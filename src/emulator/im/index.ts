import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { registerChatRoutes } from './chat-routes.js';
import { registerEditRoutes } from './message-edit-routes.js';
import { registerReadRoutes } from './message-read-routes.js';
import { registerSendRoutes } from './message-routes.js';
import { registerResourceRoutes } from './resources.js';
import { registerBotInfoRoute } from './bot-info.js';

/** IM: messages, images/files, chats and members. */
export function registerImRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  registerSendRoutes(app, ctx);
  registerEditRoutes(app, ctx);
  registerReadRoutes(app, ctx);
  registerResourceRoutes(app, ctx);
  registerChatRoutes(app, ctx);
  registerBotInfoRoute(app, ctx);
}
