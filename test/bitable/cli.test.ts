import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control } from '../helpers/emulator.js';
import { BIN, ROOT, cleanEnv, run } from '../cli/process.js';

/** `feishu-hub bitable tables / records` as a separate process against the emulator (--emulator). */
let emu: EmulatorHandle;
let app: string;
let table: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  const ctl = control(emu);
  const r = await ctl.call('POST', '/__emulator/bitable/apps', {
    name: 'Ops',
    tables: [
      { name: 'Tasks', fields: [{ field_name: 'Title', type: 1 }, { field_name: 'Points', type: 2 }, { field_name: 'Status', type: 3, property: { options: [{ name: 'Todo' }, { name: 'Done' }] } }, { field_name: 'Due', type: 5 }] },
      { name: '人员', fields: [{ field_name: '姓名', type: 1 }] },
    ],
  });
  app = r.body.app_token;
  table = r.body.tables[0].table_id;
  const sdk = await import('../helpers/emulator.js').then((m) => m.sdkClient(emu));
  await sdk.bitable.v1.appTableRecord.batchCreate({
    path: { app_token: app, table_id: table },
    data: { records: Array.from({ length: 120 }, (_, i) => ({ fields: { Title: `task ${i}`, Points: i, Status: i < 3 ? 'Done' : 'Todo', Due: Date.UTC(2026, 2, 1, 8) } })) },
  });
});
afterAll(() => emu.close());

const cli = (args: string[]) => run(process.execPath, [BIN, 'bitable', ...args, '--emulator', emu.url], { cwd: ROOT, env: cleanEnv() });

describe('feishu-hub bitable', () => {
  it('tables: a table for people (id, name, field count, primary field), --json with the fields for scripts', async () => {
    const human = await cli(['tables', app]);
    expect(human.code, human.output).toBe(0);
    expect(human.stdout).toMatch(/TABLE ID\s+NAME\s+FIELDS\s+PRIMARY FIELD/);
    expect(human.stdout).toMatch(new RegExp(`${table}\\s+Tasks\\s+4\\s+Title \\(Text\\)`));
    expect(human.stdout).toMatch(/人员\s+1\s+姓名 \(Text\)/);
    const json = await cli(['tables', app, '--json']);
    expect(json.code, json.output).toBe(0);
    const tables = JSON.parse(json.stdout);
    expect(tables.map((t: { name: string }) => t.name)).toEqual(['Tasks', '人员']);
    expect(tables[0].fields.map((f: { field_name: string }) => f.field_name)).toEqual(['Title', 'Points', 'Status', 'Due']);
  }, 90_000);

  it('records: plain values in a table (first 100 by default), --filter and --limit, --json as the API answers', async () => {
    const human = await cli(['records', app, table]);
    expect(human.code, human.output).toBe(0);
    expect(human.stdout).toMatch(/RECORD ID\s+Title\s+Points\s+Status\s+Due/);
    expect(human.stdout).toMatch(/rec\w+\s+task 5\s+5\s+Todo\s+2026-03-01 08:00/);
    expect(human.stdout).toContain('(first 100; --limit 0 for all)');
    expect(human.stdout.trim().split('\n')).toHaveLength(102);

    const filter = JSON.stringify({ conjunction: 'and', conditions: [{ field_name: 'Status', operator: 'is', value: ['Done'] }] });
    const done = await cli(['records', app, table, '--filter', filter, '--json']);
    expect(done.code, done.output).toBe(0);
    const records = JSON.parse(done.stdout);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ record_id: expect.stringMatching(/^rec/), fields: { Status: 'Done' } });

    const all = JSON.parse((await cli(['records', app, table, '--limit', '0', '--json'])).stdout);
    expect(all).toHaveLength(120);
    const five = JSON.parse((await cli(['records', app, table, '--limit', '5', '--json'])).stdout);
    expect(five).toHaveLength(5);
  }, 90_000);

  it('--help has examples', async () => {
    const helps = await Promise.all([['tables', '--help'], ['records', '--help']].map((a) => run(process.execPath, [BIN, 'bitable', ...a], { cwd: ROOT, env: cleanEnv() })));
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('Examples:');
      expect(h.stdout).toContain('--emulator <url>');
    }
    expect(helps[1].stdout).toContain('--filter <json>');
  }, 90_000);

  it('says what is wrong: a bad filter, a bad limit, an unknown base (the Feishu code explained)', async () => {
    const bad = await cli(['records', app, table, '--filter', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--filter must be JSON/);
    const limit = await cli(['records', app, table, '--limit', 'many']);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toMatch(/--limit must be a whole number/);
    const missing = await cli(['tables', 'bascnNoSuchBase000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Feishu error 12540\d\d/);
  }, 90_000);
});
