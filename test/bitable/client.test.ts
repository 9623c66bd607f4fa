import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { BitableClient, FieldType } from '../../src/bitable/index.js';
import { createPlatform, FeishuApiError, type Platform } from '../../src/platform/index.js';
import { control, sdkClient } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';

/**
 * The hub's Bitable client over real HTTP against the emulator: every call through the platform
 * client (official SDK, tokens, client-side limits), bases made with the emulator's control route.
 */
let emu: EmulatorHandle;
let ctl: ReturnType<typeof control>;
let platform: Platform;
let bitable: BitableClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  ctl = control(emu);
});
afterAll(async () => {
  await platform?.close();
  await emu?.close();
});
beforeEach(async () => {
  await ctl.reset();
  await platform?.close();
  platform = createPlatform({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url, retry: { baseMs: 20, capMs: 200 } });
  bitable = new BitableClient(platform, { backoffMs: 20, backoffCapMs: 200 });
});

const TASKS = {
  name: 'Tasks',
  fields: [
    { field_name: 'Title', type: FieldType.Text },
    { field_name: 'Points', type: FieldType.Number },
    { field_name: 'Status', type: FieldType.SingleSelect, property: { options: [{ name: 'Todo' }, { name: 'Done' }] } },
    { field_name: 'Due', type: FieldType.DateTime },
    { field_name: 'Owner', type: FieldType.User },
    { field_name: 'Flag', type: FieldType.Checkbox },
  ],
};

async function newBase(tables = [TASKS]): Promise<{ app: string; table: string }> {
  const r = await ctl.call('POST', '/__emulator/bitable/apps', { name: 'Ops', tables });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { app: r.body.app_token, table: r.body.tables[0].table_id };
}

async function wholeTable(app: string, table: string) {
  const base = (await ctl.call('GET', `/__emulator/bitable/apps/${app}`)).body;
  return base.tables.find((t: { table_id: string }) => t.table_id === table) as { fields: { field_name: string; type: number }[]; records: { record_id: string; fields: Record<string, unknown> }[] };
}

/** The call log's bitable calls since the reset (method and path). */
async function calls(match: RegExp): Promise<{ method: string; path: string }[]> {
  const state = await ctl.state();
  return (state.calls as { method: string; path: string }[]).filter((c) => match.test(`${c.method} ${c.path}`));
}

describe('bitable client: schema', () => {
  it('reads the base, its tables and fields; ensureFields creates only the missing ones and reports type clashes', async () => {
    const { app, table } = await newBase([TASKS, { name: 'People', fields: [{ field_name: 'Name', type: FieldType.Text }] }]);
    expect(await bitable.app(app)).toMatchObject({ app_token: app, name: 'Ops' });
    expect((await bitable.listTables(app)).map((t) => t.name)).toEqual(['Tasks', 'People']);
    const fields = await bitable.fields(app, table);
    expect(fields.map((f) => [f.field_name, f.type])).toEqual(TASKS.fields.map((f) => [f.field_name, f.type]));
    expect(fields[0].is_primary).toBe(true);

    const spec = [
      { field_name: 'Title', type: FieldType.Text },
      { field_name: 'Points', type: FieldType.Text }, // exists as a number
      { field_name: 'Tags', type: FieldType.MultiSelect, property: { options: [{ name: 'ops' }] } },
      { field_name: 'Parent', type: FieldType.SingleLink, property: { table_id: table, multiple: true } },
    ];
    const first = await bitable.ensureFields(app, table, spec);
    expect(first.created.map((f) => [f.field_name, f.type])).toEqual([['Tags', FieldType.MultiSelect], ['Parent', FieldType.SingleLink]]);
    expect(first.mismatched).toEqual([{ field_name: 'Points', wanted: FieldType.Text, actual: FieldType.Number }]);
    expect(first.fields.map((f) => f.field_name)).toEqual([...TASKS.fields.map((f) => f.field_name), 'Tags', 'Parent']);
    const again = await bitable.ensureFields(app, table, spec);
    expect(again.created).toEqual([]);
    expect((await wholeTable(app, table)).fields.map((f) => f.field_name)).toEqual([...TASKS.fields.map((f) => f.field_name), 'Tags', 'Parent']);
  });
});

