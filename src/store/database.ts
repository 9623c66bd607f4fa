import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Driver, type Migration } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import { WalSync } from './wal-sync.js';
import { SqliteWriter } from './sqlite-writer.js';
import type { HubDb, HubSchema } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** The inbox's put-if-absent (SQLite and PostgreSQL both accept it); parameters as in `InboxRow`. */
export const INBOX_INSERT_SQL =
  "INSERT INTO inbox (event_id, event_type, source, payload, received_at, status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (event_id) DO NOTHING";

export interface OpenDatabaseOptions {
  /**
   * PostgreSQL only: use this schema (created if absent) instead of `public`. Also read from a
   * `?schema=` parameter of the URL. Tests use one schema per run.
   */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /** The capabilities' migrations, named `<capability>/<name>`, run with the store's own. */
  migrations?: Record<string, Migration>;
}

export interface Store {
  db: HubDb;
  dialect: Dialect;
  /** The PostgreSQL schema in use, if any. */
  schema?: string;
  /** SQLite: the database file's absolute path (or `:memory:`). */
  file?: string;
  /**
   * SQLite only: the better-sqlite3 handle, for the inbox's hot path (prepared statements in one
   * synchronous transaction). Never use it while `inTransaction` (a Kysely transaction is open).
   */
  sqlite?: Database.Database;
  /** SQLite file databases: the inbox's insert path on its own thread (see sqlite-writer.ts). */
  writer?: SqliteWriter;
  /**
   * Resolves when every write committed so far survives a crash or power loss. PostgreSQL commits
   * are durable already; SQLite fsyncs its WAL here, off the event loop, shared by concurrent callers.
   */
  durable(): Promise<void>;
  /** Runs pending migrations (done by `openDatabase` unless `migrate: false`). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the hub's database from a `DATABASE_URL`: `sqlite:<path>` (a file, WAL mode; the folder is
 * created) or `postgres://…` (a pool). Both give the same Kysely schema; callers never branch on it
 * except for the few statements a dialect does differently (`store.dialect`).
 *
 * SQLite URL parameter `?synchronous=full|normal|off`: by default commits are not fsynced inline;
 * `store.durable()` fsyncs the WAL off the event loop for writes that must survive power loss
 * (the inbox awaits it before the 200). `full` fsyncs inline on every commit instead.
 *
 * @example
 * const store = await openDatabase('sqlite:./data/feishu-hub.db');
 * const inbox = new Inbox(store);
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Store> {
  const store = url.startsWith('sqlite:') ? openSqlite(url, options) : /^postgres(ql)?:\/\//.test(url) ? openPostgres(url, options) : undefined;
  if (!store) throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
  if (options.migrate !== false) await store.migrate();
  return store;
}

function openSqlite(url: string, options: OpenDatabaseOptions): Store {
  const [pathPart, query = ''] = url.slice('sqlite:'.length).split('?');
  const params = new URLSearchParams(query);
  // An empty path would be a private in-memory database while every 200 claims durability: refuse it.
  if (pathPart === '') throw new Error('DATABASE_URL=sqlite: has no file path; use sqlite:./data/feishu-hub.db (or sqlite::memory: for throwaway data that is lost on exit)');
  const memory = pathPart === ':memory:';
  const file = memory ? ':memory:' : resolve(pathPart.replace(/^\/\/(?=\/)/, ''));
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  // A second process (CLI, a restarted hub) waits for the lock instead of failing with SQLITE_BUSY.
  raw.pragma('busy_timeout = 5000');
  // Default: NORMAL plus an explicit async WAL fsync where it matters (WalSync) = FULL's durability
  // without blocking the event loop. `?synchronous=full` makes every commit fsync inline instead;
  // `?synchronous=off` gives durability up (benchmarks of other parts, throwaway data).
  const requested = (params.get('synchronous') ?? 'default').toUpperCase();
  if (!['DEFAULT', 'OFF', 'NORMAL', 'FULL', 'EXTRA'].includes(requested)) throw new Error(`sqlite synchronous must be off, normal or full, got ${requested}`);
  raw.pragma(`synchronous = ${requested === 'DEFAULT' ? 'NORMAL' : requested}`);
  raw.pragma('foreign_keys = ON');
  const wal = requested === 'DEFAULT' && !memory ? new WalSync(file) : undefined;
  let writer: SqliteWriter | undefined;
  if (!memory) {
    // Checkpoints belong to the writer thread; the main connection never stalls on one.
    raw.pragma('wal_autocheckpoint = 0');
    raw.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    writer = new SqliteWriter(INBOX_INSERT_SQL, {
      file,
      synchronous: requested === 'DEFAULT' ? 'NORMAL' : requested,
      fsyncWal: requested === 'DEFAULT',
      onFailure: (reason) => {
        try {
          raw.pragma('wal_autocheckpoint = 1000');
        } catch {
          return; // the connection is already closed (process shutting down)
        }
        process.emitWarning(`feishu-hub store: ${reason}; inbox writes and checkpoints run on the main thread again`);
      },
    });
  }
  const db = new Kysely<HubSchema>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  const store = withMigrate({ db, dialect: 'sqlite', sqlite: raw, writer, file: memory ? ':memory:' : file }, options.migrations, async () => {
    await writer?.close();
    await wal?.close();
    await db.destroy();
  });
  if (wal) store.durable = () => wal.sync();
  return store;
}

function openPostgres(url: string, options: OpenDatabaseOptions): Store {
  const parsed = new URL(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  // Like libpq (psql): no user in the URL or PGUSER means the OS user (node-postgres reads $USER, often unset).
  if (!parsed.username && !process.env.PGUSER && !process.env.USER) parsed.username = userInfo().username;
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new Error(`schema must be a plain identifier, got "${schema}"`);
  // Every pooled connection works inside the schema, so queries stay unqualified.
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<HubSchema>({ dialect: new PostgresDialect({ pool }) });
  const store = withMigrate({ db, dialect: 'postgres', schema }, options.migrations, async () => {
    await db.destroy();
  });
  const migrate = store.migrate;
  store.migrate = async () => {
    if (schema) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
    await migrate();
  };
  return store;
}

function withMigrate(base: { db: HubDb; dialect: Dialect; schema?: string; sqlite?: Database.Database; writer?: SqliteWriter; file?: string }, extra: Record<string, Migration> | undefined, close: () => Promise<void>): Store {
  return {
    ...base,
    durable: () => Promise.resolve(),
    async migrate() {
      const migrator = new Migrator({ db: base.db, provider: migrationProvider(extra), migrationTableSchema: base.schema, allowUnorderedMigrations: true });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? error}`);
      }
    },
    close,
  };
}

/**
 * Kysely's SQLite dialect, with write transactions that take the write lock when they begin
 * (`BEGIN IMMEDIATE`). A deferred `BEGIN` that reads first and writes later fails at once with
 * SQLITE_BUSY ("database is locked") when the inbox writer thread commits in between, since SQLite
 * cannot upgrade a read snapshot that is no longer the latest; an immediate one waits for the lock
 * (busy_timeout) instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => void (await connection.executeQuery(CompiledQuery.raw('begin immediate')));
    return driver;
  }
}

