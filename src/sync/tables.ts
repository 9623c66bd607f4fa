import type { Kysely, Migration } from 'kysely';

/** Times are epoch ms in bigint columns (PostgreSQL returns them as strings: read with Number()). */
export interface SyncRowsTable {
  job: string;
  /** The key column's value, as text. */
  row_key: string;
  /** The Bitable record holding the row (null while its create is pending). */
  record_id: string | null;
  /** sha1 of `vals`: what both sides held when the row was last in step. */
  hash: string;
  /** The synced values (canonical JSON, by column) — the base of the three-way diff. */
  vals: string;
  /** 1 while a Bitable create for this row is under way (a crash then looks the key up before creating again). */
  pending: number;
  synced_at: number | string;
}

export interface SyncJobsTable {
  job: string;
  app_token: string | null;
  table_id: string | null;
  /** JSON: the mapping's field refs (names or ids) → field ids, resolved once so renames do not break it. */
  field_ids: string | null;
  /** The last database change-log seq applied. */
  db_cursor: number | string;
  /** The run under way (or cut off by a crash: the next one resumes it). */
  run_id: string | null;
  run_phase: string | null;
  run_started_at: number | string | null;
  last_run_at: number | string | null;
  /** JSON: the last finished run's summary. */
  last_result: string | null;
  last_error: string | null;
  /** Why incremental sync is paused (a mass delete waiting for --allow-mass-delete). */
  blocked: string | null;
  /** Incremental changes applied (each way), for status. */
  to_database: number;
  to_bitable: number;
  updated_at: number | string;
}

export interface SyncConflictsTable {
  id: string;
  job: string;
  row_key: string;
  record_id: string | null;
  /** both_changed | edit_vs_delete | duplicate_key | no_key | first_sync */
  reason: string;
  /** JSON of each side's values (null: the row is absent there). */
  database_value: string | null;
  bitable_value: string | null;
  database_time: number | string | null;
  bitable_time: number | string | null;
  /** database | bitable | none */
  winner: string;
  at: number | string;
}

export interface SyncTables {
  sync_rows: SyncRowsTable;
  sync_jobs: SyncJobsTable;
  sync_conflicts: SyncConflictsTable;
}

export type SyncDb = Kysely<SyncTables>;

/** The capability's migrations (stored as `sync/<name>`); append only. */
export const syncMigrations: Record<string, Migration> = {
  '0001_rows_jobs_conflicts': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sync_rows')
        .addColumn('job', 'varchar(64)', (c) => c.notNull())
        .addColumn('row_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('record_id', 'varchar(64)')
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('vals', 'text', (c) => c.notNull())
        .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('synced_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_rows_pk', ['job', 'row_key'])
        .execute();
      await db.schema.createIndex('sync_rows_record').on('sync_rows').columns(['job', 'record_id']).execute();
      await db.schema
        .createTable('sync_jobs')
        .addColumn('job', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('app_token', 'varchar(128)')
        .addColumn('table_id', 'varchar(64)')
        .addColumn('field_ids', 'text')
        .addColumn('db_cursor', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('run_id', 'varchar(64)')
        .addColumn('run_phase', 'varchar(32)')
        .addColumn('run_started_at', 'bigint')
        .addColumn('last_run_at', 'bigint')
        .addColumn('last_result', 'text')
        .addColumn('last_error', 'text')
        .addColumn('blocked', 'text')
        .addColumn('to_database', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('to_bitable', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sync_conflicts')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('job', 'varchar(64)', (c) => c.notNull())
        .addColumn('row_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('record_id', 'varchar(64)')
        .addColumn('reason', 'varchar(32)', (c) => c.notNull())
        .addColumn('database_value', 'text')
        .addColumn('bitable_value', 'text')
        .addColumn('database_time', 'bigint')
        .addColumn('bitable_time', 'bigint')
        .addColumn('winner', 'varchar(16)', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sync_conflicts_job_at').on('sync_conflicts').columns(['job', 'at']).execute();
    },
  },
};
