/**
 * The hub's database: SQLite (embedded default) or PostgreSQL (replicas), chosen by DATABASE_URL.
 *
 * @example
 * const store = await openDatabase(config.databaseUrl);        // migrates on open
 * const inbox = new Inbox(store);                               // durable event inbox
 * const keys = new IdempotencyKeys(store);                      // once(key, fn)
 * const kv = new KvStore(store);                                // app_ticket and friends
 */
export { openDatabase, type Store, type Dialect, type OpenDatabaseOptions } from './database.js';
export {
  Inbox,
  DEFAULT_DEDUP_WINDOW_MS,
  MIN_DEDUP_WINDOW_MS,
  type InboxEventInput,
  type InboxItem,
  type InboxOptions,
  type PutResult,
  type FailResult,
} from './inbox.js';
export { IdempotencyKeys, IdempotencyBusyError, type IdempotencyOptions } from './idempotency.js';
export { KvStore } from './kv.js';
export type { HubSchema, HubDb, InboxSource, InboxStatus } from './schema.js';
