import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context.js';

/**
 * A product's share of the emulated tenant. `snapshot()` returns plain JSON; `restore()` takes
 * such JSON and replaces the whole slice with it, as a reset to that state would.
 */
export interface Slice<J = unknown> {
  /** Back to the seeded state. */
  reset(): void;
  snapshot(): J;
  restore(json: J): void;
  /** Fields added to `GET /__emulator/state` (what a person inspects; may redact or shorten). */
  inspect?(query: Record<string, string | undefined>): Record<string, unknown>;
}

/** A slice's class is also its key: `ctx.slice(ImState)` is typed, and needs no central type file. */
export type SliceClass<S extends Slice = Slice> = new (ctx: EmulatorContext) => S;

/** A nav entry of the web client. */
export interface PageEntry {
  title: string;
  /** Where the entry links to (a route of the product, or a path of the web client). */
  path: string;
  /** An icon name from the web client's set, or an SVG URL. */
  icon?: string;
  /** The page's ES module (a file in the product's folder, served by the web client; see web/README.md). */
  module?: string;
}

/**
 * The scopes a product's APIs need, next to its routes: `'METHOD /route'` (the route as registered,
 * with its `:params`) → the scopes of which any one lets the call through, as the platform's
 * "开启其中任意一项权限即可调用"; `[]` = the API needs none. The gateway checks them for every
 * call with a token (99991672 / 99991679); a route missing from every table needs no scope.
 *
 * @example
 * scopes: { 'POST /open-apis/im/v1/messages': ['im:message', 'im:message:send_as_bot', 'im:message:send'] }
 */
export type ScopeTable = Readonly<Record<string, readonly string[]>>;

/**
 * One emulated product: its state slice, its routes, its web page, and anything it runs
 * in the background. Registered by adding it to the list in products.ts.
 */
export interface Product {
  /** Unique; the key of its slice in snapshots. */
  name: string;
  /** Constructed once per emulator, in list order: a slice may read the slices listed before it. */
  state?: SliceClass;
  routes?(app: FastifyInstance, ctx: EmulatorContext): void;
  /** The scope(s) each of its API routes needs (see ScopeTable). */
  scopes?: ScopeTable;
  /** What the developer console calls each of those scopes (the platform's names, in English). */
  scopeNames?: Readonly<Record<string, string>>;
  page?: PageEntry;
  /** Runs once the server listens; returns what stops it on close (timers, connections). */
  start?(ctx: EmulatorContext): void | (() => void | Promise<void>);
}

const API_KEY = /^(GET|POST|PUT|PATCH|DELETE) \/\S+$/;
/** The platform's scope keys: `im:message`, `contact:user.base:readonly`, `base:record:create`… */
export const SCOPE_NAME = /^[a-z][a-z0-9_]*(:[A-Za-z0-9_.-]+){1,3}$/;

/**
 * @example
 * export const approval = defineProduct({ name: 'approval', state: ApprovalState, routes: registerApprovalRoutes });
 */
export function defineProduct(p: Product): Readonly<Product> {
  if (!/^[a-z][a-z0-9-]*$/.test(p.name)) throw new Error(`product name must be lowercase kebab-case (got ${JSON.stringify(p.name)})`);
  for (const [api, scopes] of Object.entries(p.scopes ?? {})) {
    if (!API_KEY.test(api)) throw new Error(`product ${p.name}: scope table key ${JSON.stringify(api)} is not 'METHOD /path'`);
    const bad = scopes.filter((s) => !SCOPE_NAME.test(s));
    if (bad.length) throw new Error(`product ${p.name}: ${api} names malformed scopes ${bad.join(', ')}`);
  }
  return Object.freeze({ ...p });
}

/** Replaces a map's entries in place (restore), so code holding the map sees the new state. */
export function refill<K, V>(map: Map<K, V>, entries: Iterable<readonly [K, V]>): void {
  map.clear();
  for (const [k, v] of entries) map.set(k, v);
}
