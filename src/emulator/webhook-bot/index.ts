import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { registerWebhookBotControlRoutes } from './control.js';
import { webhookHookPlugin } from './hook.js';

export { webhookSign } from './security.js';

/** The custom group-bot webhook `/open-apis/bot/v2/hook/:token` and the control route that creates bots. */
export function registerWebhookBotRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.register(webhookHookPlugin, { ctx });
  registerWebhookBotControlRoutes(app, ctx);
}
