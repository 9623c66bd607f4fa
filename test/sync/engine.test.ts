import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldType } from '../../src/bitable/index.js';
import type { RunningHub } from '../../src/sandbox/index.js';
import { api, control, makeBase, openSqlite, personAdd, personDelete, personEdit, recordsOf, startEmulator, syncHub, text, until, workDir, type EmulatorHandle, type Rec, type TableRef } from './helpers.js';

/**
 * The sync engine end to end: a hub (real HTTP, the official SDK) keeps a base of the emulator and
 * a SQLite table equal — initial load both ways, then changes on either side, deletes, a renamed
 * field, conflicts by policy, the mass-delete guard, the dry run and verify.
 */

const work = workDir('sync-engine');
let emu: EmulatorHandle;
let h: RunningHub;
let logs: Record<string, any>[];
let t: TableRef;
let db: Database.Database;

const FIELDS = [
  { field_name: 'Order', type: FieldType.Text },
  { field_name: 'Customer', type: FieldType.Text },
  { field_name: 'Amount', type: FieldType.Number },
  { field_name: 'Status', type: FieldType.SingleSelect, property: { options: [{ name: 'new' }, { name: 'paid' }, { name: 'shipped' }] } },
  { field_name: 'Paid', type: FieldType.Checkbox },
  { field_name: 'Due', type: FieldType.DateTime },
];
const DUE = Date.UTC(2026, 11, 24, 9, 30);

const job = (over: Record<string, unknown> = {}) => ({
  bitable: { app_token: t.app_token, table_id: t.table_id },
  database: { url: `sqlite:${work.syncDb}`, table: 'orders' },
  key: { column: 'id', field: 'Order' },
  fields: [
    { field: 'Customer', column: 'customer' },
    { field: 'Amount', column: 'amount' },
    { field: 'Status', column: 'status', kind: 'text' },
    { field: 'Paid', column: 'paid' },
    { field: 'Due', column: 'due' },
  ],
  poll_every_ms: 100,
  ...over,
});

const row = (id: string) => db.prepare('select * from orders where id = ?').get(id) as Record<string, any> | undefined;
const byOrder = async () => new Map((await recordsOf(emu.url, t)).map((r) => [String(text(r.fields.Order)), r] as [string, Rec]));
const recordOf = async (id: string) => (await byOrder()).get(id);

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  t = await makeBase(emu.url, 'Orders', FIELDS);
  // Bitable starts with B-001…B-030, the database with D-001…D-040; both hold S-1 (equal) and S-2 (different).
  await api(emu, 'POST', `/open-apis/bitable/v1/apps/${t.app_token}/tables/${t.table_id}/records/batch_create`, {
    records: [
      ...Array.from({ length: 30 }, (_, i) => ({ fields: { Order: `B-${String(i + 1).padStart(3, '0')}`, Customer: `Bitable ${i + 1}`, Amount: i * 10.5, Status: 'new', Paid: i % 2 === 0, Due: DUE + i * 3_600_000 } })),
      { fields: { Order: 'S-1', Customer: 'Same', Amount: 1, Status: 'paid', Paid: true, Due: DUE } },
      { fields: { Order: 'S-2', Customer: 'Bitable side', Amount: 2 } },
    ],
  });
  db = openSqlite(work.syncDb);
  db.exec('create table orders (id text primary key, customer text, amount real, status text, paid integer, due integer, note text)');
  const ins = db.prepare('insert into orders (id, customer, amount, status, paid, due, note) values (?, ?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < 40; i++) ins.run(`D-${String(i + 1).padStart(3, '0')}`, `数据库 ${i + 1}`, i + 0.25, i % 3 === 0 ? 'shipped' : 'paid', i % 2, DUE - i * 86_400_000, 'kept');
  ins.run('S-1', 'Same', 1, 'paid', 1, DUE, null);
  ins.run('S-2', 'Database side', 2, null, 0, null, null);
  ({ h, logs } = await syncHub(emu, work.hubDb, { sync: { jobs: { orders: job() } } }));
}, 60_000);

afterAll(async () => {
  if (process.env.SYNC_TEST_LOGS) (await import('node:fs')).writeFileSync(process.env.SYNC_TEST_LOGS, logs.map((l) => JSON.stringify(l)).join('\n'));
  await h?.stop();
  db?.close();
  await emu?.close();
  work.remove();
});

