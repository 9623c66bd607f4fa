/**
 * A tiny key-value store for what must outlive a request (the store app's app_ticket).
 * In-memory by default; the store/ layer plugs SQLite/PostgreSQL/Redis behind the same two methods.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** ttlMs: time to live; omitted = keep until overwritten. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
}

/**
 * The default KeyValueStore: a Map with optional expiry.
 *
 * @example
 * const kv = new MemoryKeyValueStore(); await kv.set('k', 'v', 60_000);
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly items = new Map<string, { value: string; expiresAt?: number }>();

  async get(key: string): Promise<string | undefined> {
    const item = this.items.get(key);
    if (!item) return undefined;
    if (item.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.items.set(key, { value, expiresAt: ttlMs === undefined ? undefined : Date.now() + ttlMs });
  }
}
