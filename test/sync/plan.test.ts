import { describe, expect, it } from 'vitest';
import { FieldType } from '../../src/bitable/index.js';
import { canonical, fromEventValue, hashOf, recordFields, valuesFromRecord, type ResolvedPair, type RowValues } from '../../src/sync/codec.js';
import { planKeys, type KeyView } from '../../src/sync/plan.js';
import { syncConfigSchema } from '../../src/sync/config.js';

const pairs: ResolvedPair[] = [
  { ref: 'Name', fieldId: 'fld1', fieldName: 'Name', fieldType: FieldType.Text, column: 'name', kind: 'text', readOnly: false },
  { ref: 'Amount', fieldId: 'fld2', fieldName: 'Amount', fieldType: FieldType.Number, column: 'amount', kind: 'number', readOnly: false },
];
const side = (values: RowValues, time?: number) => ({ values, hash: hashOf(values, pairs), time });
const state = (values: RowValues, record_id = 'rec1', pending = false) => ({ record_id, hash: hashOf(values, pairs), values, pending });
const bt = (values: RowValues, time?: number, record_id = 'rec1') => ({ ...side(values, time), record_id, readOnly: {} });
const both = { direction: 'both', conflict: 'latest' } as const;
const plan = (v: Omit<KeyView, 'key'>, o: Parameters<typeof planKeys>[1] = both) => planKeys([{ key: 'k', ...v }], o);

const A = { name: 'a', amount: 1 };
const B = { name: 'b', amount: 1 };
const C = { name: 'c', amount: 2 };

describe('the three-way diff', () => {
  it('one side changed since the last sync: that side wins, no conflict', () => {
    expect(plan({ state: state(A), db: side(B), bitable: bt(A) }).bitable.update).toEqual([{ key: 'k', record_id: 'rec1', values: B, previous: A }]);
    const p = plan({ state: state(A), db: side(A), bitable: bt(B) });
    expect(p.database.upsert).toEqual([{ key: 'k', values: B, record_id: 'rec1' }]);
    expect(p.conflicts).toEqual([]);
  });

  it('both changed: latest wins by modification time, or the policy\'s side; recorded with both values', () => {
    const newerDb = plan({ state: state(A), db: side(B, 200), bitable: bt(C, 100) });
    expect(newerDb.bitable.update).toHaveLength(1);
    expect(newerDb.conflicts).toEqual([{ key: 'k', record_id: 'rec1', reason: 'both_changed', database: B, bitable: C, databaseTime: 200, bitableTime: 100, winner: 'database' }]);
    const newerBitable = plan({ state: state(A), db: side(B, 100), bitable: bt(C, 200) });
    expect(newerBitable.database.upsert).toHaveLength(1);
    expect(newerBitable.conflicts[0].winner).toBe('bitable');
    const always = plan({ state: state(A), db: side(B, 300), bitable: bt(C, 200) }, { direction: 'both', conflict: 'bitable' });
    expect(always.database.upsert[0].values).toEqual(C);
  });

  it('a row gone from one side since the last sync is deleted on the other (a tombstone)', () => {
    expect(plan({ state: state(A), db: side(A) }).database.delete).toEqual([{ key: 'k' }]);
    expect(plan({ state: state(A), bitable: bt(A) }).bitable.delete).toEqual([{ key: 'k', record_id: 'rec1' }]);
    expect(plan({ state: state(A) }).drop).toEqual(['k']);
  });

  it('deleted on one side, edited on the other: the edit wins under latest (the row comes back), a conflict is recorded', () => {
    const p = plan({ state: state(A), db: side(B) });
    expect(p.bitable.create).toEqual([{ key: 'k', values: B }]);
    expect(p.conflicts[0]).toMatchObject({ reason: 'edit_vs_delete', winner: 'database' });
    const q = plan({ state: state(A), db: side(B) }, { direction: 'both', conflict: 'bitable' });
    expect(q.database.delete).toEqual([{ key: 'k' }]);
  });

  it('new on one side: created on the other; equal on both: settled without a write', () => {
    expect(plan({ db: side(A) }).bitable.create).toHaveLength(1);
    expect(plan({ bitable: bt(A) }).database.upsert).toHaveLength(1);
    const eq = plan({ db: side(A), bitable: bt(A) });
    expect(eq.settle).toEqual([{ key: 'k', record_id: 'rec1', values: A }]);
    expect(eq.inSync).toBe(1);
    expect(plan({ state: state(A), db: side(A), bitable: bt(A) }).settle).toEqual([]);
  });

  it('a create cut off by a crash (pending state) is not taken for a delete', () => {
    const p = plan({ state: state(A, 'rec1', true), db: side(A) });
    expect(p.bitable.create).toHaveLength(1);
    expect(p.database.delete).toEqual([]);
  });

  it('one-way jobs make the target equal the source, whatever the target did', () => {
    expect(plan({ state: state(A), db: side(A), bitable: bt(B) }, { direction: 'to_bitable', conflict: 'latest' }).bitable.update[0].values).toEqual(A);
    expect(plan({ state: state(A), bitable: bt(A) }, { direction: 'to_database', conflict: 'latest' }).database.upsert).toHaveLength(1);
    expect(plan({ bitable: bt(A) }, { direction: 'to_bitable', conflict: 'latest' }).bitable.delete).toHaveLength(1);
  });

  it('duplicate keys in Bitable are reported, never merged', () => {
    const p = plan({ state: state(A), db: side(A), bitable: bt(A), duplicates: ['rec2'] });
    expect(p.conflicts).toEqual([{ key: 'k', record_id: 'rec2', reason: 'duplicate_key', winner: 'none' }]);
  });
});

