import { sql } from 'kysely';
import type { ColumnKind } from '../config.js';
import { NOW_MS, quote, type CaptureNames } from './capture.js';
import type { AnyDb } from './dialects.js';
import type { SqlDialect } from './url.js';

/** The column type the adapter creates for each kind. */
export const COLUMN_TYPES: Record<SqlDialect, Record<ColumnKind, string>> = {
  postgres: { text: 'text', number: 'double precision', integer: 'bigint', boolean: 'boolean', timestamp: 'timestamptz', json: 'jsonb' },
  // LONGTEXT: Bitable text can pass TEXT's 64 KB. MariaDB's JSON is LONGTEXT with a json_valid check.
  mysql: { text: 'LONGTEXT', number: 'DOUBLE', integer: 'BIGINT', boolean: 'TINYINT(1)', timestamp: 'DATETIME(3)', json: 'JSON' },
  sqlite: { text: 'TEXT', number: 'REAL', integer: 'INTEGER', boolean: 'INTEGER', timestamp: 'INTEGER', json: 'TEXT' },
};

/** The key column's type: MySQL cannot index TEXT, and compares the key byte for byte (utf8mb4_bin). */
export function keyType(dialect: SqlDialect, kind: ColumnKind): string {
  if (dialect === 'mysql' && kind === 'text') return 'VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
  return COLUMN_TYPES[dialect][kind];
}

function updatedAtType(dialect: SqlDialect): string {
  switch (dialect) {
    case 'postgres':
      return 'timestamptz DEFAULT now()';
    case 'mysql':
      return 'DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)';
    case 'sqlite':
      return `INTEGER DEFAULT (${NOW_MS.sqlite})`;
  }
}

export interface TableShape {
  key: { name: string; kind: ColumnKind };
  columns: { name: string; kind: ColumnKind }[];
  updatedAt?: string;
}

/** CREATE TABLE for the mapping: the key as primary key, a column per mapped column, the updated_at column. */
export function createTableDdl(dialect: SqlDialect, tbl: string, s: TableShape): string {
  const defs = [`${quote(dialect, s.key.name)} ${keyType(dialect, s.key.kind)} NOT NULL PRIMARY KEY`];
  for (const c of s.columns) {
    if (c.name === s.updatedAt) continue;
    defs.push(`${quote(dialect, c.name)} ${COLUMN_TYPES[dialect][c.kind]}`);
  }
  if (s.updatedAt) defs.push(`${quote(dialect, s.updatedAt)} ${updatedAtType(dialect)}`);
  const tail = dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci' : '';
  return `CREATE TABLE IF NOT EXISTS ${tbl} (${defs.join(', ')})${tail}`;
}

/** The table's column names, or undefined when the table does not exist. */
export async function existingColumns(db: AnyDb, n: CaptureNames): Promise<string[] | undefined> {
  switch (n.dialect) {
    case 'postgres': {
      const t = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = ${n.schema!} AND table_name = ${n.bare}`.execute(db);
      if (!t.rows[0]?.n) return undefined;
      const r = await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ${n.schema!} AND table_name = ${n.bare}`.execute(db);
      return r.rows.map((x) => x.name);
    }
    case 'mysql': {
      const t = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${n.bare}`.execute(db);
      if (!Number(t.rows[0]?.n)) return undefined;
      const r = await sql<{ name: string }>`SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${n.bare}`.execute(db);
      return r.rows.map((x) => x.name);
    }
    case 'sqlite': {
      const t = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE type IN ('table', 'view') AND name = ${n.bare}`.execute(db);
      if (!t.rows[0]?.n) return undefined;
      const r = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${n.bare})`.execute(db);
      return r.rows.map((x) => x.name);
    }
  }
}

/** Is the key column the primary key or a single-column unique index (what ON CONFLICT / ON DUPLICATE KEY need)? */
export async function keyIsUnique(db: AnyDb, n: CaptureNames): Promise<boolean> {
  switch (n.dialect) {
    case 'postgres': {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = to_regclass(${quote('postgres', n.schema!, n.bare)}) AND i.indisunique AND i.indnatts = 1 AND a.attname = ${n.key}`.execute(db);
      return (r.rows[0]?.n ?? 0) > 0;
    }
    case 'mysql': {
      const r = await sql<{ name: string }>`SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${n.bare} AND NON_UNIQUE = 0
        GROUP BY INDEX_NAME HAVING COUNT(*) = 1 AND LOWER(MAX(COLUMN_NAME)) = LOWER(${n.key})`.execute(db);
      return r.rows.length > 0;
    }
    case 'sqlite': {
      const cols = await sql<{ name: string; pk: number }>`SELECT name, pk FROM pragma_table_info(${n.bare})`.execute(db);
      const pks = cols.rows.filter((c) => c.pk > 0);
      if (pks.length === 1 && pks[0].name.toLowerCase() === n.key.toLowerCase()) return true;
      const idx = await sql<{ name: string }>`SELECT name FROM pragma_index_list(${n.bare}) WHERE "unique" = 1`.execute(db);
      for (const i of idx.rows) {
        const ic = await sql<{ name: string }>`SELECT name FROM pragma_index_info(${i.name})`.execute(db);
        if (ic.rows.length === 1 && ic.rows[0].name?.toLowerCase() === n.key.toLowerCase()) return true;
      }
      return false;
    }
  }
}
