import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context.js';
import type { PageEntry, Product, Slice, SliceClass } from './product.js';

/** What `GET /__emulator/scopes` answers and the developer console shows. */
export interface ScopeCatalog {
  products: { product: string; title: string; scopes: { scope: string; name: string; apis: string[] }[]; no_scope_apis: string[] }[];
  /** Platform routes (`METHOD /route`) no product declared: they need no scope. */
  undeclared: string[];
}

/** A snapshot that cannot be restored (unknown product, or a slice refused its JSON). */
export class SnapshotError extends Error {}

/** Snapshots are JSON: copy through JSON so a snapshot never shares objects with live state. */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The products of one emulator and their slices. Everything that concerns all products
 * (routes, reset, snapshots, inspection, pages, background work) goes through this list.
 */
export class ProductRegistry {
  private readonly slices = new Map<SliceClass, Slice>();
  private readonly stateful: { name: string; slice: Slice }[] = [];
  private stops: (() => void | Promise<void>)[] = [];
  /** `METHOD /route` → the scopes any one of which the API needs, and the product declaring it. */
  private readonly apiScopes = new Map<string, { product: string; scopes: readonly string[] }>();
  /** The platform routes the server registered (`METHOD /route`), to tell which have no declared scope. */
  private readonly platformRoutes = new Set<string>();

  constructor(readonly products: readonly Product[]) {
    const names = new Set<string>();
    for (const p of products) {
      if (names.has(p.name)) throw new Error(`two products are named ${p.name}`);
      names.add(p.name);
      for (const [api, scopes] of Object.entries(p.scopes ?? {})) {
        const other = this.apiScopes.get(api);
        if (other) throw new Error(`products ${other.product} and ${p.name} both declare the scopes of ${api}`);
        this.apiScopes.set(api, { product: p.name, scopes });
      }
    }
  }

  /** Creates the slices in list order; each is reachable (by later slices too) as soon as it exists. */
  build(ctx: EmulatorContext): void {
    for (const p of this.products) {
      if (!p.state) continue;
      if (this.slices.has(p.state)) throw new Error(`product ${p.name} reuses the state class of another product`);
      const slice = new p.state(ctx);
      this.slices.set(p.state, slice);
      this.stateful.push({ name: p.name, slice });
    }
  }

  slice<S extends Slice>(cls: SliceClass<S>): S {
    const s = this.slices.get(cls);
    if (!s) throw new Error(`${cls.name} is not in this emulator's products (or is read before its product is created)`);
    return s as S;
  }

  registerRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
    for (const p of this.products) p.routes?.(app, ctx);
  }

  start(ctx: EmulatorContext): void {
    for (const p of this.products) {
      const stop = p.start?.(ctx);
      if (stop) this.stops.push(stop);
    }
  }

  async stop(): Promise<void> {
    const stops = this.stops.reverse();
    this.stops = [];
    for (const stop of stops) await stop();
  }

  /** `POST /__emulator/reset`: every slice back to its seed, in list order (later seeds may read earlier slices). */
  reset(): void {
    for (const { slice } of this.stateful) slice.reset();
  }

  /** Names of the products that have a slice (the keys of a snapshot). */
  snapshotNames(): string[] {
    return this.stateful.map((s) => s.name);
  }

  /** Every slice's JSON, keyed by product name. */
  snapshot(): Record<string, unknown> {
    return copy(Object.fromEntries(this.stateful.map(({ name, slice }) => [name, slice.snapshot()])));
  }

  /**
   * Replaces every slice with its part of `json`; a product missing from it is reset (a snapshot
   * taken before the product existed). If a slice refuses its part, every slice is restored from
   * a snapshot taken first, so the tenant is as it was (what snapshots leave out, such as logs,
   * is cleared all the same).
   */
  restore(json: unknown): void {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SnapshotError('a snapshot is an object keyed by product name');
    const parts = json as Record<string, unknown>;
    const known = new Set(this.stateful.map((s) => s.name));
    const unknown = Object.keys(parts).filter((k) => !known.has(k));
    if (unknown.length) throw new SnapshotError(`no product named ${unknown.join(', ')} in this emulator`);
    const backup = this.snapshot();
    const load = (from: Record<string, unknown>) => {
      for (const { name, slice } of this.stateful) {
        if (from[name] === undefined) slice.reset();
        else slice.restore(copy(from[name]));
      }
    };
    try {
      load(parts);
    } catch (e) {
      load(backup);
      throw new SnapshotError(`snapshot not restored: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** What each slice shows in `GET /__emulator/state`. */
  inspect(query: Record<string, string | undefined>): Record<string, unknown> {
    return Object.assign({}, ...this.stateful.map(({ slice }) => slice.inspect?.(query) ?? {}));
  }

  /** The scopes an API route needs, any one of them (`[]` or undefined: none; undefined: not declared). */
  requiredScopes(method: string, route: string): readonly string[] | undefined {
    return this.apiScopes.get(`${method} ${route}`)?.scopes;
  }

  /** The server notes each platform route it registers (what `scopeCatalog().undeclared` is checked against). */
  notePlatformRoute(method: string, route: string): void {
    this.platformRoutes.add(`${method} ${route}`);
  }

  /**
   * Every scope the products' APIs take, grouped by product in list order, each with its name and
   * the APIs it opens; plus the platform routes no product declared (they need no scope).
   */
  scopeCatalog(): ScopeCatalog {
    const products: ScopeCatalog['products'] = [];
    // A scope several products' APIs take (im:message: messages and card updates) is listed once, under the first.
    const entries = new Map<string, { scope: string; name: string; apis: string[] }>();
    for (const p of this.products) {
      const group: ScopeCatalog['products'][number] = { product: p.name, title: p.page?.title ?? p.name, scopes: [], no_scope_apis: [] };
      for (const [api, scopes] of Object.entries(p.scopes ?? {})) {
        if (!scopes.length) group.no_scope_apis.push(api);
        for (const scope of scopes) {
          let e = entries.get(scope);
          if (!e) {
            e = { scope, name: p.scopeNames?.[scope] ?? '', apis: [] };
            entries.set(scope, e);
            group.scopes.push(e);
          }
          if (!e.name && p.scopeNames?.[scope]) e.name = p.scopeNames[scope];
          e.apis.push(api);
        }
      }
      if (group.scopes.length || group.no_scope_apis.length) products.push(group);
    }
    const undeclared = [...this.platformRoutes].filter((r) => !this.apiScopes.has(r)).sort();
    return { products, undeclared };
  }

  /** Nav entries of the web client, in list order. */
  pages(): (PageEntry & { product: string })[] {
    return this.products.flatMap((p) => (p.page ? [{ product: p.name, ...p.page }] : []));
  }
}
