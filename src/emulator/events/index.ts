import type { FastifyInstance } from 'fastify';
import type { EmulatorContext, EventBus } from '../context.js';
import { DeliveryBus } from './bus.js';
import { registerCardActionRoutes } from './card-actions.js';
import { busOf } from './context.js';
import { registerEventControlRoutes } from './routes.js';
import { registerUserMessageRoutes } from './user-messages.js';

export { eventLog, resetEvents } from './routes.js';
export { verifyAppUrls, verifyUrl } from './url-verification.js';
export { userSendsMessage, UserActionError } from './user-messages.js';
export { userClicksCard, CardActionError, type CardAction, type CardActionResult } from './card-actions.js';
export type { DeliveryRecord, DeliveryAttempt } from './bus.js';

/** Event pushes to apps (webhook and long connection) and the control routes that make users act. */
export function registerEventRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  busOf(ctx).connections.attach(app.server);
  registerEventControlRoutes(app, ctx);
  registerUserMessageRoutes(app, ctx);
  registerCardActionRoutes(app, ctx);
}

export function createEventBus(ctx: () => EmulatorContext): EventBus {
  return new DeliveryBus(ctx);
}