describe('values across the two sides', () => {
  it('compares in one canonical form: empty text is null, numbers to 15 digits, timestamps whole ms', () => {
    expect(canonical('text', '')).toBeNull();
    expect(canonical('number', 0.1 + 0.2)).toBe(0.3);
    expect(canonical('boolean', null)).toBe(false);
    expect(canonical('timestamp', '2026-12-24T09:30:00.000Z')).toBe(Date.UTC(2026, 11, 24, 9, 30));
    expect(canonical('json', [])).toBeNull();
    expect(canonical('json', { b: 1, a: 2 })).toEqual({ a: 2, b: 1 });
  });

  it('reads records (text segments) and event values (JSON strings) to the same values', () => {
    const fromRecord = valuesFromRecord({ Name: [{ type: 'text', text: 'Ali' }, { type: 'text', text: 'ce' }], Amount: 3.5 }, pairs);
    expect(fromRecord).toEqual({ name: 'Alice', amount: 3.5 });
    expect(fromEventValue(pairs[0], JSON.stringify([{ type: 'text', text: 'Alice' }]))).toBe('Alice');
    expect(fromEventValue(pairs[1], '3.5')).toBe(3.5);
  });

  it('writes only what changed in an update, and clears with null', () => {
    expect(recordFields({ name: 'x', amount: 2 }, pairs, { name: 'x', amount: 1 })).toEqual({ Amount: 2 });
    expect(recordFields({ name: null, amount: 1 }, pairs, { name: 'x', amount: 1 })).toEqual({ Name: null });
    expect(recordFields({ name: null, amount: 1 }, pairs)).toEqual({ Amount: 1 });
  });
});

describe('sync config', () => {
  const base = { bitable: { app_token: 'bascnX', table_id: 'tblX' }, database: { url: 'sqlite:x.db', table: 'orders' }, key: { column: 'id', field: 'Order' }, fields: [{ field: 'Name', column: 'name' }] };
  const problem = (j: unknown) => {
    const r = syncConfigSchema.safeParse({ jobs: { j } });
    return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
  };
  it('takes a minimal job and fills the defaults', () => {
    const r = syncConfigSchema.parse({ jobs: { orders: base } });
    expect(r.jobs.orders).toMatchObject({ direction: 'both', conflict: 'latest', mass_delete_percent: 20, database: { capture: 'triggers', create: false } });
  });
  it('says what is wrong', () => {
    expect(problem({ ...base, database: { table: 'orders' } })).toMatch(/exactly one of url or url_env/);
    expect(problem({ ...base, database: { url: 'sqlite:x', table: 'drop table;' } })).toMatch(/plain SQL name/);
    expect(problem({ ...base, fields: [{ field: 'A', column: 'id' }] })).toMatch(/column "id" is mapped twice/);
    expect(problem({ ...base, direction: 'sideways' })).toMatch(/one of both, to_database, to_bitable/);
    expect(problem({ ...base, bitable: { table_id: 'tblX' } })).toMatch(/app_token .* or base_name/);
  });
});
