import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from '../config/index.js';
import type { Store } from '../store/index.js';
import { chunk, derivedClientToken, toWriteValue, type BitableClient, type BitableRecord } from './bitable-deps.js';
import { canonical, fromEventValue, hashOf, keyText, recordFields, sqlToPlain, type ResolvedPair, type RowValues, type SqlValue } from './codec.js';
import type { SyncJobConfig } from './config.js';
import { emptyPlan, planCounts, planKeys, type Plan, type PlannedConflict } from './plan.js';
import { resolveTable, type ResolvedTable } from './resolve.js';
import { bitableSide, databaseSide, ViewBuilder } from './scan.js';
import { openTarget, type SqlTarget } from './sql/index.js';
import { SyncState } from './state.js';

export type SyncPhase = 'resolve' | 'scan-bitable' | 'scan-database' | 'plan' | 'apply' | 'done';
export interface SyncProgress {
  phase: SyncPhase;
  done: number;
  total: number;
}

export interface RunOptions {
  dryRun?: boolean;
  allowMassDelete?: boolean;
  onProgress?: (p: SyncProgress) => void;
  /** What started it (logs and status). */
  source?: 'cli' | 'start' | 'reconcile' | 'api' | 'repair';
}

export interface RunResult {
  job: string;
  dryRun: boolean;
  /** The previous run was cut off (a crash): this one picked up from its checkpoints. */
  resumed: boolean;
  durationMs: number;
  rows: { database: number; bitable: number };
  plan: ReturnType<typeof planCounts>;
  /** Records that had no key: given their record id as key (written back to Bitable). */
  keyed: number;
  conflicts: PlannedConflict[];
  calls: { bitableWrites: number };
}

export interface VerifyResult {
  job: string;
  equal: boolean;
  rows: { database: number; bitable: number };
  checksum: { database: string; bitable: string };
  onlyInDatabase: string[];
  onlyInBitable: string[];
  different: string[];
  duplicates: string[];
  keyless: number;
}

export interface JobStatus {
  job: string;
  direction: string;
  database: string;
  bitable?: { app_token: string; table_id: string };
  rows: number;
  lastRunAt?: number;
  lastResult?: unknown;
  lastError?: string;
  running?: { phase: string; startedAt: number };
  blocked?: string;
  pending: { databaseChanges: number };
  applied: { toDatabase: number; toBitable: number };
  conflicts: number;
}

/** A run would delete too much of one side: it stopped before writing anything. */
/** Records a Bitable table can hold (1254103 RecordExceedLimit past it). */
export const RECORDS_PER_TABLE = 20_000;

export class MassDeleteError extends Error {
  constructor(
    readonly job: string,
    readonly side: 'database' | 'bitable',
    readonly count: number,
    readonly total: number,
    readonly limitPercent: number,
  ) {
    super(`sync ${job}: this would delete ${count} of ${total} rows in ${side === 'database' ? 'the database' : 'Bitable'} (${((count / Math.max(1, total)) * 100).toFixed(1)} %, more than the ${limitPercent} % mass_delete_percent); nothing was written. If that is meant, run \`feishu-hub sync run ${job} --allow-mass-delete\`.`);
    this.name = 'MassDeleteError';
  }
}

export interface SyncJobDeps {
  store: Store;
  bitable: BitableClient;
  logger: Logger;
  /** Where the database URL comes from (env for url_env). */
  env?: NodeJS.ProcessEnv;
}

/** The database URL of a job (the value of url_env when given). */
export function databaseUrlOf(job: SyncJobConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (job.database.url) return job.database.url;
  const v = env[job.database.url_env!];
  if (!v) throw new Error(`sync: the environment variable ${job.database.url_env} (database.url_env) is not set; export it with the database URL`);
  return v;
}

const SCAN_PAGE = 2000;

/**
 * One sync job: a Bitable table and a SQL table kept equal. A run scans both sides, diffs them
 * against the state of the last sync and applies the plan in checkpointed chunks (Bitable first,
 * then the state); incremental changes come from record-changed events and the database's change
 * log, through the same diff for just the rows they name. Runs and changes of one job never overlap
 * (in this process, and across replicas on PostgreSQL).
 */
