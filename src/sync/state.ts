import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../store/index.js';
import { chunk } from '../bitable/index.js';
import { hashOf, stable, type ResolvedPair, type RowValues } from './codec.js';
import type { PlannedConflict } from './plan.js';
import type { SyncDb, SyncJobsTable } from './tables.js';

export interface StateRow {
  key: string;
  record_id: string | null;
  hash: string;
  values: RowValues;
  pending: boolean;
}

const num = (v: number | string | null | undefined) => (v === null || v === undefined ? undefined : Number(v));

/** The engine's memory of one job in the hub's store: synced rows, the job's cursor and runs, conflicts. */
export class SyncState {
  readonly db: SyncDb;

  constructor(
    readonly store: Store,
    readonly job: string,
  ) {
    this.db = store.db as unknown as SyncDb;
  }

  async jobRow(): Promise<SyncJobsTable | undefined> {
    return this.db.selectFrom('sync_jobs').selectAll().where('job', '=', this.job).executeTakeFirst();
  }

  async updateJob(patch: Partial<Omit<SyncJobsTable, 'job'>>): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('sync_jobs')
      .values({ job: this.job, db_cursor: 0, to_database: 0, to_bitable: 0, updated_at: now, ...patch } as SyncJobsTable)
      .onConflict((oc) => oc.column('job').doUpdateSet({ ...patch, updated_at: now }))
      .execute();
  }

  /** Adds to the incremental counters. */
  async bump(toDatabase: number, toBitable: number): Promise<void> {
    if (!toDatabase && !toBitable) return;
    await this.db
      .updateTable('sync_jobs')
      .set({ to_database: sql`to_database + ${toDatabase}`, to_bitable: sql`to_bitable + ${toBitable}`, updated_at: Date.now() } as never)
      .where('job', '=', this.job)
      .execute();
  }

  async cursor(): Promise<number> {
    return num((await this.jobRow())?.db_cursor) ?? 0;
  }

  async all(): Promise<Map<string, StateRow>> {
    const out = new Map<string, StateRow>();
    // Keyset pages: a 100k-row job never holds one giant result set in the driver.
    let after = '';
    for (;;) {
      const rows = await this.db.selectFrom('sync_rows').selectAll().where('job', '=', this.job).where('row_key', '>', after).orderBy('row_key').limit(5000).execute();
      for (const r of rows) out.set(r.row_key, parse(r));
      if (rows.length < 5000) return out;
      after = rows[rows.length - 1].row_key;
    }
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('sync_rows').select((eb) => eb.fn.countAll<number | string>().as('n')).where('job', '=', this.job).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async byKeys(keys: string[]): Promise<StateRow[]> {
    const out: StateRow[] = [];
    for (const part of chunk(keys, 500)) {
      if (!part.length) continue;
      const rows = await this.db.selectFrom('sync_rows').selectAll().where('job', '=', this.job).where('row_key', 'in', part).execute();
      out.push(...rows.map(parse));
    }
    return out;
  }

  async byRecordIds(ids: string[]): Promise<StateRow[]> {
    const out: StateRow[] = [];
    for (const part of chunk(ids, 500)) {
      if (!part.length) continue;
      const rows = await this.db.selectFrom('sync_rows').selectAll().where('job', '=', this.job).where('record_id', 'in', part).execute();
      out.push(...rows.map(parse));
    }
    return out;
  }

  /** Records rows as in step (values as both sides now hold them). */
  async set(rows: { key: string; record_id: string | null; values: RowValues; pending?: boolean }[], pairs: ResolvedPair[]): Promise<void> {
    const now = Date.now();
    for (const part of chunk(rows, 500)) {
      if (!part.length) continue;
      await this.db
        .insertInto('sync_rows')
        .values(part.map((r) => ({ job: this.job, row_key: r.key, record_id: r.record_id, hash: r.pending ? '' : hashOf(r.values, pairs), vals: stable(r.values), pending: r.pending ? 1 : 0, synced_at: now })))
        .onConflict((oc) =>
          oc.columns(['job', 'row_key']).doUpdateSet((eb) => ({
            record_id: eb.ref('excluded.record_id'),
            hash: eb.ref('excluded.hash'),
            vals: eb.ref('excluded.vals'),
            pending: eb.ref('excluded.pending'),
            synced_at: eb.ref('excluded.synced_at'),
          })),
        )
        .execute();
    }
  }

  /** Marks Bitable creates under way (a crash then looks each key up in Bitable before creating again). */
  async markPending(keys: string[]): Promise<void> {
    const now = Date.now();
    for (const part of chunk(keys, 500)) {
      if (!part.length) continue;
      await this.db
        .insertInto('sync_rows')
        .values(part.map((key) => ({ job: this.job, row_key: key, record_id: null, hash: '', vals: '{}', pending: 1, synced_at: now })))
        .onConflict((oc) => oc.columns(['job', 'row_key']).doUpdateSet({ pending: 1 }))
        .execute();
    }
  }

  /** Forgets every synced row (the Bitable side was replaced). */
  async clearRows(): Promise<void> {
    await this.db.deleteFrom('sync_rows').where('job', '=', this.job).execute();
  }

  async drop(keys: string[]): Promise<void> {
    for (const part of chunk(keys, 500)) {
      if (part.length) await this.db.deleteFrom('sync_rows').where('job', '=', this.job).where('row_key', 'in', part).execute();
    }
  }

  async addConflicts(conflicts: PlannedConflict[]): Promise<void> {
    const now = Date.now();
    for (const part of chunk(conflicts, 200)) {
      if (!part.length) continue;
      await this.db
        .insertInto('sync_conflicts')
        .values(
          part.map((c) => ({
            id: randomUUID(),
            job: this.job,
            row_key: c.key,
            record_id: c.record_id,
            reason: c.reason,
            database_value: c.database ? stable(c.database) : null,
            bitable_value: c.bitable ? stable(c.bitable) : null,
            database_time: c.databaseTime ?? null,
            bitable_time: c.bitableTime ?? null,
            winner: c.winner,
            at: now,
          })),
        )
        .execute();
    }
  }

  async conflicts(limit = 50): Promise<{ key: string; record_id: string | null; reason: string; database: unknown; bitable: unknown; databaseTime?: number; bitableTime?: number; winner: string; at: number }[]> {
    const rows = await this.db.selectFrom('sync_conflicts').selectAll().where('job', '=', this.job).orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      key: r.row_key,
      record_id: r.record_id,
      reason: r.reason,
      database: r.database_value ? JSON.parse(r.database_value) : null,
      bitable: r.bitable_value ? JSON.parse(r.bitable_value) : null,
      databaseTime: num(r.database_time),
      bitableTime: num(r.bitable_time),
      winner: r.winner,
      at: Number(r.at),
    }));
  }

  async conflictCount(): Promise<number> {
    const r = await this.db.selectFrom('sync_conflicts').select((eb) => eb.fn.countAll<number | string>().as('n')).where('job', '=', this.job).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}

function parse(r: { row_key: string; record_id: string | null; hash: string; vals: string; pending: number | string }): StateRow {
  return { key: r.row_key, record_id: r.record_id, hash: r.hash, values: JSON.parse(r.vals) as RowValues, pending: Number(r.pending) === 1 };
}