describe('bitable client: tables, views, fields, subscription', () => {
  it('creates and deletes a table, lists its views, renames and deletes a field, subscribes the base', async () => {
    const { app } = await newBase();
    const made = await bitable.createTable(app, { name: 'Stock', default_view_name: 'All', fields: [{ field_name: 'SKU', type: FieldType.Text }, { field_name: 'Qty', type: FieldType.Number }] });
    expect(made.table_id).toMatch(/^tbl/);
    expect((await bitable.listTables(app)).map((t) => t.name)).toEqual(['Tasks', 'Stock']);
    expect((await bitable.views(app, made.table_id)).map((v) => [v.view_name, v.view_type])).toEqual([['All', 'grid']]);
    const qty = (await bitable.fields(app, made.table_id)).find((f) => f.field_name === 'Qty')!;
    const renamed = await bitable.updateField(app, made.table_id, qty.field_id, { field_name: 'Quantity', type: FieldType.Number });
    expect(renamed).toMatchObject({ field_id: qty.field_id, field_name: 'Quantity', type: FieldType.Number });
    expect(await bitable.deleteField(app, made.table_id, qty.field_id)).toBe(true);
    expect((await bitable.fields(app, made.table_id)).map((f) => f.field_name)).toEqual(['SKU']);
    await bitable.deleteTable(app, made.table_id);
    expect((await bitable.listTables(app)).map((t) => t.name)).toEqual(['Tasks']);

    await bitable.subscribe(app);
    await bitable.subscribe(app); // again: no harm
    const sub = await platform.request<{ data: { is_subscribe: boolean } }>({ url: `/open-apis/drive/v1/files/${app}/get_subscribe`, params: { file_type: 'bitable' } });
    expect(sub.data.is_subscribe).toBe(true);
  });
});

