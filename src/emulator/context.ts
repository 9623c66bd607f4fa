import type { FastifyRequest } from 'fastify';
import type { CallLog } from './calls.js';
import type { EmulatorClock } from './clock.js';
import type { FaultStore } from './faults.js';
import type { Slice, SliceClass } from './product.js';
import type { RateLimiter } from './ratelimit.js';
import type { ProductRegistry } from './registry.js';
import type { TokenRecord } from './auth/tokens.js';
import type { ResolvedOptions } from './options.js';

/** What the platform pushes to apps. Implemented in events/. */
export interface EventBus {
  /** Pushes a v2 (`schema: "2.0"`) event to the app, with the platform's retries. Returns the event_id. */
  publish(appId: string, eventType: string, event: Record<string, unknown>, opts?: { tenantKey?: string }): string;
  /** Pushes a v1 (`event_callback`) event such as `app_ticket`. Returns the uuid. */
  publishV1(appId: string, event: Record<string, unknown>): string;
  /** Stops timers and connections. */
  close(): Promise<void>;
}

/**
 * What every product's code is given: the platform's machinery (clock, limits, faults, call log,
 * event bus) and the products' slices. Tenant data lives in the slices, never here.
 */
export interface EmulatorContext {
  options: ResolvedOptions;
  clock: EmulatorClock;
  limiter: RateLimiter;
  faults: FaultStore;
  calls: CallLog;
  events: EventBus;
  products: ProductRegistry;
  /** A product's slice, typed by its class: `ctx.slice(ImState).chats`. */
  slice<S extends Slice>(cls: SliceClass<S>): S;
  /** The emulator's own base URL once listening (http://host:port). */
  baseUrl: () => string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's access token record (set for authenticated /open-apis routes). */
    auth?: TokenRecord;
    logId: string;
    startedAt: number;
    faulted?: boolean;
    /** An injected fault to answer with after the handler ran (fault rule `after: true`). */
    lateFault?: import('./errors.js').ApiError;
  }
}

/** The authenticated caller; throws if a route forgot to require auth. */
export function caller(request: FastifyRequest): TokenRecord {
  if (!request.auth) throw new Error(`route ${request.url} used caller() without authentication`);
  return request.auth;
}
