import type { Selectable } from 'kysely';
import { Batcher } from './batcher.js';
import { INBOX_INSERT_SQL, type Store } from './database.js';
import type { InboxRow } from './sqlite-writer.js';
import { toMs, type InboxSource, type InboxStatus, type InboxTable } from './schema.js';

const HOUR = 3_600_000;
/** Feishu re-sends for ≈7.1 h after the first push; done rows must outlive that to catch re-sends. */
export const MIN_DEDUP_WINDOW_MS = 7 * HOUR;
export const DEFAULT_DEDUP_WINDOW_MS = 8 * HOUR;

/** What the receiver stores: the event id (v2 `header.event_id`, v1 `uuid`), its type and envelope. */
export interface InboxEventInput {
  id: string;
  type: string;
  source: InboxSource;
  /** The decrypted envelope; stored as JSON. */
  payload: unknown;
  /** `payload` already serialised (the decrypted text), to skip a JSON.stringify on the hot path. */
  payloadJson?: string;
}

export interface InboxItem {
  id: string;
  type: string;
  source: InboxSource;
  payload: unknown;
  status: InboxStatus;
  /** How many times a worker has claimed it (the current claim included). */
  attempts: number;
  receivedAt: number;
  nextAttemptAt: number;
  lockedBy?: string;
  lockedUntil?: number;
  lastError?: string;
}

export interface InboxOptions {
  /** Claims before an event is dead-lettered (default 8). */
  maxAttempts?: number;
  /** Retry delay: base · 2^(attempt-1), capped, with jitter (default 1 s … 15 min). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Clock, for tests (default Date.now). */
  now?: () => number;
}

export type PutResult = 'new' | 'duplicate';
export type FailResult = 'retry' | 'dead' | 'stale';

/**
 * The durable inbox: events are written here (put-if-absent by event id) before Feishu gets its
 * 200, then claimed by workers with a lease. The same code serves SQLite and PostgreSQL; claims
 * use `FOR UPDATE SKIP LOCKED` on PostgreSQL so replicas never take the same row.
 *
 * @example
 * const inbox = new Inbox(await openDatabase('sqlite:./data/hub.db'));
 * await inbox.put({ id: 'ev_1', type: 'im.message.receive_v1', source: 'webhook', payload }); // 'new'
 * const [item] = await inbox.claim('worker-1', 10, 60_000);
 * await inbox.complete(item.id);
 */
export class Inbox {
  readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();
  private readonly puts: Batcher<InboxEventInput, PutResult>;
  private readonly insertRows?: (rows: unknown[][]) => boolean[];
  private readonly completes: Batcher<string, void>;

  constructor(
    private readonly store: Store,
    options: InboxOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseMs = options.backoff?.baseMs ?? 1000;
    this.maxMs = options.backoff?.maxMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
    // One put batch in flight (strict group commit: puts arriving during a write+fsync form the
    // next batch). Depth 2 was measured too: no better within the noise, and more fsyncs.
    this.puts = new Batcher((items) => this.flushPuts(items));
    if (store.sqlite) {
      // SQLite on the main thread (in-memory databases, or if the writer thread failed): one
      // prepared single-row statement, run for the whole batch in one transaction.
      const insert = store.sqlite.prepare(INBOX_INSERT_SQL);
      this.insertRows = store.sqlite.transaction((rows: unknown[][]) => rows.map((r) => insert.run(...r).changes === 1));
    }
    this.completes = new Batcher((ids) => this.flushCompletes(ids));
  }

  /**
   * Stores the event unless its id is already there. Resolves once the row is committed (grouped
   * with concurrent puts into one commit), so a 200 sent after it survives a crash.
   */
  put(event: InboxEventInput): Promise<PutResult> {
    if (!event.id) return Promise.reject(new Error('inbox.put: event id is required'));
    return this.puts.add(event);
  }