describe('bitable client: records', () => {
  it('2,500 rows: created in chunks of 1,000, read back by iterator, updated, deleted in chunks of 500', async () => {
    const { app, table } = await newBase();
    const rows = Array.from({ length: 2500 }, (_, i) => ({ Title: `task ${i}`, Points: i, Status: i % 2 ? 'Done' : 'Todo' }));
    const progress: number[] = [];
    const created = await bitable.batchCreate(app, table, rows, { onProgress: (p) => progress.push(p.done) });
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(created).toHaveLength(2500);
    expect(new Set(created.map((r) => r.record_id)).size).toBe(2500);
    expect(await calls(/records\/batch_create/)).toHaveLength(3);
    expect((await wholeTable(app, table)).records).toHaveLength(2500);

    const read = [];
    for await (const r of bitable.records(app, table)) read.push(r);
    expect(read).toHaveLength(2500);
    expect(new Set(read.map((r) => r.record_id))).toEqual(new Set(created.map((r) => r.record_id)));
    expect(await calls(/records\/search/)).toHaveLength(5); // pages of 500
    const byId = new Map(read.map((r) => [r.record_id, r]));
    expect(byId.get(created[7].record_id)!.fields).toMatchObject({ Title: [{ type: 'text', text: 'task 7' }], Points: 7, Status: 'Done' });

    const done = [];
    for await (const r of bitable.records(app, table, { filter: { conjunction: 'and', conditions: [{ field_name: 'Status', operator: 'is', value: ['Done'] }] }, limit: 30 })) done.push(r);
    expect(done).toHaveLength(30);
    expect(done.every((r) => r.fields.Status === 'Done')).toBe(true);

    const updated = await bitable.batchUpdate(app, table, created.map((r, i) => ({ record_id: r.record_id, fields: { Points: i * 10 } })));
    expect(updated).toHaveLength(2500);
    expect(await calls(/records\/batch_update/)).toHaveLength(3);
    const got = await bitable.batchGet(app, table, [...created.slice(0, 250).map((r) => r.record_id), 'recNoSuchRecord']);
    expect(await calls(/records\/batch_get/)).toHaveLength(3);
    expect(got.records).toHaveLength(250);
    expect(got.absent).toEqual(['recNoSuchRecord']);
    expect(got.records.find((r) => r.record_id === created[3].record_id)!.fields).toMatchObject({ Points: 30, Title: [{ type: 'text', text: 'task 3' }] });

    const deleted = await bitable.batchDelete(app, table, created.map((r) => r.record_id));
    expect(deleted).toHaveLength(2500);
    expect(deleted.every((d) => d.deleted)).toBe(true);
    expect(await calls(/records\/batch_delete/)).toHaveLength(5);
    expect((await wholeTable(app, table)).records).toHaveLength(0);
  }, 60_000);

  it('single-record calls: create, get, update (only the given fields; null clears), delete; absent ids are undefined / false', async () => {
    const { app, table } = await newBase();
    const rec = await bitable.create(app, table, { Title: 'one', Points: 1, Flag: true });
    // records/get answers text as a string (text_field_as_array is off), search as segments: both read the same plain.
    expect((await bitable.record(app, table, rec.record_id))!.fields).toMatchObject({ Title: 'one', Points: 1, Flag: true });
    await bitable.update(app, table, rec.record_id, { Points: 2, Flag: null });
    const after = (await bitable.record(app, table, rec.record_id))!;
    expect(after.fields).toMatchObject({ Title: 'one', Points: 2 });
    expect(after.fields.Flag ?? false).toBe(false);
    expect(await bitable.delete(app, table, rec.record_id)).toBe(true);
    expect(await bitable.record(app, table, rec.record_id)).toBeUndefined();
    expect(await bitable.delete(app, table, rec.record_id)).toBe(false);
  });

  it('plain values both ways through a table handle (dates, users, selects, checkbox)', async () => {
    const { app, table } = await newBase();
    const alice = user(emu, 'alice').open_id;
    const tasks = bitable.table(app, table);
    const due = new Date('2026-03-01T08:00:00Z');
    const [row] = await tasks.insert([{ Title: 'plain', Points: 5, Status: 'Done', Due: due, Owner: [alice], Flag: true }]);
    const back = (await tasks.get(row.record_id))!;
    expect(back.fields).toEqual({ Title: 'plain', Points: 5, Status: 'Done', Due: due, Owner: [alice], Flag: true });
    await tasks.patch([{ record_id: row.record_id, fields: { Title: 'changed', Owner: null } }]);
    const rows = [];
    for await (const r of tasks.rows()) rows.push(r);
    expect(rows).toHaveLength(1);
    expect(rows[0].fields).toMatchObject({ Title: 'changed', Points: 5, Due: due });
    expect(rows[0].fields.Owner ?? []).toEqual([]);
    await tasks.remove([row.record_id]);
    expect(await tasks.get(row.record_id)).toBeUndefined();
  });
});

