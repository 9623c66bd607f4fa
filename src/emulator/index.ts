import type { AddressInfo } from 'node:net';
import { EmulatorClock } from './clock.js';
import type { EmulatorContext } from './context.js';
import { createEventBus } from './events/index.js';
import { FaultStore } from './faults.js';
import { resolveOptions, DEV_CREDENTIALS, type EmulatorOptions } from './options.js';
import { RateLimiter } from './ratelimit.js';
import { buildEmulatorServer } from './server.js';
import { EmulatorState } from './state.js';
import { TokenStore } from './auth/tokens.js';
import { scheduleAppTickets } from './auth/routes.js';

export { DEV_CREDENTIALS, type EmulatorOptions };
export type { EmulatorState } from './state.js';
export type * from './types.js';

export interface EmulatorHandle {
  /** Base URL, e.g. http://127.0.0.1:9000; give it to the SDK as `domain`. */
  url: string;
  port: number;
  app: { appId: string; appSecret: string; encryptKey?: string; verificationToken?: string; botOpenId: string };
  tenantKey: string;
  state: EmulatorState;
  /** Everything the routes share (clock, tokens, faults, limits, events). */
  context: EmulatorContext;
  close(): Promise<void>;
}

/**
 * Starts the local Feishu on `options.port` (0 = any free port).
 *
 * @example
 * const emu = await startEmulator({ port: 0 });
 * const client = new lark.Client({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url });
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const opts = resolveOptions({ port: 0, ...options });
  const clock = new EmulatorClock();
  let baseUrl = '';
  const ctx: EmulatorContext = {
    options: opts,
    clock,
    state: new EmulatorState(opts, () => clock.now()),
    tokens: new TokenStore(),
    limiter: new RateLimiter(opts.rateLimits),
    faults: new FaultStore(),
    events: undefined as never,
    baseUrl: () => baseUrl,
  };
  ctx.events = createEventBus(() => ctx);
  const server = buildEmulatorServer(ctx);
  await server.listen({ port: opts.port, host: opts.host });
  const port = (server.server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  scheduleAppTickets(ctx);
  const app = ctx.state.defaultApp;
  return {
    url: baseUrl,
    port,
    app: { appId: app.appId, appSecret: app.appSecret, encryptKey: app.encryptKey, verificationToken: app.verificationToken, botOpenId: app.botOpenId },
    tenantKey: ctx.state.tenantKey,
    state: ctx.state,
    context: ctx,
    async close() {
      clock.stop();
      await ctx.events.close();
      await server.close();
    },
  };
}
