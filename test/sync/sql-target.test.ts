import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, parseTargetUrl, type OpenTargetOptions, type SqlRow, type SqlTarget } from '../../src/sync/sql/index.js';
import { mariadbAvailable, MYSQL_URL, PG_URL, postgresAvailable } from '../helpers/stores.js';

const CI = process.env.CI === 'true';
const pgUp = await postgresAvailable();
const myUp = await mariadbAvailable();
if (!pgUp && !CI) console.warn(`[sql-target tests] PostgreSQL is not reachable at ${PG_URL}: skipping the PostgreSQL target (set TEST_DATABASE_URL, or CI=true to make this an error).`);
if (!myUp && !CI) console.warn(`[sql-target tests] MySQL/MariaDB is not reachable at ${MYSQL_URL}: skipping the MariaDB target (set TEST_MYSQL_URL, or CI=true to make this an error).`);

const RUN = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

/** A client outside the adapter: plain SQL, as another application would write. */
interface Outside {
  exec(statement: string): Promise<void>;
  rows(statement: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface Backend {
  name: 'sqlite' | 'postgres' | 'mariadb';
  skip: boolean;
  url(): string;
  /** A table name unique to this run. */
  table(base: string): string;
  setup(): Promise<void>;
  outside(): Promise<Outside>;
  cleanup(tables: string[]): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'sqlite',
    skip: false,
    url: () => `sqlite:${join(dir, 'target.db')}`,
    table: (b) => `${b}_${RUN}`,
    async setup() {
      dir = mkdtempSync(join(tmpdir(), 'feishu-hub-sql-'));
    },
    async outside() {
      const db = new Database(join(dir, 'target.db'));
      db.pragma('busy_timeout = 5000');
      return {
        exec: async (s) => void db.prepare(s).run(),
        rows: async (s) => db.prepare(s).all() as Record<string, unknown>[],
        close: async () => void db.close(),
      };
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  // One schema per run: the tables, their triggers and functions and the change log go with it.
  const schema = `fh_sql_${RUN}`;
  const connect = async (): Promise<Outside> => {
    const p = parseTargetUrl(PG_URL);
    const client = new pg.Client({ connectionString: p.dialect === 'postgres' ? p.connectionString : PG_URL });
    await client.connect();
    return {
      exec: async (s) => void (await client.query(s)),
      rows: async (s) => (await client.query(s)).rows as Record<string, unknown>[],
      close: () => client.end(),
    };
  };
  return {
    name: 'postgres',
    skip: !pgUp && !CI,
    url: () => PG_URL,
    table: (b) => `${schema}.${b}`,
    async setup() {
      const c = await connect();
      await c.exec(`CREATE SCHEMA ${schema}`);
      await c.close();
    },
    outside: connect,
    async cleanup() {
      const c = await connect();
      await c.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.close();
    },
  };
}

function mariadbBackend(): Backend {
  const connect = async (): Promise<Outside> => {
    const p = parseTargetUrl(MYSQL_URL);
    if (p.dialect !== 'mysql') throw new Error(`TEST_MYSQL_URL must be a mysql:// URL`);
    const conn = await createConnection({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    // DATETIME has no zone: writers agree on UTC (as the adapter's sessions do).
    await conn.query("SET time_zone = '+00:00'");
    return {
      exec: async (s) => void (await conn.query(s)),
      rows: async (s) => (await conn.query(s))[0] as Record<string, unknown>[],
      close: () => conn.end(),
    };
  };
  return {
    name: 'mariadb',
    skip: !myUp && !CI,
    url: () => MYSQL_URL,
    table: (b) => `${b}_${RUN}`,
    async setup() {
      const c = await connect();
      await c.close();
    },
    outside: connect,
    async cleanup(tables) {
      const c = await connect();
      for (const t of tables) await c.exec(`DROP TABLE IF EXISTS \`${t}\``);
      const log = await c.rows("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'feishu_hub_changes'");
      if (log.length && tables.length) {
        await c.exec(`DELETE FROM feishu_hub_changes WHERE table_name IN (${tables.map((t) => `'${t}'`).join(', ')})`);
        // The change log itself is shared with other test files' tables (engines.test.ts): left in place.
      }
      await c.close();
    },
  };
}

const KINDS: OpenTargetOptions['columns'] = [
  { name: 'title', kind: 'text' },
  { name: 'price', kind: 'number' },
  { name: 'qty', kind: 'integer' },
  { name: 'done', kind: 'boolean' },
  { name: 'due', kind: 'timestamp' },
  { name: 'tags', kind: 'json' },
];

describe.each([sqliteBackend(), postgresBackend(), mariadbBackend()])('SQL target on $name', (b) => {
  const made: string[] = [];
  const open: SqlTarget[] = [];
  let outside: Outside;

  /** Opens a target on a fresh table of this run (created by ensure unless told otherwise). */
  async function target(base: string, o: Partial<OpenTargetOptions> = {}): Promise<SqlTarget> {
    const table = o.table ?? b.table(base);
    if (!made.includes(table)) made.push(table);
    const t = await openTarget({ url: b.url(), table, key: { name: 'id', kind: 'text' }, columns: KINDS, create: true, ...o });
    open.push(t);
    return t;
  }
  /** The bare name outside SQL uses (PostgreSQL: schema-qualified). */
  const name = (t: string) => t;

  beforeAll(async () => {
    if (b.skip) return;
    await b.setup();
    outside = await b.outside();
  });
  afterAll(async () => {
    if (b.skip) return;
    for (const t of open) await t.close().catch(() => undefined);
    await outside?.close();
    await b.cleanup(made.map((t) => t.split('.').pop()!));
  });

  describe.skipIf(b.skip)('against a real database', () => {
    it('creates the table once; ensure is idempotent, also from a second target', async () => {
      const t = await target('ens');
      expect(t.dialect).toBe(b.name === 'mariadb' ? 'mysql' : b.name);
      expect(t.description).not.toMatch(/:[^/@:]+@/); // no password
      expect(await t.ensure()).toEqual({ created: true, captureInstalled: true });
      expect(await t.ensure()).toEqual({ created: false, captureInstalled: true });
      const again = await target('ens');
      expect(await again.ensure()).toEqual({ created: false, captureInstalled: true });
      expect(await t.count()).toBe(0);
      await t.upsert([{ id: 'a', title: 'x' }]);
      expect(await again.count()).toBe(1);
      // The triggers exist once, not once per ensure: one insert logged one change.
      const ch = await again.changes({ after: 0, limit: 100 });
      expect(ch.map((c) => [c.key, c.op])).toEqual([['a', 'insert']]);
    });

    it('round-trips every kind, with nulls, unicode, exact 2026 ms, JSON, booleans and 2^53', async () => {
      const t = await target('kinds');
      await t.ensure();
      const due = Date.UTC(2026, 4, 17, 9, 30, 15, 123);
      const rows: SqlRow[] = [
        { id: 'full', title: '汉字 — “quotes” \'single\' \\ 😀 ü', price: 1234.5678, qty: 2 ** 53, done: true, due, tags: { a: [1, { b: 'ü', c: null }], n: 2.5, s: 'x' } },
        { id: 'arr', title: '', price: -0.001, qty: -42, done: false, due: Date.UTC(1999, 11, 31, 23, 59, 59, 999), tags: ['red', 'green', 3, true, null] },
        { id: 'nulls', title: null, price: null, qty: null, done: null, due: null, tags: null },
        { id: 'strjson', tags: '[not json' },
      ];
      await t.upsert(rows);
      const got = new Map((await t.get(rows.map((r) => r.id))).map((r) => [r.id, r]));
      expect(got.get('full')).toEqual(rows[0]);
      expect(got.get('arr')).toEqual(rows[1]);
      expect(got.get('nulls')).toEqual(rows[2]);
      expect(got.get('strjson')?.tags).toBe('[not json'); // a JSON string value reads back as the same string
      const full = got.get('full')!;
      expect(typeof full.qty).toBe('number');
      expect(full.qty).toBe(9007199254740992);
      expect(full.due).toBe(due);
      expect(typeof full.done).toBe('boolean');
      // Writes accept loose forms of a kind and read back normalized.
      await t.upsert([{ id: 'loose', price: '12.25', qty: '7', done: 'true', due: '2026-01-02T03:04:05.678Z', title: 42 }]);
      const [loose] = await t.get(['loose']);
      expect(loose).toMatchObject({ price: 12.25, qty: 7, done: true, due: Date.UTC(2026, 0, 2, 3, 4, 5, 678), title: '42' });
      // A value that is not of the kind is refused with the column's name.
      await expect(t.upsert([{ id: 'bad', price: 'twelve' }])).rejects.toThrow(/column "price" holds number values/);
      await expect(t.upsert([{ id: 'bad', nope: 1 }])).rejects.toThrow(/column "nope" is not mapped/);
    });

    it('an outside writer stores what reads back normalized (pg int8 strings, 0/1, JSON text)', async () => {
      const t = await target('outw');
      await t.ensure();
      const tbl = name(b.table('outw'));
      const ts = b.name === 'sqlite' ? '1767225600123' : b.name === 'postgres' ? "'2026-01-01T00:00:00.123Z'" : "'2026-01-01 00:00:00.123'";
      const done = b.name === 'postgres' ? 'true' : '1';
      await outside.exec(`INSERT INTO ${tbl} (id, title, price, qty, done, due, tags) VALUES ('o', 'hi', 1.5, 9007199254740991, ${done}, ${ts}, '{"k":[1,2]}')`);
      const [row] = await t.get(['o']);
      expect(row).toEqual({ id: 'o', title: 'hi', price: 1.5, qty: 9007199254740991, done: true, due: 1767225600123, tags: { k: [1, 2] } });
    });

    it('upsert writes only the columns present in each row; a key-only row inserts or leaves alone', async () => {
      const t = await target('partial');
      await t.ensure();
      await t.upsert([{ id: 'p', title: 'first', price: 1, qty: 1, done: true }]);
      await t.upsert([{ id: 'p', price: 2 }]);
      expect((await t.get(['p']))[0]).toMatchObject({ title: 'first', price: 2, qty: 1, done: true });
      // Mixed column sets in one call, the same key twice (the later values win, merged).
      await t.upsert([{ id: 'p', title: 'second' }, { id: 'q', qty: 5 }, { id: 'p', done: false }, { id: 'r' }]);
      expect((await t.get(['p']))[0]).toMatchObject({ title: 'second', price: 2, qty: 1, done: false });
      expect((await t.get(['q']))[0]).toMatchObject({ qty: 5, title: null });
      await t.upsert([{ id: 'p' }]);
      expect((await t.get(['p']))[0]).toMatchObject({ title: 'second', price: 2 });
      expect(await t.count()).toBe(3);
      await expect(t.upsert([{ title: 'no key' }])).rejects.toThrow(/has no key \(id\)/);
    });

    it('scans 1,200 rows in keyset pages, each row once and in order; get 600 keys; delete in chunks', async () => {
      const t = await target('many');
      await t.ensure();
      const keys = Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(5, '0')}`);
      await t.upsert(keys.map((id, i) => ({ id, title: `row ${i}`, qty: i, tags: [i] })).reverse());
      expect(await t.count()).toBe(1200);
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 20; page++) {
        const rows = await t.scan({ after, limit: 250 });
        seen.push(...rows.map((r) => r.id as string));
        if (rows.length < 250) break;
        after = rows[rows.length - 1].id as string;
      }
      expect(seen).toEqual(keys);
      const want = keys.filter((_, i) => i % 2 === 0);
      const got = await t.get([...want, 'missing-1', 'missing-2', want[0]]);
      expect(got.length).toBe(600);
      expect(new Set(got.map((r) => r.id))).toEqual(new Set(want));
      expect(got.find((r) => r.id === 'k00010')).toMatchObject({ title: 'row 10', qty: 10, tags: [10] });
      await t.delete(keys.slice(0, 1100));
      expect(await t.count()).toBe(100);
      expect((await t.scan({ limit: 1000 })).map((r) => r.id)).toEqual(keys.slice(1100));
      await t.delete([]);
      expect(await t.get([])).toEqual([]);
    });

    it('upserts 10,000 rows × 7 columns (70,000 values: past SQLite and PostgreSQL parameter limits) in one call', async () => {
      const t = await target('bulk', { capture: 'triggers' });
      await t.ensure();
      const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `b${String(i).padStart(5, '0')}`, title: `t${i}`, price: i / 4, qty: i, done: i % 2 === 0, due: 1767225600000 + i, tags: { i } }));
      await t.upsert(rows);
      expect(await t.count()).toBe(10_000);
      expect((await t.get(['b09999']))[0]).toEqual(rows[9999]);
      expect((await t.changes({ after: 0, limit: 20_000 })).length).toBe(10_000);
    });

    it('integer keys scan in numeric order', async () => {
      const t = await target('intkey', { key: { name: 'id', kind: 'integer' }, columns: [{ name: 'title', kind: 'text' }] });
      await t.ensure();
      await t.upsert(Array.from({ length: 30 }, (_, i) => ({ id: 30 - i, title: `n${30 - i}` })));
      const seen: unknown[] = [];
      let after: number | undefined;
      for (;;) {
        const rows = await t.scan({ after, limit: 7 });
        seen.push(...rows.map((r) => r.id));
        if (rows.length < 7) break;
        after = rows[rows.length - 1].id as number;
      }
      expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const changes = await t.changes({ after: 0, limit: 100 });
      expect(changes.length).toBe(30);
      expect(changes.every((c) => typeof c.key === 'string')).toBe(true);
      expect(changes.map((c) => c.key).sort()).toContain('10');
    });

    it('logs inserts, updates, deletes and key changes made by plain SQL from outside; changes, trim, latestSeq', async () => {
      const t = await target('log');
      const other = await target('logother');
      await t.ensure();
      await other.ensure();
      const tbl = name(b.table('log'));
      const before = Date.now();
      const base = await t.latestSeq();
      await outside.exec(`INSERT INTO ${tbl} (id, title) VALUES ('o1', 'one')`);
      await outside.exec(`UPDATE ${tbl} SET title = 'uno' WHERE id = 'o1'`);
      await outside.exec(`UPDATE ${tbl} SET id = 'o2' WHERE id = 'o1'`);
      await outside.exec(`DELETE FROM ${tbl} WHERE id = 'o2'`);
      await other.upsert([{ id: 'elsewhere', title: 'x' }]);
      const after = Date.now();
      const ch = await t.changes({ after: base, limit: 100 });
      expect(ch.map((c) => [c.key, c.op])).toEqual([
        ['o1', 'insert'],
        ['o1', 'update'],
        ['o1', 'delete'],
        ['o2', 'insert'],
        ['o2', 'delete'],
      ]);
      for (let i = 1; i < ch.length; i++) expect(ch[i].seq).toBeGreaterThan(ch[i - 1].seq);
      for (const c of ch) {
        expect(c.at).toBeGreaterThanOrEqual(before - 2000);
        expect(c.at).toBeLessThanOrEqual(after + 2000);
      }
      // latestSeq is the log's maximum over every table (here: the other table's insert came last).
      const latest = await t.latestSeq();
      expect(latest).toBeGreaterThan(ch[ch.length - 1].seq);
      expect(await other.latestSeq()).toBe(latest);
      expect((await other.changes({ after: base, limit: 100 })).map((c) => c.key)).toEqual(['elsewhere']);
      // Paging by limit.
      expect((await t.changes({ after: base, limit: 2 })).map((c) => c.op)).toEqual(['insert', 'update']);
      await t.trim(ch[2].seq);
      expect((await t.changes({ after: 0, limit: 100 })).map((c) => c.seq)).toEqual([ch[3].seq, ch[4].seq]);
      await t.trim(latest);
      expect(await t.changes({ after: 0, limit: 100 })).toEqual([]);
      // Trim touched only this table's entries; and a trimmed log keeps counting up.
      expect((await other.changes({ after: 0, limit: 100 })).map((c) => c.key)).toEqual(['elsewhere']);
      await other.trim(latest);
      await outside.exec(`INSERT INTO ${tbl} (id) VALUES ('o3')`);
      const next = await t.changes({ after: latest, limit: 10 });
      expect(next.map((c) => [c.key, c.op])).toEqual([['o3', 'insert']]);
      expect(next[0].seq).toBeGreaterThan(latest);
      // The adapter's own writes are logged too (upsert of an existing key is an update).
      await t.upsert([{ id: 'o3', title: 'three' }]);
      await t.delete(['o3']);
      expect((await t.changes({ after: next[0].seq, limit: 10 })).map((c) => [c.key, c.op])).toEqual([
        ['o3', 'update'],
        ['o3', 'delete'],
      ]);
    });

    it("capture 'updated_at': the column is created with a default; upserts stamp it; changedSince reads it", async () => {
      const t = await target('upd', { capture: 'updated_at', updatedAtColumn: 'modified_at', columns: [{ name: 'title', kind: 'text' }] });
      expect(await t.ensure()).toEqual({ created: true, captureInstalled: false });
      expect(await t.ensure()).toEqual({ created: false, captureInstalled: false });
      const t0 = Date.now() - 1000;
      await t.upsert([{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }]);
      const all = await t.changedSince!({ sinceMs: t0, limit: 10 });
      expect(all.map((r) => r.id).sort()).toEqual(['a', 'b']);
      for (const r of all) {
        expect(typeof r.modified_at).toBe('number');
        expect(r.modified_at as number).toBeGreaterThanOrEqual(t0);
      }
      // An explicit updated_at is written as given (exact ms) and orders the result.
      const later = Date.UTC(2030, 0, 1, 0, 0, 0, 456);
      await t.upsert([{ id: 'b', modified_at: later }]);
      const since = await t.changedSince!({ sinceMs: later - 1, limit: 10 });
      expect(since).toEqual([{ id: 'b', title: 'B', modified_at: later }]);
      // The column's default stamps rows written from outside.
      await outside.exec(`INSERT INTO ${name(b.table('upd'))} (id, title) VALUES ('c', 'C')`);
      const withC = await t.changedSince!({ sinceMs: t0, limit: 10 });
      expect(withC.map((r) => r.id)).toEqual(expect.arrayContaining(['a', 'c']));
      expect(withC[withC.length - 1].id).toBe('b'); // oldest first: b (2030) is last
      expect((await t.changedSince!({ sinceMs: t0, limit: 1 })).length).toBe(1);
      // A write without the column stamps it with now (an update too, not only the insert's default).
      const beforeWrite = Date.now() - 1000;
      await t.upsert([{ id: 'b', title: 'B2' }]);
      const [b2] = await t.get(['b']);
      expect(b2.modified_at as number).toBeGreaterThanOrEqual(beforeWrite);
      expect(b2.modified_at as number).toBeLessThan(later);
      expect(await t.changedSince!({ sinceMs: later - 1, limit: 10 })).toEqual([]);
      // No change log for this table.
      expect(await t.changes({ after: 0, limit: 10 })).toEqual([]);
      // An existing table without the updated_at column is refused.
      const plain = await target('upd_plain', { columns: [{ name: 'title', kind: 'text' }], capture: 'triggers' });
      await plain.ensure();
      const u2 = await target('upd_plain', { columns: [{ name: 'title', kind: 'text' }], capture: 'updated_at', updatedAtColumn: 'changed' });
      await expect(u2.ensure()).rejects.toThrow(/updated_at column "changed" is missing from table/);
    });

    it('a missing column, a missing table or a non-unique key is a clear error', async () => {
      const tbl = b.table('partialtbl');
      made.push(tbl);
      const idType = b.name === 'mariadb' ? 'VARCHAR(50)' : 'TEXT';
      await outside.exec(`CREATE TABLE ${tbl} (id ${idType} PRIMARY KEY, title TEXT)`);
      const t = await target('partialtbl', { columns: [{ name: 'title', kind: 'text' }, { name: 'price', kind: 'number' }], create: false });
      await expect(t.ensure()).rejects.toThrow(new RegExp(`column "price" is missing from table ${tbl.replace('.', '\\.')}.*add it.*or fix the mapping`));
      const noKey = await target('partialtbl', { key: { name: 'code', kind: 'text' }, columns: [{ name: 'title', kind: 'text' }], create: false });
      await expect(noKey.ensure()).rejects.toThrow(/key column "code" is missing/);
      const absent = await target('nosuchtable', { create: false });
      await expect(absent.ensure()).rejects.toThrow(/does not exist.*database\.create: true/);
      const loose = b.table('loosekey');
      made.push(loose);
      await outside.exec(`CREATE TABLE ${loose} (id ${idType}, title TEXT)`);
      const nu = await target('loosekey', { columns: [{ name: 'title', kind: 'text' }], create: false });
      await expect(nu.ensure()).rejects.toThrow(/key column "id" .* is neither its primary key nor unique/);
      // The partial table works once the mapping matches it.
      const ok = await target('partialtbl', { columns: [{ name: 'title', kind: 'text' }], create: false });
      expect(await ok.ensure()).toEqual({ created: false, captureInstalled: true });
    });

    if (b.name === 'postgres') {
      it('an unqualified table is found on the search_path; its log and triggers live in that schema', async () => {
        const schema = b.table('x').split('.')[0];
        const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
        const t = await target('', { url, table: 'plain_items', columns: [{ name: 'title', kind: 'text' }, { name: 'tags', kind: 'json' }] });
        expect(await t.ensure()).toEqual({ created: true, captureInstalled: true });
        await t.upsert([{ id: 'a', title: 'x', tags: [1, 2] }]); // an array into jsonb, not a PostgreSQL array
        expect(await t.get(['a'])).toEqual([{ id: 'a', title: 'x', tags: [1, 2] }]);
        // Another session with a different search_path writes: the trigger still finds its log.
        await outside.exec(`INSERT INTO ${schema}.plain_items (id, title) VALUES ('b', 'y')`);
        const logged = await outside.rows(`SELECT row_key, op FROM ${schema}.feishu_hub_changes WHERE table_name = 'plain_items' ORDER BY seq`);
        expect(logged).toEqual([
          { row_key: 'a', op: 'insert' },
          { row_key: 'b', op: 'insert' },
        ]);
        expect((await t.changes({ after: 0, limit: 10 })).map((c) => c.key)).toEqual(['a', 'b']);
      });
    }
  });
});

describe('SQL target URLs and names', () => {
  it('parses the accepted forms and describes them without the password', () => {
    expect(parseTargetUrl('postgresql://app:s3cret@db.example:5433/shop?sslmode=require')).toMatchObject({ dialect: 'postgres', description: 'postgresql://app@db.example:5433/shop' });
    expect(parseTargetUrl('mariadb://app:p%40ss@db:3307/shop')).toMatchObject({ dialect: 'mysql', host: 'db', port: 3307, user: 'app', password: 'p@ss', database: 'shop', description: 'mariadb://app@db:3307/shop' });
    expect(parseTargetUrl('mysql://root@127.0.0.1/test')).toMatchObject({ dialect: 'mysql', port: 3306, database: 'test' });
    const s = parseTargetUrl('sqlite:./data/x.db');
    expect(s.dialect).toBe('sqlite');
    expect(s.description).toMatch(/^sqlite:\/.*data\/x\.db$/);
  });

  it('a bad URL is refused with the accepted forms, never echoing a password', async () => {
    for (const bad of ['http://u:topsecret@x/db', 'oracle://u:topsecret@h/db', 'sqlite:', 'mysql://u:topsecret@h', 'nonsense', '']) {
      let msg = '';
      try {
        await openTarget({ url: bad, table: 't', key: { name: 'id', kind: 'text' }, columns: [] });
      } catch (err) {
        msg = (err as Error).message;
      }
      expect(msg, bad).toMatch(/postgres:\/\/.*mysql:\/\/.*sqlite:<path>/);
      expect(msg).not.toContain('topsecret');
    }
  });

  it('bad table and column names are refused before any SQL runs', async () => {
    const base = { url: 'sqlite::memory:', key: { name: 'id', kind: 'text' as const }, columns: [] };
    await expect(openTarget({ ...base, table: 'drop table x;--' })).rejects.toThrow(/table name "drop table x;--" must be a plain SQL name/);
    await expect(openTarget({ ...base, table: 'a.b' })).rejects.toThrow(/schema\.table is for PostgreSQL only/);
    await expect(openTarget({ ...base, table: 'feishu_hub_changes' })).rejects.toThrow(/change log/);
    await expect(openTarget({ ...base, table: 't', columns: [{ name: 'a b', kind: 'text' }] })).rejects.toThrow(/column name "a b"/);
    await expect(openTarget({ ...base, table: 't', capture: 'updated_at' })).rejects.toThrow(/needs updatedAtColumn/);
    await expect(openTarget({ ...base, url: 'postgres://h/db', table: '1abc' })).rejects.toThrow(/optionally schema\.table/);
  });

  it('works on an in-memory SQLite database (one connection, transactions included)', async () => {
    const t = await openTarget({ url: 'sqlite::memory:', table: 'mem', key: { name: 'id', kind: 'text' }, columns: [{ name: 'n', kind: 'integer' }], create: true });
    try {
      expect(await t.ensure()).toEqual({ created: true, captureInstalled: true });
      await t.upsert([{ id: 'a', n: 1 }]);
      expect(await t.scan({ limit: 10 })).toEqual([{ id: 'a', n: 1 }]);
      expect((await t.changes({ after: 0, limit: 10 })).length).toBe(1);
    } finally {
      await t.close();
    }
  });
});
