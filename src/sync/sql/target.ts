import { sql, type RawBuilder } from 'kysely';
import type { ColumnKind } from '../config.js';
import type { SqlValue } from '../codec.js';
import { CHANGE_LOG, changeLogDdl, logTable, quote, triggerDdl, type CaptureNames } from './capture.js';
import { MAX_PARAMS, openKysely, type AnyDb } from './dialects.js';
import { fromDb, toDb } from './normalize.js';
import { COLUMN_TYPES, createTableDdl, existingColumns, keyIsUnique } from './schema.js';
import type { ColumnSpec, OpenTargetOptions, SqlChange, SqlRow, SqlTarget } from './types.js';
import { parseTargetUrl, type SqlDialect } from './url.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const TABLE = /^(?:([A-Za-z_][A-Za-z0-9_]{0,62})\.)?([A-Za-z_][A-Za-z0-9_]{0,62})$/;
/** Keys per IN (…) list (get, delete). */
const IN_CHUNK = 500;
/** Rows per INSERT at most, whatever the parameter limit allows. */
const MAX_ROWS_PER_INSERT = 1000;

const raw = (s: string): RawBuilder<unknown> => sql.raw(s);

/**
 * Opens a SQL table as a sync target. Connects lazily; call `ensure()` first (it creates the table
 * when asked, checks the mapped columns and installs the change capture).
 *
 * @example
 * const target = await openTarget({ url: 'sqlite:./data/shop.db', table: 'orders', key: { name: 'id', kind: 'text' }, columns: [{ name: 'total', kind: 'number' }], create: true });
 * await target.ensure();
 * await target.upsert([{ id: 'A-1', total: 12.5 }]);
 */
export async function openTarget(o: OpenTargetOptions): Promise<SqlTarget> {
  const parsed = parseTargetUrl(o.url);
  const m = TABLE.exec(o.table ?? '');
  if (!m) throw new Error(`sync: table name "${o.table}" must be a plain SQL name (letters, digits and _, not starting with a digit, at most 63 characters)${parsed.dialect === 'postgres' ? ', optionally schema.table' : ''}`);
  if (m[1] && parsed.dialect !== 'postgres') throw new Error(`sync: table name "${o.table}": schema.table is for PostgreSQL only (${parsed.dialect === 'mysql' ? 'name the database in the URL' : 'SQLite has no schemas'})`);
  if (m[2] === CHANGE_LOG) throw new Error(`sync: ${CHANGE_LOG} is the adapter's own change log, not a table to sync`);
  for (const c of [o.key, ...o.columns]) {
    if (!NAME.test(c?.name ?? '')) throw new Error(`sync: column name "${c?.name}" of table ${o.table} must be a plain SQL name (letters, digits and _, not starting with a digit)`);
    if (!(c.kind in COLUMN_TYPES.sqlite)) throw new Error(`sync: column "${c.name}" has unknown kind "${c.kind}" (text, number, integer, boolean, timestamp or json)`);
  }
  const capture = o.capture ?? 'triggers';
  if (capture === 'updated_at' && !NAME.test(o.updatedAtColumn ?? '')) throw new Error(`sync: capture updated_at needs updatedAtColumn (a plain column name), got ${JSON.stringify(o.updatedAtColumn)}`);
  if (capture === 'updated_at' && o.updatedAtColumn === o.key.name) throw new Error(`sync: the updated_at column cannot be the key (${o.key.name})`);
  return new Target(parsed.dialect, parsed.description, openKysely(parsed), o, capture, m[1], m[2]);
}

class Target implements SqlTarget {
  private readonly key: ColumnSpec;
  /** Mapped columns other than the key (with the updated_at column, as a timestamp, when not mapped). */
  private readonly columns: ColumnSpec[];
  private readonly kinds = new Map<string, ColumnKind>();
  private readonly updatedAt?: string;
  private names?: Promise<CaptureNames>;

