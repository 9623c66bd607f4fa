import type { Store } from './database.js';
import { toMs } from './schema.js';

/**
 * Small namespaced key/value store with optional expiry (app_ticket, cursors, sync state).
 *
 * @example
 * const kv = new KvStore(store);
 * await kv.set('app_ticket', appId, ticket, 60 * 60_000);
 * const ticket = await kv.get('app_ticket', appId);
 */
export class KvStore {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async get(namespace: string, key: string): Promise<string | undefined> {
    const row = await this.store.db.selectFrom('kv').select(['value', 'expires_at']).where('namespace', '=', namespace).where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    const expires = toMs(row.expires_at);
    return expires !== undefined && expires <= this.now() ? undefined : row.value;
  }

  /** Sets a value; `ttlMs` makes it expire (reads after that see nothing). */
  async set(namespace: string, key: string, value: string, ttlMs?: number): Promise<void> {
    const expires_at = ttlMs === undefined ? null : this.now() + ttlMs;
    await this.store.db
      .insertInto('kv')
      .values({ namespace, key, value, expires_at })
      .onConflict((oc) => oc.columns(['namespace', 'key']).doUpdateSet({ value, expires_at }))
      .execute();
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.store.db.deleteFrom('kv').where('namespace', '=', namespace).where('key', '=', key).execute();
  }

  /** Removes expired entries; returns how many. */
  async prune(): Promise<number> {
    const r = await this.store.db.deleteFrom('kv').where('expires_at', 'is not', null).where('expires_at', '<=', this.now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