  /** Calls `listener` whenever new events were stored or replayed (workers wake up on it). */
  onNew(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Takes up to `n` due events for `workerId` for `leaseMs`: pending ones whose retry time has
   * come, and processing ones whose lease expired (their worker crashed). Each claim counts as an
   * attempt; an expired lease on the last attempt dead-letters the event instead.
   */
  async claim(workerId: string, n: number, leaseMs: number): Promise<InboxItem[]> {
    if (n <= 0) return [];
    const now = this.now();
    const db = this.store.db;
    await db
      .updateTable('inbox')
      .set({ status: 'dead', locked_by: null, locked_until: null, last_error: `lease expired on attempt ${this.maxAttempts} (worker crashed or hung)` })
      .where('status', '=', 'processing')
      .where('locked_until', '<', now)
      .where('attempts', '>=', this.maxAttempts)
      .execute();
    const claimed: InboxItem[] = [];
    for (const expired of [true, false]) {
      const want = n - claimed.length;
      if (want <= 0) break;
      const due = db
        .selectFrom('inbox')
        .select('event_id')
        .$if(expired, (q) => q.where('status', '=', 'processing').where('locked_until', '<', now))
        .$if(!expired, (q) => q.where('status', '=', 'pending').where('next_attempt_at', '<=', now))
        .orderBy('next_attempt_at')
        .orderBy('received_at')
        .limit(want)
        .$if(this.store.dialect === 'postgres', (q) => q.forUpdate().skipLocked());
      const rows = await db
        .updateTable('inbox')
        .set((eb) => ({ status: 'processing', locked_by: workerId, locked_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('event_id', 'in', due)
        .returningAll()
        .execute();
      claimed.push(...rows.map(toItem));
    }
    return claimed.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.receivedAt - b.receivedAt);
  }

  /** Pushes the lease of events a worker is still handling (long handlers). */
  async extend(ids: string[], workerId: string, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.store.db
      .updateTable('inbox')
      .set({ locked_until: this.now() + leaseMs })
      .where('event_id', 'in', ids)
      .where('status', '=', 'processing')
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Marks a claimed event done (grouped with concurrent completions into one commit). */
  complete(id: string): Promise<void> {
    return this.completes.add(id);
  }

  /**
   * Records a failed attempt: back to pending with exponential backoff, or dead after
   * `maxAttempts` or when the error says `permanent: true` (kept for `replay`). With `workerId`, a worker whose lease was taken over
   * cannot overwrite the new owner's state ('stale').
   */
  async fail(id: string, error: unknown, workerId?: string): Promise<FailResult> {
    const row = await this.store.db.selectFrom('inbox').select(['attempts', 'status', 'locked_by']).where('event_id', '=', id).executeTakeFirst();
    if (!row || row.status !== 'processing' || (workerId && row.locked_by !== workerId)) return 'stale';
    const message = errorText(error);
    // A failure marked permanent (a retry cannot help, e.g. Feishu refused the request as invalid) dead-letters at once.
    const dead = row.attempts >= this.maxAttempts || (error as { permanent?: unknown } | null)?.permanent === true;
    const result = await this.store.db
      .updateTable('inbox')
      .set({
        status: dead ? 'dead' : 'pending',
        next_attempt_at: dead ? this.now() : this.now() + this.backoffMs(row.attempts),
        locked_by: null,
        locked_until: null,
        last_error: message,
      })
      .where('event_id', '=', id)
      .where('status', '=', 'processing')
      .$if(Boolean(workerId), (q) => q.where('locked_by', '=', workerId!))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return 'stale';
    return dead ? 'dead' : 'retry';
  }

  /** Delay before retry number `attempts` (1-based): exponential, capped, half of it jittered. */
  backoffMs(attempts: number): number {
    const full = Math.min(this.maxMs, this.baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(full / 2 + Math.random() * (full / 2));
  }

  /** Puts a dead (or done) event back in the queue with a fresh attempt count. */
  async replay(id: string): Promise<boolean> {
    const result = await this.store.db
      .updateTable('inbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: this.now(), locked_by: null, locked_until: null })
      .where('event_id', '=', id)
      .where('status', 'in', ['dead', 'done'])
      .executeTakeFirst();
    const replayed = Number(result.numUpdatedRows) > 0;
    if (replayed) this.notify();
    return replayed;
  }

  /** Dead-lettered events, newest first. */
  async listDead(limit = 100): Promise<InboxItem[]> {
    const rows = await this.store.db.selectFrom('inbox').selectAll().where('status', '=', 'dead').orderBy('received_at', 'desc').limit(limit).execute();
    return rows.map(toItem);
  }

  /**
   * Events newest first: all of them, those of some statuses, or (`failed`) those waiting for a
   * retry after a failed attempt.
   */
  async list(filter: { status?: InboxStatus[]; failed?: boolean; limit?: number } = {}): Promise<InboxItem[]> {
    const rows = await this.store.db
      .selectFrom('inbox')
      .selectAll()
      .$if(Boolean(filter.status?.length), (q) => q.where('status', 'in', filter.status!))
      .$if(Boolean(filter.failed), (q) => q.where('status', 'in', ['pending', 'processing']).where('last_error', 'is not', null))
      .orderBy('received_at', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toItem);
  }

  /**
   * Gives up on a dead (or retrying) event: marked done, with `discarded: <reason>` kept as its
   * error, so a re-send of it is still a duplicate. False when it is neither dead nor waiting for a retry.
   */
  async discard(id: string, reason: string): Promise<boolean> {
    const result = await this.store.db
      .updateTable('inbox')
      .set({ status: 'done', locked_by: null, locked_until: null, next_attempt_at: this.now(), last_error: `discarded: ${reason}`.slice(0, 4000) })
      .where('event_id', '=', id)
      .where((eb) => eb.or([eb('status', '=', 'dead'), eb.and([eb('status', '=', 'pending'), eb('last_error', 'is not', null)])]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(id: string): Promise<InboxItem | undefined> {
    const row = await this.store.db.selectFrom('inbox').selectAll().where('event_id', '=', id).executeTakeFirst();
    return row ? toItem(row) : undefined;
  }

  /** When the oldest event not yet done (pending or being handled) was received, epoch ms; undefined when none. */
  async oldestWaiting(): Promise<number | undefined> {
    const row = await this.store.db
      .selectFrom('inbox')
      .select((eb) => eb.fn.min<number | string | null>('received_at').as('oldest'))
      .where('status', 'in', ['pending', 'processing'])
      .executeTakeFirst();
    return row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
  }

  /** Row counts per status (for health and metrics). */
  async stats(): Promise<Record<InboxStatus, number>> {
    const rows = await this.store.db
      .selectFrom('inbox')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    const out: Record<InboxStatus, number> = { pending: 0, processing: 0, done: 0, dead: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  /**
   * Deletes done events received more than `olderThanMs` ago (default 8 h). Refuses windows under
   * 7 h: a re-send still inside Feishu's retry window would then run twice. Dead rows are kept.
   */
  async prune(olderThanMs = DEFAULT_DEDUP_WINDOW_MS): Promise<number> {
    if (olderThanMs < MIN_DEDUP_WINDOW_MS) {
      throw new RangeError(`inbox.prune: the dedup window must be at least 7 h (Feishu re-sends for 7.1 h), got ${olderThanMs} ms`);
    }
    const result = await this.store.db
      .deleteFrom('inbox')
      .where('status', '=', 'done')
      // Completed after the cutoff means received after it too: such rows are kept (never pruned early).
      .where('next_attempt_at', '<', this.now() - olderThanMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Waits for queued puts and completions to be written (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.all([this.puts.drain(), this.completes.drain()]);
  }

  private async flushPuts(items: InboxEventInput[]): Promise<PutResult[]> {
    const now = this.now();
    // The same id twice in one batch: the first occurrence decides, the others are duplicates.
    const firstIndex = new Map<string, number>();
    items.forEach((e, i) => {
      if (!firstIndex.has(e.id)) firstIndex.set(e.id, i);
    });
    const unique = [...firstIndex.values()].map((i) => items[i]);
    const fresh = new Set<string>();
    const writer = this.store.writer;
    let written = false;
    let recovered = false;
    if (writer && !writer.failed) {
      // SQLite file: the writer thread inserts and fsyncs; this thread gathers the next batch meanwhile.
      const rows = unique.map((e): InboxRow => [e.id, e.type, e.source, e.payloadJson ?? JSON.stringify(e.payload), now, now]);
      try {
        const inserted = await writer.insert(rows);
        unique.forEach((e, i) => inserted[i] && fresh.add(e.id));
        written = true;
      } catch (err) {
        // The thread died holding this batch: write it here instead. Rows it had committed come back
        // as duplicates (still stored, still claimed by workers), and the fsync below covers them.
        if (!writer.failed) throw err;
        recovered = true;
      }
    }
    if (!written) {
      if (this.insertRows && !this.store.sqlite!.inTransaction) {
        const inserted = this.insertRows(unique.map((e) => [e.id, e.type, e.source, e.payloadJson ?? JSON.stringify(e.payload), now, now]));
        unique.forEach((e, i) => inserted[i] && fresh.add(e.id));
      } else {
        // PostgreSQL, or SQLite while a Kysely transaction holds the connection (wait for it, do not join it).
        // Sorted by id: concurrent batches (other replicas) take unique-index locks in the same order, so no deadlock.
        const rows = [...unique].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => ({
          event_id: e.id,
          event_type: e.type,
          source: e.source,
          payload: e.payloadJson ?? JSON.stringify(e.payload),
          received_at: now,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now,
        }));
        const inserted = await this.store.db
          .insertInto('inbox')
          .values(rows)
          .onConflict((oc) => oc.column('event_id').doNothing())
          .returning('event_id')
          .execute();
        for (const r of inserted) fresh.add(r.event_id);
      }
      // The 200 that follows must survive a power cut, not just a crash of this process. The fsync
      // runs inside the flush on purpose: puts arriving meanwhile form the next batch (group commit).
      await this.store.durable();
    }
    if (fresh.size > 0 || recovered) this.notify();
    return items.map((e, i) => (firstIndex.get(e.id) === i && fresh.has(e.id) ? 'new' : 'duplicate'));
  }

  private async flushCompletes(ids: string[]): Promise<void[]> {
    await this.store.db
      .updateTable('inbox')
      // next_attempt_at = completion time, so prune finds old done rows through the status index.
      .set({ status: 'done', locked_by: null, locked_until: null, last_error: null, next_attempt_at: this.now() })
      .where('event_id', 'in', [...new Set(ids)])
      .where('status', '=', 'processing')
      .execute();
    return ids.map(() => undefined);
  }

  private notify(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure must not fail the put that already committed.
      }
    }
  }
}

function toItem(row: Selectable<InboxTable>): InboxItem {
  return {
    id: row.event_id,
    type: row.event_type,
    source: row.source,
    payload: JSON.parse(row.payload),
    status: row.status,
    attempts: row.attempts,
    receivedAt: toMs(row.received_at)!,
    nextAttemptAt: toMs(row.next_attempt_at)!,
    lockedBy: row.locked_by ?? undefined,
    lockedUntil: toMs(row.locked_until),
    lastError: row.last_error ?? undefined,
  };
}

function errorText(error: unknown): string {
  // `notes`: what the hub did about the failure (e.g. the user could not be told), for the operator.
  const notes = (error as { notes?: unknown } | null)?.notes;
  const tail = Array.isArray(notes) && notes.length ? `\n${notes.map((n) => `note: ${String(n)}`).join('\n')}` : '';
  if (error instanceof Error) return (tail + '\n' + (error.stack ?? `${error.name}: ${error.message}`)).trimStart().slice(0, 4000);
  return String(error).slice(0, 4000);
}
