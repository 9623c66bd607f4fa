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
 * One emulated product: its state slice, its routes, its web page, and anything it runs
 * in the background. Registered by adding it to the list in products.ts.
 */
export interface Product {
  /** Unique; the key of its slice in snapshots. */
  name: string;
  /** Constructed once per emulator, in list order: a slice may read the slices listed before it. */
  state?: SliceClass;
  routes?(app: FastifyInstance, ctx: EmulatorContext): void;
  page?: PageEntry;
  /** Runs once the server listens; returns what stops it on close (timers, connections). */
  start?(ctx: EmulatorContext): void | (() => void | Promise<void>);
}

/**
 * @example
 * export const approval = defineProduct({ name: 'approval', state: ApprovalState, routes: registerApprovalRoutes });
 */
export function defineProduct(p: Product): Readonly<Product> {
  if (!/^[a-z][a-z0-9-]*$/.test(p.name)) throw new Error(`product name must be lowercase kebab-case (got ${JSON.stringify(p.name)})`);
  return Object.freeze({ ...p });
}

/** Replaces a map's entries in place (restore), so code holding the map sees the new state. */
export function refill<K, V>(map: Map<K, V>, entries: Iterable<readonly [K, V]>): void {
  map.clear();
  for (const [k, v] of entries) map.set(k, v);
}
