import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerControlRoutes } from './routes.js';
import { registerSnapshotRoutes } from './snapshot.js';
import { ControlState } from './state.js';

export { ControlState } from './state.js';

/** `/__emulator/*`: inspect and steer the emulator (LocalStack-style). Not part of the platform's API. */
export const control = defineProduct({
  name: 'control',
  state: ControlState,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    registerControlRoutes(app, ctx);
    registerSnapshotRoutes(app, ctx);
  },
});
