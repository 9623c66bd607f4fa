import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { registerChatControlRoutes } from './chat-control.js';
import { registerChatUpdateRoutes } from './chat-update.js';
import { registerChatCrudRoutes } from './chats.js';
import { registerMemberRoutes } from './members.js';

/** Chats, chat members, and the control routes that let people act on chats. */
export function registerChatRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  registerChatCrudRoutes(app, ctx);
  registerChatUpdateRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerChatControlRoutes(app, ctx);
}
