import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context.js';
import { registerImRoutes } from './im/index.js';
import { registerWebhookBotRoutes } from './webhook-bot/index.js';
import { registerEventRoutes } from './events/index.js';
import { registerDirectoryRoutes } from './directory/index.js';
import { registerWebClient } from './web/index.js';

/** The platform's feature APIs, one registration per capability folder. */
export function registerFeatureRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  registerImRoutes(app, ctx);
  registerWebhookBotRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerWebClient(app, ctx);
}