  constructor(
    readonly dialect: SqlDialect,
    readonly description: string,
    private readonly db: AnyDb,
    private readonly o: OpenTargetOptions,
    private readonly capture: 'triggers' | 'updated_at',
    private readonly schema: string | undefined,
    private readonly bare: string,
  ) {
    this.key = o.key;
    this.updatedAt = capture === 'updated_at' ? o.updatedAtColumn : undefined;
    const cols: ColumnSpec[] = [];
    for (const c of o.columns) if (c.name !== o.key.name && !cols.some((x) => x.name === c.name)) cols.push(c);
    if (this.updatedAt && !cols.some((c) => c.name === this.updatedAt)) cols.push({ name: this.updatedAt, kind: 'timestamp' });
    this.columns = cols;
    for (const c of [this.key, ...cols]) this.kinds.set(c.name, c.kind);
  }

  /** Names for SQL; on PostgreSQL the schema the table lives in (found on the search_path) is fixed on first use. */
  private resolve(): Promise<CaptureNames> {
    this.names ??= (async () => {
      let schema = this.schema;
      if (this.dialect === 'postgres' && !schema) {
        const r = await sql<{ s: string }>`SELECT coalesce((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(${quote('postgres', this.bare)})), current_schema()) AS s`.execute(this.db);
        schema = r.rows[0]?.s;
        if (!schema) throw new Error(`sync: PostgreSQL has no current schema for ${this.bare} (${this.description}); set a search_path or name the table as schema.table`);
      }
      return { dialect: this.dialect, table: this.o.table, schema, bare: this.bare, key: this.key.name };
    })();
    this.names.catch(() => (this.names = undefined));
    return this.names;
  }

  private async tbl(): Promise<string> {
    const n = await this.resolve();
    return n.schema ? quote(this.dialect, n.schema, n.bare) : quote(this.dialect, n.bare);
  }

  private q(name: string): string {
    return quote(this.dialect, name);
  }

  private selectList(): string {
    return [this.key, ...this.columns].map((c) => this.q(c.name)).join(', ');
  }

  private row(r: Record<string, unknown>): SqlRow {
    const out: SqlRow = {};
    for (const c of [this.key, ...this.columns]) out[c.name] = fromDb(c.kind, r[c.name]);
    return out;
  }

  private keyParam(v: SqlValue): unknown {
    const p = toDb(this.dialect, this.key.kind, this.key.name, v);
    if (p === null) throw new Error(`sync: a key of table ${this.o.table} (column ${this.key.name}) is empty`);
    return p;
  }

  private async run(statement: string, db: AnyDb = this.db): Promise<void> {
    await sql.raw(statement).execute(db);
  }