describe('sync: a Bitable table and a SQLite table kept equal', () => {
  it('the initial load at start brings each side the rows of the other, converting every type', async () => {
    const s = await until(async () => (await h.hub.sync.status())[0].lastRunAt && (await h.hub.sync.status())[0], 30_000, 'the first run');
    expect(s.lastError).toBeUndefined();
    expect(s.rows).toBe(72);
    const recs = await byOrder();
    expect(recs.size).toBe(72);
    const d7 = recs.get('D-007')!;
    expect(text(d7.fields.Customer)).toBe('数据库 7');
    expect(d7.fields).toMatchObject({ Amount: 6.25, Status: 'shipped', Due: DUE - 6 * 86_400_000 });
    expect(d7.fields.Paid).toBeUndefined(); // an unchecked box reads back empty, as on the platform
    expect(recs.get('D-008')!.fields).toMatchObject({ Status: 'paid', Paid: true });
    const d4 = recs.get('D-004')!;
    expect(d4.fields).toMatchObject({ Status: 'shipped', Paid: true });
    const b3 = row('B-003')!;
    expect(b3).toMatchObject({ customer: 'Bitable 3', amount: 21, status: 'new', paid: 1, due: DUE + 2 * 3_600_000, note: null });
    expect(row('D-001')!.note).toBe('kept');
    expect((db.prepare('select count(*) as n from orders').get() as { n: number }).n).toBe(72);
    // Both changed before any sync: a first-sync conflict, recorded with both values; Bitable wins (no database time before the change log).
    const conflicts = await h.hub.sync.job('orders').state.conflicts();
    const s2 = conflicts.find((c) => c.key === 'S-2')!;
    expect(s2).toMatchObject({ reason: 'first_sync', winner: 'bitable' });
    expect(s2.database).toMatchObject({ customer: 'Database side' });
    expect(s2.bitable).toMatchObject({ customer: 'Bitable side' });
    expect(row('S-2')!.customer).toBe('Bitable side');
    expect(conflicts.some((c) => c.key === 'S-1')).toBe(false);
    const v = await h.hub.sync.verify('orders');
    expect(v).toMatchObject({ equal: true, rows: { database: 72, bitable: 72 }, onlyInDatabase: [], onlyInBitable: [], different: [] });
    expect(v.checksum.database).toBe(v.checksum.bitable);
  }, 60_000);

  it('a person edits a cell: the database row follows (the record-changed event)', async () => {
    const rec = (await recordOf('B-010'))!;
    await personEdit(emu.url, t, rec.record_id, { Customer: 'Edited in Bitable', Amount: 99.5, Paid: false });
    await until(() => row('B-010')?.customer === 'Edited in Bitable', 10_000, 'the database row');
    expect(row('B-010')).toMatchObject({ amount: 99.5, paid: 0 });
    // Clearing a cell clears the column.
    await personEdit(emu.url, t, rec.record_id, { Status: null });
    await until(() => row('B-010')?.status === null, 10_000, 'the cleared column');
  }, 30_000);

  it('a database UPDATE, INSERT and DELETE reach Bitable (the change log), and the echo does not bounce back', async () => {
    db.prepare('update orders set customer = ?, amount = ? where id = ?').run('Edited in SQL', 7.75, 'D-020');
    db.prepare('insert into orders (id, customer, amount, status, paid, due) values (?, ?, ?, ?, ?, ?)').run('D-NEW', 'Inserted', 3, 'new', 1, DUE);
    db.prepare('delete from orders where id = ?').run('D-030');
    await until(async () => text((await recordOf('D-020'))?.fields.Customer) === 'Edited in SQL', 10_000, 'the updated record');
    const recs = await until(async () => {
      const m = await byOrder();
      return m.has('D-NEW') && !m.has('D-030') && m;
    }, 10_000, 'the insert and the delete');
    expect(recs.get('D-NEW')!.fields).toMatchObject({ Amount: 3, Status: 'new', Paid: true, Due: DUE });
    expect(recs.get('D-020')!.fields.Amount).toBe(7.75);
    const status = (await h.hub.sync.status())[0];
    expect(status.pending.databaseChanges).toBe(0);
    // Our own writes come back as events: none of them is written to the database again.
    const before = (db.prepare('select count(*) as n from orders').get() as { n: number }).n;
    await new Promise((r) => setTimeout(r, 500));
    expect((db.prepare('select count(*) as n from orders').get() as { n: number }).n).toBe(before);
    expect(await h.hub.sync.verify('orders')).toMatchObject({ equal: true });
  }, 30_000);

  it('a person adds and deletes rows in Bitable: the database follows (the delete is a tombstone)', async () => {
    const added = await personAdd(emu.url, t, { Order: 'B-NEW', Customer: 'Added in Bitable', Amount: 5 });
    await until(() => row('B-NEW')?.customer === 'Added in Bitable', 10_000, 'the added row');
    await personDelete(emu.url, t, added.record.record_id);
    const b5 = (await recordOf('B-005'))!;
    await personDelete(emu.url, t, b5.record_id);
    await until(() => !row('B-NEW') && !row('B-005'), 10_000, 'the deleted rows');
    expect(await h.hub.sync.verify('orders')).toMatchObject({ equal: true });
  }, 30_000);

  it('a field renamed in Bitable keeps syncing both ways (the mapping holds the field id)', async () => {
    const fields = (await control(emu.url, 'GET', `/__emulator/bitable/apps/${t.app_token}`)).tables[0].fields as { field_id: string; field_name: string; type: number }[];
    const customer = fields.find((f) => f.field_name === 'Customer')!;
    await api(emu, 'PUT', `/open-apis/bitable/v1/apps/${t.app_token}/tables/${t.table_id}/fields/${customer.field_id}`, { field_name: 'Client', type: FieldType.Text });
    const rec = (await recordOf('B-011'))!;
    await personEdit(emu.url, t, rec.record_id, { Client: 'After the rename' });
    await until(() => row('B-011')?.customer === 'After the rename', 10_000, 'the row after the rename');
    db.prepare('update orders set customer = ? where id = ?').run('SQL after the rename', 'D-011');
    await until(async () => text((await recordOf('D-011'))?.fields.Client) === 'SQL after the rename', 10_000, 'the record after the rename');
    expect((await recordOf('D-011'))!.fields.Customer).toBeUndefined();
  }, 30_000);

  it('a dry run prints the plan and writes nothing; the mass-delete guard stops a run that would empty a side', async () => {
    await h.stop();
    db.prepare("delete from orders where id like 'B-%'").run();
    db.prepare('update orders set amount = 1234 where id = ?').run('D-002');
    ({ h, logs } = await syncHub(emu, work.hubDb, { sync: { jobs: { orders: job({ run_at_start: false }) } } }));
    const before = await recordsOf(emu.url, t);
    const dry = await h.hub.sync.run('orders', { dryRun: true, allowMassDelete: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.plan.bitable).toEqual({ create: 0, update: 1, delete: 29 });
    expect(dry.plan.database).toEqual({ insert_or_update: 0, delete: 0 });
    expect(await recordsOf(emu.url, t)).toEqual(before);

    const err = await h.hub.sync.run('orders').then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe('MassDeleteError');
    expect(err?.message).toMatch(/would delete 29 of \d+ rows in Bitable .*--allow-mass-delete/);
    expect((await h.hub.sync.status())[0].blocked).toMatch(/would delete 29/);
    expect(await recordsOf(emu.url, t)).toEqual(before);

    const r = await h.hub.sync.run('orders', { allowMassDelete: true });
    expect(r.plan.bitable.delete).toBe(29);
    expect([...(await byOrder()).keys()].filter((k) => k.startsWith('B-'))).toEqual([]);
    expect(text((await recordOf('D-002'))!.fields.Amount)).toBe(1234);
    expect((await h.hub.sync.status())[0].blocked).toBeUndefined();
    expect(await h.hub.sync.verify('orders')).toMatchObject({ equal: true });
  }, 60_000);

  it('concurrent edits while the hub is down resolve by the policy (latest wins) and are reported with both values', async () => {
    await h.stop();
    const d3 = (await recordOf('D-003'))!;
    const d8 = (await recordOf('D-008'))!;
    // D-003: the database edit is the later one; D-008: the Bitable edit is.
    await personEdit(emu.url, t, d3.record_id, { Client: 'Bitable first' });
    await new Promise((r) => setTimeout(r, 30));
    db.prepare('update orders set customer = ? where id = ?').run('SQL later', 'D-003');
    db.prepare('update orders set customer = ? where id = ?').run('SQL first', 'D-008');
    await new Promise((r) => setTimeout(r, 30));
    await personEdit(emu.url, t, d8.record_id, { Client: 'Bitable later' });
    // Deleted in the database, edited in Bitable: the edit wins (the row comes back).
    db.prepare('delete from orders where id = ?').run('D-009');
    await personEdit(emu.url, t, (await recordOf('D-009'))!.record_id, { Amount: 909 });
    ({ h, logs } = await syncHub(emu, work.hubDb, { sync: { jobs: { orders: job() } } }));
    await until(async () => row('D-008')?.customer === 'Bitable later' && text((await recordOf('D-003'))?.fields.Client) === 'SQL later' && row('D-009')?.amount === 909, 20_000, 'the conflicts resolved');
    const conflicts = await h.hub.sync.job('orders').state.conflicts();
    expect(conflicts.find((c) => c.key === 'D-003')).toMatchObject({ reason: 'both_changed', winner: 'database', database: { customer: 'SQL later' }, bitable: { customer: 'Bitable first' } });
    expect(conflicts.find((c) => c.key === 'D-008')).toMatchObject({ reason: 'both_changed', winner: 'bitable', database: { customer: 'SQL first' }, bitable: { customer: 'Bitable later' } });
    expect(conflicts.find((c) => c.key === 'D-009')).toMatchObject({ reason: 'edit_vs_delete', winner: 'bitable' });
    expect(logs.some((l) => l.level === 40 && /conflict on D-003 \(both_changed\); database wins/.test(l.msg))).toBe(true);
    expect(await h.hub.sync.verify('orders')).toMatchObject({ equal: true });
  }, 60_000);

  it('verify finds a row changed behind the engine\'s back (triggers dropped), and a run repairs it', async () => {
    db.exec('drop trigger if exists feishu_hub_orders_upd');
    db.prepare('update orders set amount = 4242 where id = ?').run('D-012');
    const v = await h.hub.sync.verify('orders');
    expect(v).toMatchObject({ equal: false, different: ['D-012'] });
    expect(v.checksum.database).not.toBe(v.checksum.bitable);
    const r = await h.hub.sync.run('orders', { source: 'repair' });
    expect(r.plan.bitable.update).toBe(1);
    expect((await recordOf('D-012'))!.fields.Amount).toBe(4242);
    expect(await h.hub.sync.verify('orders')).toMatchObject({ equal: true });
  }, 30_000);
});
