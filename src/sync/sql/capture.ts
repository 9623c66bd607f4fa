import { createHash } from 'node:crypto';
import type { SqlDialect } from './url.js';

/** The change-log table the triggers write (one per database, or per PostgreSQL schema). */
export const CHANGE_LOG = 'feishu_hub_changes';

/** A name the adapter builds into DDL: validated identifiers only, so quoting cannot be broken out of. */
export interface CaptureNames {
  dialect: SqlDialect;
  /** The table as configured (the change log's table_name). */
  table: string;
  /** PostgreSQL: the schema the table lives in. */
  schema?: string;
  /** The table's own name (without a schema). */
  bare: string;
  key: string;
}

/** Quotes validated identifiers for a dialect (`"x"` or `` `x` ``), joined with dots. */
export function quote(dialect: SqlDialect, ...parts: string[]): string {
  for (const p of parts) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) throw new Error(`sync: "${p}" is not a plain SQL name`);
  return parts.map((p) => (dialect === 'mysql' ? `\`${p}\`` : `"${p}"`)).join('.');
}

/** feishu_hub_<table>_<suffix>, shortened with a hash when it would pass the 63/64-character name limits. */
export function objectName(bare: string, suffix: string): string {
  const full = `feishu_hub_${bare}_${suffix}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha1').update(bare).digest('hex').slice(0, 8);
  return `feishu_hub_${bare.slice(0, 63 - 'feishu_hub_'.length - suffix.length - 10)}_${hash}_${suffix}`;
}

/** The epoch-ms "now" of each dialect, as the triggers stamp changed_at. */
export const NOW_MS: Record<SqlDialect, string> = {
  postgres: '(extract(epoch from clock_timestamp())*1000)::bigint',
  mysql: 'ROUND(UNIX_TIMESTAMP(NOW(3))*1000)',
  sqlite: "CAST((julianday('now') - 2440587.5)*86400000 AS INTEGER)",
};

export function logTable(n: Pick<CaptureNames, 'dialect' | 'schema'>): string {
  return n.schema ? quote(n.dialect, n.schema, CHANGE_LOG) : quote(n.dialect, CHANGE_LOG);
}

/** The change-log table and its (table_name, seq) index; idempotent. */
export function changeLogDdl(n: Pick<CaptureNames, 'dialect' | 'schema'>): string[] {
  const t = logTable(n);
  const idx = `${CHANGE_LOG}_table_seq`;
  switch (n.dialect) {
    case 'postgres':
      return [
        `CREATE TABLE IF NOT EXISTS ${t} (seq bigserial PRIMARY KEY, table_name varchar(191) NOT NULL, row_key text NOT NULL, op varchar(8) NOT NULL, changed_at bigint NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS ${quote('postgres', idx)} ON ${t} (table_name, seq)`,
      ];
    case 'mysql':
      return [
        `CREATE TABLE IF NOT EXISTS ${t} (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, table_name VARCHAR(191) NOT NULL, row_key TEXT NOT NULL, op VARCHAR(8) NOT NULL, changed_at BIGINT NOT NULL, INDEX ${quote('mysql', idx)} (table_name, seq)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      ];
    case 'sqlite':
      // AUTOINCREMENT: a seq is never reused, even after trim() emptied the log (cursors stay valid).
      return [
        `CREATE TABLE IF NOT EXISTS ${t} (seq INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, row_key TEXT NOT NULL, op TEXT NOT NULL, changed_at INTEGER NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS ${quote('sqlite', idx)} ON ${CHANGE_LOG} (table_name, seq)`,
      ];
  }
}

/**
 * AFTER INSERT/UPDATE/DELETE triggers that log each row's key into the change log (an update that
 * changes the key logs a delete of the old key and an insert of the new one). Idempotent: each
 * statement replaces what an earlier ensure() installed.
 */
