import type { Kysely, Migration } from 'kysely';

/** Times are epoch ms in bigint columns (PostgreSQL returns them as strings: read with Number()). */
export interface DirectoryUsersTable {
  open_id: string;
  union_id: string | null;
  user_id: string | null;
  name: string;
  en_name: string | null;
  email: string | null;
  mobile: string | null;
  /** JSON array of open_department_ids ("0" = the root). */
  department_ids: string;
  /** The leader's open_id. */
  leader: string | null;
  employee_no: string | null;
  job_title: string | null;
  /** active | resigned | frozen | inactive | deleted */
  status: string;
  /** The user object as Feishu last sent it (API or event). */
  raw: string;
  /** When the data in this row was true at Feishu (event create_time, or when the page was requested): older news never overwrites it. */
  source_time: number | string;
  /** The full-sync run that last saw this row (rows no run saw are gone from Feishu). */
  seen_run: string | null;
  updated_at: number | string;
}

export interface DirectoryDepartmentsTable {
  open_department_id: string;
  department_id: string | null;
  name: string;
  en_name: string | null;
  /** open_department_id of the parent ("0" = the root). */
  parent_id: string;
  leader: string | null;
  /** active | deleted */
  status: string;
  raw: string;
  source_time: number | string;
  seen_run: string | null;
  updated_at: number | string;
}

/** One row per sync kind (`full`): the last finished run, and the run under way (resumable). */
export interface DirectorySyncStateTable {
  key: string;
  run_id: string | null;
  /** idle | departments | users */
  phase: string;
  run_started_at: number | string | null;
  last_full_sync_at: number | string | null;
  last_duration_ms: number | null;
  users: number;
  departments: number;
  /** JSON: the last finished run's counts (created/updated/deleted, calls, source). */
  last_result: string | null;
  last_error: string | null;
  updated_at: number | string;
}

/** The departments whose members the current run still has to fetch (its cursor). */
export interface DirectorySyncPendingTable {
  run_id: string;
  department_id: string;
  done: number;
}

export interface DirectoryTables {
  directory_users: DirectoryUsersTable;
  directory_departments: DirectoryDepartmentsTable;
  directory_sync_state: DirectorySyncStateTable;
  directory_sync_pending: DirectorySyncPendingTable;
}

export type DirectoryDb = Kysely<DirectoryTables>;

/** The capability's migrations (stored as `directory/<name>`); append only. */
export const directoryMigrations: Record<string, Migration> = {
  '0001_users_departments_sync_state': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('directory_users')
        .addColumn('open_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('union_id', 'varchar(64)')
        .addColumn('user_id', 'varchar(128)')
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('en_name', 'varchar(255)')
        .addColumn('email', 'varchar(255)')
        .addColumn('mobile', 'varchar(64)')
        .addColumn('department_ids', 'text', (c) => c.notNull())
        .addColumn('leader', 'varchar(64)')
        .addColumn('employee_no', 'varchar(128)')
        .addColumn('job_title', 'varchar(255)')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('source_time', 'bigint', (c) => c.notNull())
        .addColumn('seen_run', 'varchar(64)')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('directory_users_email').on('directory_users').column('email').execute();
      await db.schema.createIndex('directory_users_user_id').on('directory_users').column('user_id').execute();
      await db.schema.createIndex('directory_users_union_id').on('directory_users').column('union_id').execute();
      await db.schema.createIndex('directory_users_name').on('directory_users').column('name').execute();
      await db.schema
        .createTable('directory_departments')
        .addColumn('open_department_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('department_id', 'varchar(128)')
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('en_name', 'varchar(255)')
        .addColumn('parent_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('leader', 'varchar(64)')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('source_time', 'bigint', (c) => c.notNull())
        .addColumn('seen_run', 'varchar(64)')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('directory_departments_department_id').on('directory_departments').column('department_id').execute();
      await db.schema
        .createTable('directory_sync_state')
        .addColumn('key', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('run_id', 'varchar(64)')
        .addColumn('phase', 'varchar(16)', (c) => c.notNull())
        .addColumn('run_started_at', 'bigint')
        .addColumn('last_full_sync_at', 'bigint')
        .addColumn('last_duration_ms', 'integer')
        .addColumn('users', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('departments', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_result', 'text')
        .addColumn('last_error', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('directory_sync_pending')
        .addColumn('run_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('directory_sync_pending_pk', ['run_id', 'department_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['directory_sync_pending', 'directory_sync_state', 'directory_departments', 'directory_users']) await db.schema.dropTable(t).ifExists().execute();
    },
  },
};
