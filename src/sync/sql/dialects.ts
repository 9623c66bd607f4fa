import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type DatabaseConnection, type Driver } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import type { ParsedUrl } from './url.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

/** pg's OIDs for json and jsonb: read as text, so normalize.ts parses every dialect's JSON the same way once. */
const PG_JSON_OIDS = new Set([114, 3802]);

/** The largest number of bound parameters one statement may carry. */
export const MAX_PARAMS = { postgres: 65535, mysql: 65535, sqlite: 32766 } as const;

/**
 * A Kysely instance for a parsed target URL. PostgreSQL: a `pg` pool (json/jsonb read as text).
 * MySQL/MariaDB: a `mysql2` pool with the session time zone at UTC, big numbers as exact values
 * (strings beyond 2^53), DATETIME as Date and JSON as text. SQLite: better-sqlite3 in WAL mode with
 * a 5 s busy timeout and write transactions that take the lock when they begin.
 */
export function openKysely(p: ParsedUrl): AnyDb {
  switch (p.dialect) {
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: p.connectionString,
        max: 4,
        types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (PG_JSON_OIDS.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
      });
      // An idle client that errors (the server restarted) must not crash the process; the next query reconnects.
      pool.on('error', () => undefined);
      return new Kysely({ dialect: new PostgresDialect({ pool }) });
    }
    case 'mysql': {
      const pool = createPool({
        host: p.host,
        port: p.port,
        user: p.user,
        password: p.password,
        database: p.database,
        connectionLimit: 4,
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: false,
        dateStrings: false,
        decimalNumbers: false,
        // JSON (and MariaDB's JSON-as-LONGTEXT) as text: normalize.ts parses it once, like every dialect.
        jsonStrings: true,
      });
      return new Kysely({
        dialect: new MysqlDialect({
          pool,
          onCreateConnection: async (conn: DatabaseConnection) => {
            await conn.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
          },
        }),
      });
    }
    case 'sqlite': {
      if (p.file !== ':memory:') mkdirSync(dirname(p.file), { recursive: true });
      const raw = new Database(p.file);
      raw.pragma('journal_mode = WAL');
      raw.pragma('busy_timeout = 5000');
      return new Kysely({ dialect: new ImmediateSqliteDialect({ database: raw }) });
    }
  }
}

/** SQLite write transactions take the write lock at BEGIN (wait on busy_timeout instead of failing mid-way). */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => void (await connection.executeQuery(CompiledQuery.raw('begin immediate')));
    return driver;
  }
}