describe('bitable client: idempotent, serialised writes', () => {
  it('a batch repeated with the same client_token does not double a row; a 5xx after the write is retried without doubling', async () => {
    const { app, table } = await newBase();
    const rows = Array.from({ length: 1200 }, (_, i) => ({ Title: `r${i}` }));
    const first = await bitable.batchCreate(app, table, rows, { clientToken: 'import-2026-03-01' });
    const second = await bitable.batchCreate(app, table, rows, { clientToken: 'import-2026-03-01' });
    expect(second.map((r) => r.record_id)).toEqual(first.map((r) => r.record_id));
    expect((await wholeTable(app, table)).records).toHaveLength(1200);

    // The platform wrote the rows, then the answer was lost (a 500): the client repeats with the same token.
    await ctl.fault({ method: 'POST', path: '/open-apis/bitable/*', status: 500, after: true, count: 1 });
    const one = await bitable.create(app, table, { Title: 'exactly once' });
    const table2 = await wholeTable(app, table);
    expect(table2.records).toHaveLength(1201);
    expect(table2.records.filter((r) => JSON.stringify(r.fields).includes('exactly once'))).toHaveLength(1);
    expect(table2.records.some((r) => r.record_id === one.record_id)).toBe(true);
    expect((await calls(/POST .*\/records$/)).length).toBe(2); // the failed answer and its retry

    // A caller's own key (any string; sent as a uuid derived from it): the same key twice is one row.
    const a = await bitable.create(app, table, { Title: 'keyed' }, { clientToken: 'order-42' });
    const b = await bitable.create(app, table, { Title: 'keyed' }, { clientToken: 'order-42' });
    expect(b.record_id).toBe(a.record_id);
    expect((await wholeTable(app, table)).records).toHaveLength(1202);
  });

  it('writes to one base go one at a time (the platform answers 1254291 to overlapping ones); a conflict with another writer is retried', async () => {
    const { app, table } = await newBase();
    await ctl.call('PUT', `/__emulator/bitable/apps/${app}/write-latency`, { ms: 200 });

    // Straight SDK calls that overlap: the platform refuses all but one.
    const raw = sdkClient(emu);
    const rawResults = await Promise.allSettled([0, 1, 2].map((i) => raw.bitable.v1.appTableRecord.create({ path: { app_token: app, table_id: table }, data: { fields: { Title: `raw ${i}` } } })));
    const codes = rawResults.map((r) => (r.status === 'fulfilled' ? (r.value as { code?: number }).code ?? 0 : ((r.reason as { response?: { data?: { code?: number } } }).response?.data?.code ?? -1)));
    expect(codes.filter((c) => c === 1254291).length).toBeGreaterThan(0);

    // The client's writes, all at once: queued per base, none refused.
    const results = await Promise.all([
      bitable.create(app, table, { Title: 'a' }),
      bitable.batchCreate(app, table, [{ Title: 'b' }, { Title: 'c' }]),
      bitable.create(app, table, { Title: 'd' }),
      bitable.batchCreate(app, table, [{ Title: 'e' }]),
    ]);
    expect(results.flat()).toHaveLength(5);
    const conflicts = (await ctl.state()).calls.filter((c: { path: string; code?: number; status?: number }) => /bitable/.test(c.path) && c.code === 1254291);
    const before = conflicts.length;

    // Another writer (outside this client) holds the base: the client's write is refused, waits, and goes through.
    const other = raw.bitable.v1.appTableRecord.batchCreate({ path: { app_token: app, table_id: table }, data: { records: [{ fields: { Title: 'other' } }] } });
    await new Promise((r) => setTimeout(r, 40));
    const mine = await bitable.batchDelete(app, table, [results[0].record_id as string]);
    await other;
    expect(mine).toEqual([{ record_id: results[0].record_id, deleted: true }]);
    const after = (await ctl.state()).calls.filter((c: { path: string; code?: number }) => /bitable/.test(c.path) && c.code === 1254291).length;
    expect(after).toBeGreaterThan(before);
    expect(before).toBe(codes.filter((c) => c === 1254291).length); // none from the client's queued writes
  });

  it('a write that keeps conflicting fails with the platform\'s error once the retries are spent', async () => {
    const { app, table } = await newBase();
    const strict = new BitableClient(platform, { conflictRetries: 1, backoffMs: 1 });
    await ctl.fault({ method: 'POST', path: '/open-apis/bitable/*', status: 200, code: 1254291, count: 20 });
    const err = await strict.batchDelete(app, table, ['recX']).catch((e) => e);
    expect(err).toBeInstanceOf(FeishuApiError);
    expect(err.code).toBe(1254291);
  });
});

describe('bitable client: paced by the platform limiter', () => {
  it('45 searches at once keep to 20/s and 110 single writes to 50/s: the emulator (limits on) refuses none', async () => {
    const { app, table } = await newBase();
    await bitable.batchCreate(app, table, [{ Title: 'x' }]);
    let started = performance.now();
    const pages = await Promise.all(
      Array.from({ length: 45 }, async () => {
        const out = [];
        for await (const r of bitable.records(app, table, { limit: 1 })) out.push(r);
        return out.length;
      }),
    );
    expect(pages.every((n) => n === 1)).toBe(true);
    expect(performance.now() - started).toBeGreaterThan(1900); // 20 + 20 + 5: three windows of a second
    started = performance.now();
    await Promise.all(Array.from({ length: 110 }, (_, i) => bitable.create(app, table, { Title: `w${i}` })));
    expect(performance.now() - started).toBeGreaterThan(1900); // 50 + 50 + 10
    const refused = (await ctl.state()).calls.filter((c: { status: number; code: number | null }) => c.status === 429 || c.code === 99991400 || c.code === 1254290 || c.code === 1254291);
    expect(refused).toEqual([]);
    expect((await wholeTable(app, table)).records).toHaveLength(111);
  }, 30_000);
});
