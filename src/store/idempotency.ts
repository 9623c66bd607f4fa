import type { Transaction } from 'kysely';
import type { Store } from './database.js';
import { toMs, type HubSchema } from './schema.js';

/** Another caller holds the key and has not finished (or crashed less than `staleMs` ago): retry later. */
export class IdempotencyBusyError extends Error {
  constructor(readonly key: string) {
    super(`idempotency key "${key}" is held by another run that has not finished; retry later`);
    this.name = 'IdempotencyBusyError';
  }
}

export interface IdempotencyOptions {
  /** A claim older than this, still without a result, is taken to be from a crashed run (default 5 min). */
  staleMs?: number;
  now?: () => number;
}

/**
 * Idempotency keys: an effect runs once per key; later calls get the first result back.
 *
 * @example
 * const keys = new IdempotencyKeys(store);
 * await keys.once(`approve:${eventId}`, () => approval.approve(task));      // external effect
 * await keys.onceAtomic(`row:${eventId}`, (trx) => trx.insertInto('t').values(row).execute()); // same-DB effect
 */
export class IdempotencyKeys {
  private readonly staleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    options: IdempotencyOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `fn` unless `key` has already succeeded, in which case its stored result is returned.
   * The key is claimed before `fn` runs (so two workers never run it together) and released if
   * `fn` throws. A crash between the effect and recording it leaves a claim that is retried after
   * `staleMs`: for effects outside this database, make them idempotent too (Feishu's `uuid`).
   * Throws IdempotencyBusyError while another run holds the key.
   */
  async once<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const db = this.store.db;
    const now = this.now();
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ key, created_at: now, result: null })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const row = await db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
      if (row && row.result !== null) return JSON.parse(row.result) as T;
      const since = toMs(row?.created_at) ?? now;
      if (now - since < this.staleMs) throw new IdempotencyBusyError(key);
      // Take over a crashed run's claim, unless someone else just did.
      const taken = await db
        .updateTable('idempotency_keys')
        .set({ created_at: now })
        .where('key', '=', key)
        .where('created_at', '=', row?.created_at ?? since)
        .where('result', 'is', null)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) throw new IdempotencyBusyError(key);
    }
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      await db.deleteFrom('idempotency_keys').where('key', '=', key).where('result', 'is', null).execute();
      throw err;
    }
    await db
      .updateTable('idempotency_keys')
      .set({ result: storedResult(result) })
      .where('key', '=', key)
      .execute();
    return result;
  }

  /**
   * Runs `fn` and records `key` in one database transaction: for effects written to this same
   * database this is exactly-once, crash or not. Keep `fn` short (on SQLite it holds the writer).
   */
  async onceAtomic<T>(key: string, fn: (trx: Transaction<HubSchema>) => Promise<T>): Promise<T> {
    return this.store.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('idempotency_keys')
        .values({ key, created_at: this.now(), result: null })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!claimed) {
        const row = await trx.selectFrom('idempotency_keys').select('result').where('key', '=', key).executeTakeFirstOrThrow();
        if (row.result === null) throw new IdempotencyBusyError(key);
        return JSON.parse(row.result) as T;
      }
      const result = await fn(trx);
      await trx
        .updateTable('idempotency_keys')
        .set({ result: storedResult(result) })
        .where('key', '=', key)
        .execute();
      return result;
    });
  }

  /** The stored result of `key` once its run has finished; undefined while it runs or when unknown. */
  async result(key: string): Promise<unknown | undefined> {
    const row = await this.store.db.selectFrom('idempotency_keys').select('result').where('key', '=', key).executeTakeFirst();
    return row && row.result !== null ? JSON.parse(row.result) : undefined;
  }

  /** Has `key` completed? */
  async has(key: string): Promise<boolean> {
    const row = await this.store.db.selectFrom('idempotency_keys').select('result').where('key', '=', key).executeTakeFirst();
    return row !== undefined && row.result !== null;
  }

  /** Forgets keys older than `olderThanMs` (default 7 days). */
  async prune(olderThanMs = 7 * 24 * 3_600_000): Promise<number> {
    const r = await this.store.db.deleteFrom('idempotency_keys').where('created_at', '<', this.now() - olderThanMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** The result as stored JSON: bigints become strings; anything unserialisable is stored as null. */
function storedResult(result: unknown): string {
  try {
    return JSON.stringify(result ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
  } catch {
    return 'null';
  }
}
