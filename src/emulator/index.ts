import type { AddressInfo } from 'node:net';
import { AuthState } from './auth/index.js';
import { CallLog } from './calls.js';
import { EmulatorClock } from './clock.js';
import type { EmulatorContext } from './context.js';
import { createEventBus } from './events/index.js';
import { FaultStore } from './faults.js';
import { resolveOptions, DEV_CREDENTIALS, type EmulatorOptions } from './options.js';
import { defaultProducts } from './products.js';
import { RateLimiter } from './ratelimit.js';
import { ProductRegistry } from './registry.js';
import { buildEmulatorServer } from './server.js';
import { EmulatorState } from './state.js';

export { DEV_CREDENTIALS, type EmulatorOptions };
export { defaultProducts };
export { DEMO_CHAT_ID } from './im/seed.js';
export { defineProduct, refill, type PageEntry, type Product, type Slice, type SliceClass } from './product.js';
export { SnapshotError } from './registry.js';
export type { EmulatorContext } from './context.js';
export type { EmulatorState } from './state.js';
export type * from './types.js';

export interface EmulatorHandle {
  /** Base URL, e.g. http://127.0.0.1:9000; give it to the SDK as `domain`. */
  url: string;
  port: number;
  app: { appId: string; appSecret: string; encryptKey?: string; verificationToken?: string; botOpenId: string };
  tenantKey: string;
  state: EmulatorState;
  /** Everything the routes share (clock, faults, limits, events) and the slices: `context.slice(ImState)`. */
  context: EmulatorContext;
  /** Every product back to its seed (`POST /__emulator/reset`). */
  reset(): void;
  /** Every product's state as JSON (`GET /__emulator/snapshot`). */
  snapshot(): Record<string, unknown>;
  /** Back to a snapshot (`PUT /__emulator/snapshot`); throws SnapshotError if it does not fit these products. */
  restore(snapshot: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * Starts the local Feishu on `options.port` (0 = any free port), with `options.products`
 * (default `defaultProducts`; auth must be among them).
 *
 * @example
 * const emu = await startEmulator({ port: 0 });
 * const client = new lark.Client({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url });
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const opts = resolveOptions({ port: 0, ...options });
  const clock = new EmulatorClock();
  const products = new ProductRegistry(opts.products ?? defaultProducts);
  let baseUrl = '';
  const ctx: EmulatorContext = {
    options: opts,
    clock,
    limiter: new RateLimiter(opts.rateLimits),
    faults: new FaultStore(),
    calls: new CallLog(),
    events: undefined as never,
    products,
    slice: (cls) => products.slice(cls),
    baseUrl: () => baseUrl,
  };
  ctx.events = createEventBus(() => ctx);
  products.build(ctx);
  const server = buildEmulatorServer(ctx);
  await server.listen({ port: opts.port, host: opts.host });
  const port = (server.server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  products.start(ctx);
  const app = ctx.slice(AuthState).defaultApp;
  const state = new EmulatorState(ctx);
  return {
    url: baseUrl,
    port,
    app: { appId: app.appId, appSecret: app.appSecret, encryptKey: app.encryptKey, verificationToken: app.verificationToken, botOpenId: app.botOpenId },
    tenantKey: state.tenantKey,
    state,
    context: ctx,
    reset: () => products.reset(),
    snapshot: () => products.snapshot(),
    restore: (snapshot) => products.restore(snapshot),
    async close() {
      clock.stop();
      await products.stop();
      await ctx.events.close();
      await server.close();
    },
  };
}