export class SyncJob {
  readonly state: SyncState;
  private target?: SqlTarget;
  private table?: ResolvedTable;
  private tail: Promise<unknown> = Promise.resolve();
  private schemaAt = 0;
  private readonly log: Logger;
  /** Set once the start-up run finished (or failed): the poll and reconcile jobs wait for it. */
  started = false;

  constructor(
    readonly name: string,
    readonly config: SyncJobConfig,
    private readonly deps: SyncJobDeps,
  ) {
    this.state = new SyncState(deps.store, name);
    this.log = deps.logger.child({ sync: name });
  }

  get bitable(): BitableClient {
    return this.deps.bitable;
  }

  /** Resolves the Bitable table and fields (creating what is missing) and opens the database. */
  async ready(): Promise<{ table: ResolvedTable; target: SqlTarget }> {
    if (!this.table || Date.now() - this.schemaAt > 60_000) {
      this.table = await resolveTable(this.deps.bitable, this.state, this.config, this.name);
      this.schemaAt = Date.now();
      if (this.table.created.length) this.log.info({ created: this.table.created }, `sync ${this.name}: created Bitable fields ${this.table.created.join(', ')}`);
    }
    if (!this.target) {
      const db = this.config.database;
      const target = await openTarget({
        url: databaseUrlOf(this.config, this.deps.env),
        table: db.table,
        key: { name: this.config.key.column, kind: this.config.key.kind },
        columns: this.table.pairs.map((p) => ({ name: p.column, kind: p.kind })),
        create: db.create,
        capture: db.capture,
        updatedAtColumn: db.updated_at_column,
      });
      try {
        const ensured = await target.ensure();
        if (ensured.created && db.seed?.length) {
          await target.upsert(db.seed as Record<string, SqlValue>[]);
          this.log.info({ rows: db.seed.length }, `sync ${this.name}: created table ${db.table} with ${db.seed.length} seed rows`);
        }
      } catch (err) {
        await target.close().catch(() => undefined);
        throw err;
      }
      this.target = target;
    }
    return { table: this.table, target: this.target };
  }

  /** Forgets the field list (a write named a field that is gone or renamed). */
  private forgetSchema(): void {
    this.schemaAt = 0;
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.target?.close();
    this.target = undefined;
  }

  /** Runs `fn` alone for this job: after the job's earlier work, and (PostgreSQL) holding the job's lock across replicas. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => this.underLock(() => this.onceMoreOnRename(fn)));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async underLock<T>(fn: () => Promise<T>): Promise<T> {
    const { store } = this.deps;
    if (store.dialect !== 'postgres') return fn();
    return store.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`feishu-hub:sync:${this.name}`}))`.execute(trx);
      return fn();
    });
  }

  /** A full run: initial load, catch-up after downtime, or the reconcile scan. */
  run(o: RunOptions = {}): Promise<RunResult> {
    return this.exclusive(() => this.runNow(o));
  }