  async ensure(): Promise<{ created: boolean; captureInstalled: boolean }> {
    // One ensure at a time across processes (replicas starting together), on one connection.
    if (this.dialect === 'mysql') {
      return this.db.connection().execute(async (conn) => {
        await sql`SELECT GET_LOCK('feishu_hub_ensure', 30)`.execute(conn);
        try {
          return await this.ensureOn(conn);
        } finally {
          await sql`SELECT RELEASE_LOCK('feishu_hub_ensure')`.execute(conn);
        }
      });
    }
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext('feishu_hub_ensure'))`.execute(trx);
      return this.ensureOn(trx);
    });
  }

  private async ensureOn(db: AnyDb): Promise<{ created: boolean; captureInstalled: boolean }> {
    const n = await this.resolve();
    const tbl = await this.tbl();
    const where = `${this.o.table} (${this.description})`;
    const have = await existingColumns(db, n);
    let created = false;
    if (!have) {
      if (!this.o.create) throw new Error(`sync: table ${where} does not exist; create it with the key ${this.key.name} and the mapped columns, or set database.create: true to let the sync create it`);
      await this.run(createTableDdl(this.dialect, tbl, { key: this.key, columns: this.columns, updatedAt: this.updatedAt }), db);
      created = true;
    } else {
      const caseless = this.dialect !== 'postgres';
      const has = (c: string) => have.some((h) => (caseless ? h.toLowerCase() === c.toLowerCase() : h === c));
      for (const c of [this.key, ...this.columns]) {
        if (!has(c.name)) {
          const what = c === this.key ? 'key column' : c.name === this.updatedAt ? 'updated_at column' : 'mapped column';
          throw new Error(`sync: the ${what} "${c.name}" is missing from table ${where}; add it (ALTER TABLE ${this.o.table} ADD COLUMN ${c.name} ${COLUMN_TYPES[this.dialect][c.kind]}) or fix the mapping`);
        }
      }
      if (!(await keyIsUnique(db, n))) throw new Error(`sync: the key column "${this.key.name}" of table ${where} is neither its primary key nor unique; make it unique (ALTER TABLE ${this.o.table} ADD PRIMARY KEY (${this.key.name})) or map another key`);
    }
    if (this.capture !== 'triggers') return { created, captureInstalled: false };
    try {
      for (const s of [...changeLogDdl(n), ...triggerDdl(n)]) await this.run(s, db);
    } catch (err) {
      const hint = this.dialect === 'mysql' ? ' (MySQL needs the TRIGGER privilege, and with binary logging SUPER or log_bin_trust_function_creators=1)' : '';
      throw new Error(`sync: could not install the change-log triggers on ${where}: ${(err as Error).message}${hint}; grant that, or use capture: updated_at`);
    }
    return { created, captureInstalled: true };
  }

  async count(): Promise<number> {
    const r = await sql<{ n: unknown }>`SELECT count(*) AS n FROM ${raw(await this.tbl())}`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async scan(o: { after?: SqlValue; limit: number }): Promise<SqlRow[]> {
    const k = raw(this.q(this.key.name));
    const where = o.after === undefined || o.after === null ? sql`` : sql`WHERE ${k} > ${this.keyParam(o.after)}`;
    const r = await sql<Record<string, unknown>>`SELECT ${raw(this.selectList())} FROM ${raw(await this.tbl())} ${where} ORDER BY ${k} LIMIT ${limitOf(o.limit)}`.execute(this.db);
    return r.rows.map((x) => this.row(x));
  }

  async get(keys: SqlValue[]): Promise<SqlRow[]> {
    const params = this.uniqueKeys(keys);
    const out: SqlRow[] = [];
    const tbl = raw(await this.tbl());
    for (const part of chunk(params, IN_CHUNK)) {
      const r = await sql<Record<string, unknown>>`SELECT ${raw(this.selectList())} FROM ${tbl} WHERE ${raw(this.q(this.key.name))} IN (${sql.join(part)})`.execute(this.db);
      out.push(...r.rows.map((x) => this.row(x)));
    }
    return out;
  }

  private uniqueKeys(keys: SqlValue[]): unknown[] {
    const seen = new Map<string, unknown>();
    for (const k of keys) {
      const p = this.keyParam(k);
      seen.set(String(p), p);
    }
    return [...seen.values()];
  }

  async upsert(rows: SqlRow[]): Promise<void> {
    if (!rows.length) return;
    // Each key once (later rows' values win), then grouped by the set of columns present.
    const byKey = new Map<string, Record<string, unknown>>();
    const now = Date.now();
    for (const row of rows) {
      if (row === null || typeof row !== 'object') throw new Error(`sync: upsert into ${this.o.table} got a row that is not an object`);
      const kv = row[this.key.name];
      if (kv === undefined || kv === null || kv === '') throw new Error(`sync: upsert into ${this.o.table}: a row has no key (${this.key.name}): ${JSON.stringify(row).slice(0, 120)}`);
      const bound: Record<string, unknown> = {};
      for (const [col, v] of Object.entries(row)) {
        if (v === undefined) continue;
        const kind = this.kinds.get(col);
        if (!kind) throw new Error(`sync: upsert into ${this.o.table}: column "${col}" is not mapped (mapped: ${[...this.kinds.keys()].join(', ')})`);
        bound[col] = toDb(this.dialect, kind, col, v);
      }
      if (this.updatedAt && !(this.updatedAt in bound)) bound[this.updatedAt] = toDb(this.dialect, 'timestamp', this.updatedAt, now);
      const id = String(bound[this.key.name]);
      byKey.set(id, { ...byKey.get(id), ...bound });
    }
    const groups = new Map<string, { cols: string[]; rows: Record<string, unknown>[] }>();
    for (const r of byKey.values()) {
      const cols = [this.key.name, ...Object.keys(r).filter((c) => c !== this.key.name).sort()];
      const sig = cols.join('\u0000');
      const g = groups.get(sig) ?? { cols, rows: [] };
      g.rows.push(r);
      groups.set(sig, g);
    }
    const tbl = raw(await this.tbl());
    await this.db.transaction().execute(async (trx) => {
      for (const g of groups.values()) {
        const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS[this.dialect] / g.cols.length)));
        const colList = raw(g.cols.map((c) => this.q(c)).join(', '));
        const conflict = raw(this.onConflict(g.cols));
        for (const part of chunk(g.rows, perStatement)) {
          const values = sql.join(part.map((r) => sql`(${sql.join(g.cols.map((c) => r[c]))})`));
          await sql`INSERT INTO ${tbl} (${colList}) VALUES ${values} ${conflict}`.execute(trx);
        }
      }
    });
  }

  private onConflict(cols: string[]): string {
    const k = this.q(this.key.name);
    const rest = cols.filter((c) => c !== this.key.name).map((c) => this.q(c));
    if (this.dialect === 'mysql') return rest.length ? `ON DUPLICATE KEY UPDATE ${rest.map((c) => `${c} = VALUES(${c})`).join(', ')}` : `ON DUPLICATE KEY UPDATE ${k} = ${k}`;
    return rest.length ? `ON CONFLICT (${k}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}` : `ON CONFLICT (${k}) DO NOTHING`;
  }

  async delete(keys: SqlValue[]): Promise<void> {
    const params = this.uniqueKeys(keys);
    if (!params.length) return;
    const tbl = raw(await this.tbl());
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunk(params, IN_CHUNK)) await sql`DELETE FROM ${tbl} WHERE ${raw(this.q(this.key.name))} IN (${sql.join(part)})`.execute(trx);
    });
  }

  private async log(): Promise<string> {
    return logTable(await this.resolve());
  }

  async changes(o: { after: number; limit: number }): Promise<SqlChange[]> {
    if (this.capture !== 'triggers') return [];
    const r = await sql<{ seq: unknown; row_key: unknown; op: string; changed_at: unknown }>`SELECT seq, row_key, op, changed_at FROM ${raw(await this.log())} WHERE table_name = ${this.o.table} AND seq > ${Math.max(0, Math.floor(o.after))} ORDER BY seq LIMIT ${limitOf(o.limit)}`.execute(this.db);
    return r.rows.map((x) => ({ seq: Number(x.seq), key: String(x.row_key), op: x.op as SqlChange['op'], at: Number(x.changed_at) }));
  }

  async latestSeq(): Promise<number> {
    if (this.capture !== 'triggers') return 0;
    const r = await sql<{ m: unknown }>`SELECT max(seq) AS m FROM ${raw(await this.log())}`.execute(this.db);
    return Number(r.rows[0]?.m ?? 0);
  }

  async trim(upTo: number): Promise<void> {
    if (this.capture !== 'triggers') return;
    await sql`DELETE FROM ${raw(await this.log())} WHERE table_name = ${this.o.table} AND seq <= ${Math.floor(upTo)}`.execute(this.db);
  }

  async changedSince(o: { sinceMs: number; limit: number }): Promise<SqlRow[]> {
    if (!this.updatedAt) throw new Error(`sync: changedSince needs capture updated_at (table ${this.o.table} uses ${this.capture})`);
    const u = raw(this.q(this.updatedAt));
    const since = toDb(this.dialect, 'timestamp', this.updatedAt, o.sinceMs);
    const r = await sql<Record<string, unknown>>`SELECT ${raw(this.selectList())} FROM ${raw(await this.tbl())} WHERE ${u} >= ${since} ORDER BY ${u}, ${raw(this.q(this.key.name))} LIMIT ${limitOf(o.limit)}`.execute(this.db);
    return r.rows.map((x) => this.row(x));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function limitOf(n: number): number {
  if (!Number.isFinite(n) || n < 1) throw new Error(`sync: limit must be a positive number, got ${n}`);
  return Math.floor(n);
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
