import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Store } from '../../src/store/index.js';

/** PostgreSQL for tests: trust auth on loopback; override with TEST_DATABASE_URL. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** PG_URL with the OS user filled in when none is given (as psql does; node-postgres needs $USER). */
function clientUrl(): string {
  const u = new URL(PG_URL);
  if (!u.username && !process.env.PGUSER && !process.env.USER) u.username = userInfo().username;
  return u.toString();
}

/** Is PostgreSQL reachable? In CI (CI=true) it must be: the PostgreSQL suites then fail instead of skipping. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: clientUrl(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty, migrated database (a temp SQLite file or a new PostgreSQL schema). */
  open(): Promise<Store>;
  /** Closes what `open` opened and deletes its data. */
  cleanup(): Promise<void>;
}

export function sqliteBackend(): TestBackend {
  const dirs: string[] = [];
  const stores: Store[] = [];
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-store-'));
      dirs.push(dir);
      const store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`);
      stores.push(store);
      return store;
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): TestBackend {
  const opened: { store: Store; schema: string }[] = [];
  return {
    name: 'postgres',
    async open() {
      const schema = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      const store = await openDatabase(PG_URL, { schema, poolSize: 4 }).catch((err: Error) => {
        throw new Error(`PostgreSQL at ${PG_URL} is required here (CI=true) but failed: ${err.message}`);
      });
      opened.push({ store, schema });
      return store;
    },
    async cleanup() {
      for (const { store, schema } of opened.splice(0)) {
        await store.close();
        const client = new pg.Client({ connectionString: clientUrl() });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    },
  };
}

/**
 * The backends a suite runs against. PostgreSQL is skipped (with a message) when unreachable,
 * except in CI where `requirePostgres` makes the suite fail.
 */
export async function testBackends(): Promise<{ backend: TestBackend; skip: boolean }[]> {
  const pgUp = await postgresAvailable();
  if (!pgUp && process.env.CI !== 'true') {
    console.warn(`[store tests] PostgreSQL is not reachable at ${PG_URL}: skipping the PostgreSQL backend (set CI=true to make this an error).`);
  }
  return [
    { backend: sqliteBackend(), skip: false },
    { backend: postgresBackend(), skip: !pgUp && process.env.CI !== 'true' },
  ];
}

/** Drops a PostgreSQL schema a test made (e.g. one a hub opened through `DATABASE_URL=…?schema=`). */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: clientUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** MySQL/MariaDB for tests (the sync SQL adapter): root on loopback; override with TEST_MYSQL_URL. */
export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Is MySQL/MariaDB reachable at MYSQL_URL? In CI (CI=true) the suites that need it fail instead of skipping. */
export async function mariadbAvailable(): Promise<boolean> {
  const { createConnection } = await import('mysql2/promise');
  const u = new URL(MYSQL_URL);
  let conn: Awaited<ReturnType<typeof createConnection>> | undefined;
  try {
    conn = await createConnection({
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
      connectTimeout: 2000,
    });
    await conn.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await conn?.end().catch(() => {});
  }
}