  /** A field renamed while we read or wrote (a run, an event, a poll): once more with the field list read again (by id, so the mapping holds). */
  private async onceMoreOnRename<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isSchemaError(err)) throw err;
      this.log.info(`sync ${this.name}: a Bitable field was renamed; reading the fields again`);
      this.forgetSchema();
      return fn();
    }
  }

  private async runNow(o: RunOptions): Promise<RunResult> {
    const started = Date.now();
    const progress = o.onProgress ?? (() => undefined);
    const prior = await this.state.jobRow();
    const resumed = !!prior?.run_id;
    const runId = createHash('sha1').update(`${this.name}:${started}:${Math.random()}`).digest('hex').slice(0, 16);
    progress({ phase: 'resolve', done: 0, total: 0 });
    const { table, target } = await this.ready();
    if (!o.dryRun) await this.state.updateJob({ run_id: runId, run_phase: 'scan', run_started_at: started });
    try {
      // Changes logged from here on are read by the incremental path; the scan covers the ones before.
      const seqAtStart = this.config.database.capture === 'triggers' ? await target.latestSeq() : Date.now();
      const cursor = await this.state.cursor();
      const dbTimes = this.config.database.capture === 'triggers' ? await this.changeTimes(target, cursor, seqAtStart) : new Map<string, number>();
      const builder = new ViewBuilder(await this.state.all());
      let bitableRows = 0;
      const expected = Math.max(1, builder.views.size);
      for await (const r of this.deps.bitable.records(table.appToken, table.tableId, { fieldNames: [table.key.fieldName, ...table.pairs.map((p) => p.fieldName)], automaticFields: true })) {
        if (this.staleSchema([r], table)) throw new SchemaChangedError();
        const { key, side } = bitableSide(r, table.key, table.pairs);
        builder.addRecord(key, side);
        if (++bitableRows % 500 === 0) progress({ phase: 'scan-bitable', done: bitableRows, total: Math.max(expected, bitableRows) });
      }
      progress({ phase: 'scan-bitable', done: bitableRows, total: bitableRows });
      let dbRows = 0;
      let after: string | number | undefined;
      const dbTotal = await target.count();
      for (;;) {
        const rows = await target.scan({ after, limit: SCAN_PAGE });
        for (const row of rows) {
          const side = databaseSide(row, table.key, table.pairs);
          builder.addRow(side.key, { ...side, time: side.key !== undefined ? (this.config.database.capture === 'updated_at' ? timeOf(row[this.config.database.updated_at_column!]) : dbTimes.get(side.key)) : undefined });
        }
        dbRows += rows.length;
        progress({ phase: 'scan-database', done: dbRows, total: Math.max(dbTotal, dbRows) });
        if (rows.length < SCAN_PAGE) break;
        after = rows[rows.length - 1][this.config.key.column] as string | number;
      }
      progress({ phase: 'plan', done: 0, total: 0 });
      const keyed = this.keyless(builder, table);
      const plan = planKeys(builder.views.values(), { direction: this.config.direction, conflict: this.config.conflict });
      this.guard(plan, { database: dbRows, bitable: bitableRows }, o.allowMassDelete);
      // A table holds at most 20,000 records (1254103): say so before writing a part of the plan.
      const recordsAfter = bitableRows + plan.bitable.create.length - plan.bitable.delete.length;
      if (plan.bitable.create.length && recordsAfter > RECORDS_PER_TABLE) throw new Error(`sync ${this.name}: this run would leave ${recordsAfter} records in Bitable table ${table.tableId}, and a table holds at most ${RECORDS_PER_TABLE}; nothing was written. Sync a smaller database table (split the rows over several tables and jobs).`);
      const result: RunResult = {
        job: this.name,
        dryRun: !!o.dryRun,
        resumed,
        durationMs: 0,
        rows: { database: dbRows, bitable: bitableRows },
        plan: planCounts(plan),
        keyed: keyed.length,
        conflicts: plan.conflicts.slice(0, 50),
        calls: { bitableWrites: 0 },
      };
      if (!o.dryRun) {
        if (keyed.length) result.calls.bitableWrites += await this.writeKeys(table, keyed);
        result.calls.bitableWrites += await this.apply(plan, table, target, progress);
        await this.state.bump(plan.database.upsert.length + plan.database.delete.length, plan.bitable.create.length + plan.bitable.update.length + plan.bitable.delete.length);
        const patch: Parameters<SyncState['updateJob']>[0] = { run_id: null, run_phase: null, run_started_at: null, last_run_at: Date.now(), last_error: null, blocked: null };
        if (seqAtStart > cursor) patch.db_cursor = seqAtStart;
        result.durationMs = Date.now() - started;
        patch.last_result = JSON.stringify({ ...result, conflicts: result.conflicts.length, source: o.source ?? 'api' });
        await this.state.updateJob(patch);
        if (this.config.database.capture === 'triggers' && seqAtStart > cursor) await target.trim(seqAtStart);
      }
      result.durationMs = Date.now() - started;
      progress({ phase: 'done', done: 1, total: 1 });
      return result;
    } catch (err) {
      if (!o.dryRun) await this.state.updateJob({ last_error: err instanceof Error ? err.message : String(err), ...(err instanceof MassDeleteError ? { blocked: err.message, run_id: null, run_phase: null, run_started_at: null } : { run_phase: 'failed' }) });
      throw err;
    }
  }

  /** When each key last changed in the database, from the change log (for the latest-wins policy). */
  private async changeTimes(target: SqlTarget, after: number, upTo: number): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    let cursor = after;
    while (cursor < upTo) {
      const changes = await target.changes({ after: cursor, limit: 10_000 });
      if (!changes.length) break;
      for (const c of changes) if (c.seq <= upTo) times.set(c.key, Math.max(times.get(c.key) ?? 0, c.at));
      cursor = changes[changes.length - 1].seq;
      if (changes.length < 10_000) break;
    }
    return times;
  }

  /**
   * Records without a key: with a text key they get their record id as key (written back to
   * Bitable, so the row can be found again) and then sync as new rows; a one-way job into Bitable
   * deletes them (the database has no such row); an integer key cannot take a record id (reported).
   */
  private keyless(builder: ViewBuilder, table: ResolvedTable): { record_id: string }[] {
    const out: { record_id: string }[] = [];
    for (const side of builder.keyless) {
      if (this.config.direction === 'to_bitable') {
        builder.addRecord(`record:${side.record_id}`, side);
        continue;
      }
      if (table.key.kind !== 'text') {
        this.log.warn({ record_id: side.record_id }, `sync ${this.name}: record ${side.record_id} has no ${table.key.fieldName} (an integer key); it is not synced until it has one`);
        continue;
      }
      builder.addRecord(side.record_id, side);
      out.push({ record_id: side.record_id });
    }
    return out;
  }

  private async writeKeys(table: ResolvedTable, keyed: { record_id: string }[]): Promise<number> {
    let calls = 0;
    for (const part of chunk(keyed, 1000)) {
      await this.deps.bitable.batchUpdate(table.appToken, table.tableId, part.map((k) => ({ record_id: k.record_id, fields: { [table.key.fieldName]: toWriteValue(table.key.fieldType, sqlToPlain(table.key.fieldType, k.record_id), table.key.fieldName) } })));
      calls++;
    }
    return calls;
  }

  /** Stops a plan that deletes more than the job's share of a side. */
  private guard(plan: Plan, sizes: { database: number; bitable: number }, allow?: boolean): void {
    if (allow) return;
    const limit = this.config.mass_delete_percent;
    const check = (side: 'database' | 'bitable', count: number, total: number) => {
      if (count > this.config.mass_delete_min_rows && count > (total * limit) / 100) throw new MassDeleteError(this.name, side, count, total, limit);
    };
    check('database', plan.database.delete.length, sizes.database);
    check('bitable', plan.bitable.delete.length, sizes.bitable);
  }

  private keyForDb(key: string): string | number {
    return this.config.key.kind === 'integer' ? Number(key) : key;
  }

  private keyFields(table: ResolvedTable, key: string): Record<string, unknown> {
    return { [table.key.fieldName]: toWriteValue(table.key.fieldType, sqlToPlain(table.key.fieldType, this.keyForDb(key)), table.key.fieldName) };
  }

  /**
   * Applies a plan in chunks, each followed by its state rows (the checkpoint): a crash loses at
   * most the chunk in flight, which the next run's diff finds done or not done on each side.
   * Creates are marked pending first and carry a client_token derived from their keys.
   */
  private async apply(plan: Plan, table: ResolvedTable, target: SqlTarget, progress: (p: SyncProgress) => void): Promise<number> {
    const { bitable } = this.deps;
    const { appToken, tableId, pairs } = table;
    const total = plan.bitable.create.length + plan.bitable.update.length + plan.bitable.delete.length + plan.database.upsert.length + plan.database.delete.length;
    let done = 0;
    let calls = 0;
    const step = (n: number) => progress({ phase: 'apply', done: (done += n), total });
    if (total) step(0);
    await this.state.addConflicts(plan.conflicts);
    for (const c of plan.conflicts) if (c.reason !== 'duplicate_key') this.log.warn({ key: c.key, record_id: c.record_id, reason: c.reason, winner: c.winner, database: c.database, bitable: c.bitable }, `sync ${this.name}: conflict on ${c.key} (${c.reason}); ${c.winner} wins`);
    for (const part of chunk(plan.bitable.delete, 500)) {
      await bitable.batchDelete(appToken, tableId, part.map((d) => d.record_id));
      calls++;
      await this.state.drop(part.map((d) => d.key));
      step(part.length);
    }
    for (const part of chunk(plan.database.delete, 1000)) {
      await target.delete(part.map((d) => this.keyForDb(d.key)));
      await this.state.drop(part.map((d) => d.key));
      step(part.length);
    }
    // Creates are pipelined: while one batch is in flight, the previous one is checkpointed and the
    // next one marked pending and built. A batch is always marked pending before it is sent, and
    // checkpointed only after it was answered, so a crash anywhere leaves the next run to find it.
    const creates = chunk(plan.bitable.create, 1000);
    const build = (part: Plan['bitable']['create']) => {
      const keys = part.map((c) => c.key);
      const token = derivedClientToken(`sync:${this.name}:${createHash('sha1').update(keys.join('\u0000')).digest('hex')}`, 0);
      return { keys, token, records: part.map((c) => ({ ...this.keyFields(table, c.key), ...recordFields(c.values, pairs) })) };
    };
    let next = creates.length ? build(creates[0]) : undefined;
    if (next) await this.state.markPending(next.keys);
    let checkpoint: Promise<void> = Promise.resolve();
    for (let i = 0; i < creates.length; i++) {
      const part = creates[i];
      const batch = next!;
      const inFlight = bitable.batchCreate(appToken, tableId, batch.records, { clientToken: batch.token });
      inFlight.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      await checkpoint;
      next = creates[i + 1] ? build(creates[i + 1]) : undefined;
      if (next) await this.state.markPending(next.keys);
      const created = await inFlight;
      calls++;
      checkpoint = this.state.set(part.map((c, j) => ({ key: c.key, record_id: created[j].record_id, values: c.values })), pairs).then(() => step(part.length));
      checkpoint.catch(() => undefined);
    }
    await checkpoint;
    for (const part of chunk(plan.bitable.update, 1000)) {
      const records = part.map((u) => ({ record_id: u.record_id, fields: recordFields(u.values, pairs, u.previous) })).filter((r) => Object.keys(r.fields).length);
      if (records.length) {
        await bitable.batchUpdate(appToken, tableId, records);
        calls++;
      }
      await this.state.set(part.map((u) => ({ key: u.key, record_id: u.record_id, values: u.values })), pairs);
      step(part.length);
    }
    for (const part of chunk(plan.database.upsert, 1000)) {
      await target.upsert(part.map((u) => ({ [this.config.key.column]: this.keyForDb(u.key), ...u.values })));
      await this.state.set(part.map((u) => ({ key: u.key, record_id: u.record_id, values: u.values })), pairs);
      step(part.length);
    }
    await this.state.set(plan.settle, pairs);
    await this.state.drop(plan.drop);
    return calls;
  }

  /** Records carrying a field name the resolved schema does not know: a field was renamed since. */
  private staleSchema(records: BitableRecord[], table: ResolvedTable): boolean {
    const names = new Set(table.fields.map((f) => f.field_name));
    return records.some((r) => Object.keys(r.fields ?? {}).some((n) => !names.has(n)));
  }

  /**
   * Applies the rows a record-changed event names (Bitable → database). The engine's own writes come
   * back as events too: those whose values equal the synced state are skipped without a read.
   */
  onRecordChanged(event: { file_token?: string; table_id?: string; action_list?: { record_id?: string; action?: string; before_value?: { field_id?: string; field_value?: string }[]; after_value?: { field_id?: string; field_value?: string }[] }[] }): Promise<{ applied: number; skipped: number }> {
    return this.exclusive(async () => {
      const { table, target } = await this.ready();
      if (event.file_token !== table.appToken || event.table_id !== table.tableId) return { applied: 0, skipped: 0 };
      const job = await this.state.jobRow();
      if (job?.blocked) {
        this.log.warn(`sync ${this.name}: a Bitable change arrived while the job is paused (${job.blocked}); the next run covers it`);
        return { applied: 0, skipped: (event.action_list ?? []).length };
      }
      if (this.config.direction === 'to_bitable') return { applied: 0, skipped: (event.action_list ?? []).length };
      const actions = (event.action_list ?? []).filter((a) => a.record_id);
      const states = new Map((await this.state.byRecordIds(actions.map((a) => a.record_id!))).map((s) => [s.record_id!, s]));
      const byId = new Map([table.key, ...table.pairs].map((p) => [p.fieldId, p]));
      const todo: string[] = [];
      for (const a of actions) {
        const s = states.get(a.record_id!);
        if (a.action === 'record_deleted') {
          if (s) todo.push(a.record_id!);
          continue;
        }
        if (!s || s.pending) {
          todo.push(a.record_id!);
          continue;
        }
        // Our own write echoed: the values the event carries are the ones the state already holds.
        const merged: RowValues = { ...s.values };
        let keyChanged = false;
        // A cleared cell is in before_value only (after_value leaves empty fields out).
        const after = new Map((a.after_value ?? []).map((v) => [v.field_id ?? '', v.field_value]));
        for (const v of a.before_value ?? []) if (!after.has(v.field_id ?? '')) after.set(v.field_id ?? '', undefined);
        for (const [fieldId, fieldValue] of after) {
          const p = byId.get(fieldId);
          if (!p) continue;
          const value = fromEventValue(p, fieldValue);
          if (p === table.key) keyChanged = keyText(value) !== s.key;
          else merged[p.column] = value;
        }
        if (keyChanged || hashOf(merged, table.pairs) !== s.hash) todo.push(a.record_id!);
      }
      if (!todo.length) return { applied: 0, skipped: actions.length };
      const applied = await this.reconcile(table, target, [], todo);
      return { applied, skipped: actions.length - todo.length };
    });
  }

  /** Reads the database's change log and applies what changed (database → Bitable), then marks it read. */
  pollDatabase(): Promise<{ changes: number; applied: number }> {
    return this.exclusive(async () => {
      const { table, target } = await this.ready();
      const job = await this.state.jobRow();
      if (job?.blocked || job?.run_id || !job?.last_run_at) return { changes: 0, applied: 0 };
      const cursor = Number(job.db_cursor ?? 0);
      if (this.config.database.capture === 'updated_at') {
        const rows = await target.changedSince!({ sinceMs: cursor, limit: 5000 });
        if (!rows.length) return { changes: 0, applied: 0 };
        const keys = rows.map((r) => keyText(r[this.config.key.column])).filter((k): k is string => !!k);
        const times = new Map(rows.map((r) => [keyText(r[this.config.key.column])!, timeOf(r[this.config.database.updated_at_column!]) ?? 0]));
        const applied = this.config.direction === 'to_database' ? 0 : await this.reconcile(table, target, await this.changedInDatabase(table, target, keys), [], times);
        await this.state.updateJob({ db_cursor: Math.max(cursor, ...times.values()) });
        return { changes: rows.length, applied };
      }
      const changes = await target.changes({ after: cursor, limit: 5000 });
      if (!changes.length) return { changes: 0, applied: 0 };
      const times = new Map<string, number>();
      for (const c of changes) times.set(c.key, Math.max(times.get(c.key) ?? 0, c.at));
      const applied = this.config.direction === 'to_database' ? 0 : await this.reconcile(table, target, await this.changedInDatabase(table, target, [...times.keys()]), [], times);
      const last = changes[changes.length - 1].seq;
      await this.state.updateJob({ db_cursor: last });
      await target.trim(last);
      return { changes: changes.length, applied };
    });
  }

  /**
   * The keys of the change log whose row differs from the synced state. The triggers log the
   * engine's own upserts too (Bitable → database): those rows equal the state and need no Bitable read.
   */
  private async changedInDatabase(table: ResolvedTable, target: SqlTarget, keys: string[]): Promise<string[]> {
    if (!keys.length) return keys;
    const states = new Map((await this.state.byKeys(keys)).map((s) => [s.key, s]));
    const rows = new Map<string, string>();
    for (const row of await target.get(keys.map((k) => this.keyForDb(k)))) {
      const side = databaseSide(row, table.key, table.pairs);
      if (side.key !== undefined) rows.set(side.key, side.hash);
    }
    return keys.filter((k) => {
      const s = states.get(k);
      const hash = rows.get(k);
      if (!s) return hash !== undefined;
      return s.pending || !s.record_id || hash !== s.hash;
    });
  }

  /**
   * The three-way diff and its writes for just these keys / record ids (the incremental path).
   * Returns how many rows were written on either side.
   */
  private async reconcile(table: ResolvedTable, target: SqlTarget, keys: string[], recordIds: string[], dbTimes?: Map<string, number>): Promise<number> {
    const states = [...(await this.state.byKeys(keys)), ...(await this.state.byRecordIds(recordIds))];
    const builder = new ViewBuilder(states);
    // Keys the change log named that neither the state nor Bitable knows yet: new database rows.
    for (const k of keys) builder.view(k);
    const ids = [...new Set([...recordIds, ...states.map((s) => s.record_id).filter((r): r is string => !!r)])];
    const records: BitableRecord[] = [];
    if (ids.length) records.push(...(await this.deps.bitable.batchGet(table.appToken, table.tableId, ids, { automaticFields: true })).records);
    // A create cut off by a crash: the record may exist although the state never learnt its id.
    const lost = states.filter((s) => s.pending || !s.record_id).map((s) => s.key);
    for (const part of chunk(lost, 50)) {
      for await (const r of this.deps.bitable.records(table.appToken, table.tableId, { automaticFields: true, filter: { conjunction: 'or', conditions: part.map((k) => ({ field_name: table.key.fieldName, operator: 'is' as const, value: [k] })) } })) {
        if (!records.some((x) => x.record_id === r.record_id)) records.push(r);
      }
    }
    // onceMoreOnRename (around every run, event and poll) reads the fields again and repeats.
    if (this.staleSchema(records, table)) throw new SchemaChangedError();
    for (const r of records) {
      const { key, side } = bitableSide(r, table.key, table.pairs);
      builder.addRecord(key, side);
    }
    const keyed = this.keyless(builder, table);
    const allKeys = [...builder.views.keys()].filter((k) => !k.startsWith('record:'));
    const rows = allKeys.length ? await target.get(allKeys.map((k) => this.keyForDb(k))) : [];
    for (const row of rows) {
      const side = databaseSide(row, table.key, table.pairs);
      builder.addRow(side.key, { ...side, time: side.key ? (dbTimes?.get(side.key) ?? (this.config.database.capture === 'updated_at' ? timeOf(row[this.config.database.updated_at_column!]) : undefined)) : undefined });
    }
    const plan = planKeys(builder.views.values(), { direction: this.config.direction, conflict: this.config.conflict });
    const n = plan.bitable.create.length + plan.bitable.update.length + plan.bitable.delete.length + plan.database.upsert.length + plan.database.delete.length;
    if (n === 0 && !plan.settle.length && !plan.drop.length && !keyed.length) return 0;
    try {
      this.guard(plan, { database: await this.state.count(), bitable: await this.state.count() });
    } catch (err) {
      if (err instanceof MassDeleteError) {
        await this.state.updateJob({ blocked: err.message, last_error: err.message });
        this.log.error(err.message);
        return 0;
      }
      throw err;
    }
    if (keyed.length) await this.writeKeys(table, keyed);
    await this.apply(plan, table, target, () => undefined);
    await this.state.bump(plan.database.upsert.length + plan.database.delete.length, plan.bitable.create.length + plan.bitable.update.length + plan.bitable.delete.length);
    if (n) this.log.info({ plan: planCounts(plan) }, `sync ${this.name}: applied ${n} change(s)`);
    return n;
  }

  /** Compares every row of both sides (checksums over the synced values); `repair` then runs the job. */
  verify(): Promise<VerifyResult> {
    return this.exclusive(async () => {
      const { table, target } = await this.ready();
      const b = new Map<string, string>();
      const duplicates: string[] = [];
      let keyless = 0;
      let bitableRows = 0;
      for await (const r of this.deps.bitable.records(table.appToken, table.tableId, { fieldNames: [table.key.fieldName, ...table.pairs.map((p) => p.fieldName)] })) {
        bitableRows++;
        const { key, side } = bitableSide(r, table.key, table.pairs);
        if (key === undefined) keyless++;
        else if (b.has(key)) duplicates.push(key);
        else b.set(key, side.hash);
      }
      const d = new Map<string, string>();
      let after: string | number | undefined;
      for (;;) {
        const rows = await target.scan({ after, limit: SCAN_PAGE });
        for (const row of rows) {
          const side = databaseSide(row, table.key, table.pairs);
          if (side.key !== undefined) d.set(side.key, side.hash);
        }
        if (rows.length < SCAN_PAGE) break;
        after = rows[rows.length - 1][this.config.key.column] as string | number;
      }
      const digest = (m: Map<string, string>) => {
        const h = createHash('sha256');
        for (const k of [...m.keys()].sort()) h.update(k).update('\u0000').update(m.get(k)!).update('\n');
        return h.digest('hex');
      };
      const onlyInDatabase = [...d.keys()].filter((k) => !b.has(k));
      const onlyInBitable = [...b.keys()].filter((k) => !d.has(k));
      const different = [...d.keys()].filter((k) => b.has(k) && b.get(k) !== d.get(k));
      const checksum = { database: digest(d), bitable: digest(b) };
      return {
        job: this.name,
        equal: checksum.database === checksum.bitable && !duplicates.length && !keyless,
        rows: { database: d.size, bitable: bitableRows },
        checksum,
        onlyInDatabase,
        onlyInBitable,
        different,
        duplicates,
        keyless,
      };
    });
  }

  async status(): Promise<JobStatus> {
    const row = await this.state.jobRow();
    let pendingChanges = 0;
    if (this.target && this.config.database.capture === 'triggers') pendingChanges = Math.max(0, (await this.target.latestSeq().catch(() => 0)) - Number(row?.db_cursor ?? 0));
    return {
      job: this.name,
      direction: this.config.direction,
      database: this.target?.description ?? this.config.database.table,
      ...(row?.app_token && row.table_id ? { bitable: { app_token: row.app_token, table_id: row.table_id } } : {}),
      rows: await this.state.count(),
      ...(row?.last_run_at ? { lastRunAt: Number(row.last_run_at) } : {}),
      ...(row?.last_result ? { lastResult: JSON.parse(row.last_result) as unknown } : {}),
      ...(row?.last_error ? { lastError: row.last_error } : {}),
      ...(row?.run_id && row.run_phase ? { running: { phase: row.run_phase, startedAt: Number(row.run_started_at) } } : {}),
      ...(row?.blocked ? { blocked: row.blocked } : {}),
      pending: { databaseChanges: pendingChanges },
      applied: { toDatabase: Number(row?.to_database ?? 0), toBitable: Number(row?.to_bitable ?? 0) },
      conflicts: await this.state.conflictCount(),
    };
  }

  /** The empty plan (for callers that need the shape). */
  static emptyPlan = emptyPlan;
}

/** Bitable no longer has a field by the name the engine used (renamed): read the fields again. */
export class SchemaChangedError extends Error {
  readonly code = 1254045;
  constructor() {
    super('a mapped Bitable field was renamed; the field list is read again');
    this.name = 'SchemaChangedError';
  }
}

/** FieldNameNotFound, InvalidFieldNames: a name the engine used is gone (a rename). */
function isSchemaError(err: unknown): boolean {
  const code = (err as { code?: number } | undefined)?.code;
  return err instanceof SchemaChangedError || code === 1254045 || code === 1254024;
}

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/** Re-exported for callers (the hub API, the CLI). */
export { canonical };
