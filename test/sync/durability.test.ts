import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldType } from '../../src/bitable/index.js';
import { BIN, ROOT, cleanEnv, run, start } from '../cli/process.js';
import { sdkClient } from '../helpers/emulator.js';
import { control, makeBase, openSqlite, recordsOf, startEmulator, text, until, workDir, type EmulatorHandle, type TableRef } from './helpers.js';

/**
 * The bar: 20,000 rows each way against the emulator with 5xx and 429 faults on, the
 * `feishu-hub sync run` process killed with SIGKILL in the middle, then run again: both sides end
 * identical by checksum over every row, nothing lost and nothing doubled.
 */

const N = 20_000;
const work = workDir('sync-durable');
let emu: EmulatorHandle;
let t: TableRef;
const yaml = join(work.dir, 'feishu-hub.yaml');
const env = () => cleanEnv({ FEISHU_HUB_CONFIG: yaml, DATABASE_URL: `sqlite:${work.hubDb}`, LOG_LEVEL: 'warn' });
const syncCli = (args: string[]) => [BIN, 'sync', ...args, '--emulator', emu.url];
const pad = (i: number) => String(i).padStart(5, '0');

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  t = await makeBase(emu.url, 'Big', [
    { field_name: 'Key', type: FieldType.Text },
    { field_name: 'Name', type: FieldType.Text },
    { field_name: 'Qty', type: FieldType.Number },
    { field_name: 'Done', type: FieldType.Checkbox },
    { field_name: 'When', type: FieldType.DateTime },
  ]);
  const sdk = sdkClient(emu);
  for (let part = 0; part < N / 1000; part++) {
    const res = await sdk.bitable.v1.appTableRecord.batchCreate({
      path: { app_token: t.app_token, table_id: t.table_id },
      data: { records: Array.from({ length: 1000 }, (_, j) => part * 1000 + j).map((i) => ({ fields: { Key: `B-${pad(i)}`, Name: `bitable row ${i}`, Qty: i, Done: i % 3 === 0, When: Date.UTC(2026, 0, 1) + i * 60_000 } })) },
    });
    expect(res.code).toBe(0);
  }
  const db = openSqlite(work.syncDb);
  db.exec('create table items (key text primary key, name text, qty real, done integer, "when" integer)');
  const ins = db.prepare('insert into items values (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < N; i++) ins.run(`D-${pad(i)}`, `数据库 ${i}`, i / 4, i % 2, Date.UTC(2025, 5, 1) + i * 1000);
  })();
  db.close();
  writeFileSync(
    yaml,
    [
      'sync:',
      '  jobs:',
      '    items:',
      `      bitable: { app_token: ${t.app_token}, table_id: ${t.table_id} }`,
      `      database: { url: "sqlite:${work.syncDb}", table: items }`,
      '      key: { column: key, field: Key }',
      '      fields:',
      '        - { field: Name, column: name }',
      '        - { field: Qty, column: qty }',
      '        - { field: Done, column: done }',
      '        - { field: When, column: when }',
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await emu?.close();
  work.remove();
});

describe('sync: 20,000 rows each way through faults and a kill -9', () => {
  it('ends identical on both sides by checksum, nothing lost or doubled', async () => {
    const bitablePath = `/open-apis/bitable/v1/apps/${t.app_token}/*`;
    // 5xx before the call is handled, 5xx after it was (the answer lost: a write done but not known), and 429s.
    await control(emu.url, 'POST', '/__emulator/faults', { path: bitablePath, status: 500, rate: 0.05 });
    await control(emu.url, 'POST', '/__emulator/faults', { path: bitablePath, method: 'POST', status: 502, rate: 0.05, after: true });
    await control(emu.url, 'POST', '/__emulator/faults', { path: bitablePath, status: 429, code: 99991400, msg: 'request trigger frequency limit', rate: 0.05 });

    // The first run is killed once it has written a part of the plan (rows in the sync state).
    const first = start(process.execPath, syncCli(['run', 'items']), { cwd: ROOT, env: env() });
    const state = () => {
      try {
        const db = new Database(work.hubDb, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare("select count(*) as n from sync_rows where job = 'items'").get() as { n: number }).n;
        } finally {
          db.close();
        }
      } catch {
        return 0;
      }
    };
    await until(() => state() >= 8000, 240_000, `the first run to checkpoint 8000 rows (output: ${first.output().slice(-500)})`);
    first.child.kill('SIGKILL');
    const killed = await first.closed;
    expect(killed.signal).toBe('SIGKILL');
    const partial = state();
    expect(partial).toBeLessThan(2 * N);

    const second = await run(process.execPath, syncCli(['run', 'items', '--json']), { cwd: ROOT, env: env() });
    expect(second.code, second.output).toBe(0);
    const result = JSON.parse(second.stdout) as { resumed: boolean; rows: { database: number; bitable: number }; plan: { in_sync: number } };
    expect(result.resumed).toBe(true);
    // What the first run wrote is found done, not written again.
    expect(result.plan.in_sync).toBeGreaterThanOrEqual(partial - 1000);
    const faults = (await control(emu.url, 'GET', '/__emulator/faults')).faults as { hits: number }[];
    expect(faults.every((f) => f.hits > 0)).toBe(true);
    await control(emu.url, 'DELETE', '/__emulator/faults');

    const verify = await run(process.execPath, syncCli(['verify', 'items', '--json']), { cwd: ROOT, env: env() });
    expect(verify.code, verify.output).toBe(0);
    const v = JSON.parse(verify.stdout) as { equal: boolean; rows: { database: number; bitable: number }; checksum: { database: string; bitable: string }; duplicates: string[] };
    expect(v).toMatchObject({ equal: true, rows: { database: 2 * N, bitable: 2 * N }, duplicates: [] });
    expect(v.checksum.database).toBe(v.checksum.bitable);

    // And by hand: every key once on each side, the values converted.
    const recs = await recordsOf(emu.url, t);
    const keys = recs.map((r) => String(text(r.fields.Key)));
    expect(new Set(keys).size).toBe(2 * N);
    expect(keys.length).toBe(2 * N);
    const d123 = recs.find((r) => text(r.fields.Key) === 'D-00123')!;
    expect(d123.fields).toMatchObject({ Qty: 30.75, Done: true, When: Date.UTC(2025, 5, 1) + 123_000 });
    const db = new Database(work.syncDb, { readonly: true });
    try {
      expect((db.prepare('select count(*) as n from items').get() as { n: number }).n).toBe(2 * N);
      expect(db.prepare("select * from items where key = 'B-19999'").get()).toEqual({ key: 'B-19999', name: 'bitable row 19999', qty: 19999, done: 0, when: Date.UTC(2026, 0, 1) + 19999 * 60_000 });
    } finally {
      db.close();
    }
  }, 600_000);
});
