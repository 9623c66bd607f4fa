import type { FastifyInstance } from 'fastify';
import type { EmulatorContext, EventBus } from '../context.js';
import { defineProduct } from '../product.js';
import { DeliveryBus } from './bus.js';
import { registerCardActionRoutes } from './card-actions.js';
import { busOf } from './context.js';
import { registerEventControlRoutes } from './routes.js';
import { EventsState } from './state.js';
import { registerUserMessageRoutes } from './user-messages.js';

export { eventLog } from './routes.js';
export { EventsState, type EventsSnapshot } from './state.js';
export { verifyAppUrls, verifyUrl } from './url-verification.js';
export { userSendsMessage, UserActionError } from './user-messages.js';
export { userClicksCard, CardActionError, type CardAction, type CardActionResult } from './card-actions.js';
export type { DeliveryRecord, DeliveryAttempt } from './bus.js';

/** Event pushes to apps (webhook and long connection) and the control routes that make users act. */
export const events = defineProduct({
  name: 'events',
  state: EventsState,
  // 延时更新消息卡片 takes the message scopes; the long connection's endpoint is authenticated by the app's secret.
  scopes: {
    'POST /open-apis/interactive/v1/card/update': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
    'POST /callback/ws/endpoint': [],
  },
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    busOf(ctx).connections.attach(app.server);
    registerEventControlRoutes(app, ctx);
    registerUserMessageRoutes(app, ctx);
    registerCardActionRoutes(app, ctx);
  },
});

/** The bus every product publishes through (`ctx.events`); the events product owns its state. */
export function createEventBus(ctx: () => EmulatorContext): EventBus {
  return new DeliveryBus(ctx);
}
