import type { FastifyInstance } from 'fastify';
import type { EmulatorContext, EventBus } from '../context.js';

/** Event pushes to apps (webhook and long connection) and the control routes that make users act. */
export function registerEventRoutes(_app: FastifyInstance, _ctx: EmulatorContext): void {}

export function createEventBus(_ctx: () => EmulatorContext): EventBus {
  return {
    publish: () => {
      throw new Error('event pushes are not built yet');
    },
    publishV1: () => {
      throw new Error('event pushes are not built yet');
    },
    close: async () => {},
  };
}
