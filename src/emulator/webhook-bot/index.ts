import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerWebhookBotControlRoutes } from './control.js';
import { webhookHookPlugin } from './hook.js';
import { WebhookBotState } from './state.js';

export { webhookSign } from './security.js';
export { WebhookBotState } from './state.js';

/** The custom group-bot webhook `/open-apis/bot/v2/hook/:token` and the control route that creates bots. */
export const webhookBot = defineProduct({
  name: 'webhook-bot',
  state: WebhookBotState,
  // The hook is authenticated by its token (and signature), not by an access token: no scope.
  scopes: { 'POST /open-apis/bot/v2/hook/:token': [] },
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    app.register(webhookHookPlugin, { ctx });
    registerWebhookBotControlRoutes(app, ctx);
  },
});