export function triggerDdl(n: CaptureNames): string[] {
  const d = n.dialect;
  const log = logTable(n);
  const tbl = n.schema ? quote(d, n.schema, n.bare) : quote(d, n.bare);
  const k = quote(d, n.key);
  const lit = `'${n.table}'`; // validated: letters, digits, _ and one dot
  const ins = objectName(n.bare, 'ins');
  const upd = objectName(n.bare, 'upd');
  const del = objectName(n.bare, 'del');
  const cols = `(table_name, row_key, op, changed_at)`;
  switch (d) {
    case 'postgres': {
      const fn = n.schema ? quote(d, n.schema, objectName(n.bare, 'log')) : quote(d, objectName(n.bare, 'log'));
      const body = `
DECLARE ts bigint := ${NOW_MS.postgres};
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ${log} ${cols} VALUES (${lit}, NEW.${k}::text, 'insert', ts);
  ELSIF TG_OP = 'UPDATE' THEN
    IF NEW.${k} IS DISTINCT FROM OLD.${k} THEN
      INSERT INTO ${log} ${cols} VALUES (${lit}, OLD.${k}::text, 'delete', ts), (${lit}, NEW.${k}::text, 'insert', ts);
    ELSE
      INSERT INTO ${log} ${cols} VALUES (${lit}, NEW.${k}::text, 'update', ts);
    END IF;
  ELSE
    INSERT INTO ${log} ${cols} VALUES (${lit}, OLD.${k}::text, 'delete', ts);
  END IF;
  RETURN NULL;
END`;
      const out = [`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $feishu_hub$${body}$feishu_hub$`];
      for (const [name, ev] of [
        [ins, 'INSERT'],
        [upd, 'UPDATE'],
        [del, 'DELETE'],
      ] as const) {
        out.push(`DROP TRIGGER IF EXISTS ${quote(d, name)} ON ${tbl}`, `CREATE TRIGGER ${quote(d, name)} AFTER ${ev} ON ${tbl} FOR EACH ROW EXECUTE PROCEDURE ${fn}()`);
      }
      return out;
    }
    case 'mysql': {
      const now = NOW_MS.mysql;
      return [
        `DROP TRIGGER IF EXISTS ${quote(d, ins)}`,
        `CREATE TRIGGER ${quote(d, ins)} AFTER INSERT ON ${tbl} FOR EACH ROW INSERT INTO ${log} ${cols} VALUES (${lit}, NEW.${k}, 'insert', ${now})`,
        `DROP TRIGGER IF EXISTS ${quote(d, upd)}`,
        // Compared as bytes: under a case-insensitive collation 'a' → 'A' is still a new key.
        `CREATE TRIGGER ${quote(d, upd)} AFTER UPDATE ON ${tbl} FOR EACH ROW BEGIN
  IF NOT (CAST(NEW.${k} AS BINARY) <=> CAST(OLD.${k} AS BINARY)) THEN
    INSERT INTO ${log} ${cols} VALUES (${lit}, OLD.${k}, 'delete', ${now}), (${lit}, NEW.${k}, 'insert', ${now});
  ELSE
    INSERT INTO ${log} ${cols} VALUES (${lit}, NEW.${k}, 'update', ${now});
  END IF;
END`,
        `DROP TRIGGER IF EXISTS ${quote(d, del)}`,
        `CREATE TRIGGER ${quote(d, del)} AFTER DELETE ON ${tbl} FOR EACH ROW INSERT INTO ${log} ${cols} VALUES (${lit}, OLD.${k}, 'delete', ${now})`,
      ];
    }
    case 'sqlite': {
      const now = NOW_MS.sqlite;
      return [
        `DROP TRIGGER IF EXISTS ${quote(d, ins)}`,
        `CREATE TRIGGER ${quote(d, ins)} AFTER INSERT ON ${tbl} FOR EACH ROW BEGIN
  INSERT INTO ${log} ${cols} VALUES (${lit}, NEW.${k}, 'insert', ${now});
END`,
        `DROP TRIGGER IF EXISTS ${quote(d, upd)}`,
        `CREATE TRIGGER ${quote(d, upd)} AFTER UPDATE ON ${tbl} FOR EACH ROW BEGIN
  INSERT INTO ${log} ${cols} SELECT ${lit}, OLD.${k}, 'delete', ${now} WHERE OLD.${k} IS NOT NEW.${k};
  INSERT INTO ${log} ${cols} SELECT ${lit}, NEW.${k}, 'insert', ${now} WHERE OLD.${k} IS NOT NEW.${k};
  INSERT INTO ${log} ${cols} SELECT ${lit}, NEW.${k}, 'update', ${now} WHERE OLD.${k} IS NEW.${k};
END`,
        `DROP TRIGGER IF EXISTS ${quote(d, del)}`,
        `CREATE TRIGGER ${quote(d, del)} AFTER DELETE ON ${tbl} FOR EACH ROW BEGIN
  INSERT INTO ${log} ${cols} VALUES (${lit}, OLD.${k}, 'delete', ${now});
END`,
      ];
    }
  }
}
