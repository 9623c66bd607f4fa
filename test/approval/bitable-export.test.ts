import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FIELDS } from '../../src/approval/index.js';
import { loadConfig } from '../../src/config/index.js';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';

/** "Export approval instances to Bitable": hub.approval(code).exportTo and `feishu-hub approval export`, against the emulator. */

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-approval-export-'));
let emu: EmulatorHandle;
let h: RunningHub;

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}
/** A base whose one table has only its primary field: the export adds the rest. */
async function emptyTable(name: string) {
  const base = await control('POST', '/__emulator/bitable/apps', { name, tables: [{ name: 'Instances', fields: [{ field_name: 'Name', type: 1 }] }] });
  return { app_token: base.app_token as string, table_id: base.tables[0].table_id as string };
}
async function table(t: { app_token: string; table_id: string }) {
  const base = await control('GET', `/__emulator/bitable/apps/${t.app_token}`);
  return base.tables.find((x: { table_id: string }) => x.table_id === t.table_id) as { fields: { field_name: string; type: number }[]; records: { record_id: string; fields: Record<string, any> }[] };
}
const text = (v: unknown) => (Array.isArray(v) ? v.map((s: any) => s.text ?? s).join('') : v);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(FEISHU_|HUB_|REDIS_URL|DATABASE_URL|APPROVAL_CODES)/.test(k)));
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['bin/feishu-hub.js', 'approval', ...args], { cwd: ROOT, env: { ...clean, FEISHU_HUB_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

async function fileExpense(reason: string, amount: number) {
  const form = JSON.stringify([
    { id: 'amount', type: 'amount', value: amount },
    { id: 'reason', type: 'textarea', value: reason },
    { id: 'date', type: 'date', value: '2026-12-01T09:00:00+08:00' },
  ]);
  return (await h.hub.platform.sdk.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form } })).data!.instance_code!;
}
async function approveAll(code: string) {
  for (let round = 0; round < 2; round++) {
    const inst = (await h.hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    const task = inst.task_list!.find((t) => t.status === 'PENDING')!;
    await h.hub.platform.sdk.approval.v4.task.approve({ params: { user_id_type: 'open_id' }, data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: task.open_id!, task_id: task.id!, comment: 'ok' } });
  }
}

const codes: string[] = [];
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  const loaded = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'silent', FEISHU_EVENT_MODE: 'webhook' } });
  h = await startHub({ ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } }, { emulatorUrl: emu.url, sections: { approvals: { rules: [] } } });
  for (const [reason, amount] of [['taxi', 42], ['hotel', 310.5], ['dinner', 88]] as const) codes.push(await fileExpense(reason, amount));
  await approveAll(codes[0]);
}, 30_000);
afterAll(async () => {
  await h?.stop();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export approval instances to Bitable', () => {
  it('hub.approval(code).exportTo: one typed record per instance, fields created; a second export updates, never duplicates', async () => {
    const t = await emptyTable('Approvals export');
    const phases = new Set<string>();
    const first = await h.hub.approval(EXPENSE_APPROVAL_CODE).exportTo(`${t.app_token}/${t.table_id}`, { onProgress: (p) => phases.add(p.phase) });
    expect(first).toMatchObject({ instances: 3, created: 3, updated: 0 });
    expect(first.fields_created).toEqual(expect.arrayContaining([...Object.values(EXPORT_FIELDS), 'Amount', 'Reason', 'Date']));
    expect([...phases]).toEqual(['list', 'read', 'write']);
    let tbl = await table(t);
    const type = (n: string) => tbl.fields.find((f) => f.field_name === n)?.type;
    expect([type('Status'), type('Applicant'), type('Started'), type('Ended'), type('Amount')]).toEqual([3, 11, 5, 5, 1]);
    expect(tbl.records).toHaveLength(3);
    const byCode = (c: string) => tbl.records.find((r) => text(r.fields[EXPORT_FIELDS.key]) === c)!;
    const approved = byCode(codes[0]);
    const bob = emu.state.users.find((u) => u.user_id === 'bob')!.open_id;
    expect(approved.fields.Status).toBe('APPROVED');
    expect(approved.fields.Applicant).toMatchObject([{ id: bob }]);
    expect(typeof approved.fields.Started).toBe('number');
    expect(typeof approved.fields.Ended).toBe('number');
    expect(text(approved.fields.Amount)).toContain('42');
    expect(text(approved.fields.Reason)).toBe('taxi');
    const pending = byCode(codes[1]);
    expect(pending.fields.Status).toBe('PENDING');
    expect(pending.fields.Ended).toBeUndefined();

    await approveAll(codes[1]);
    const again = await h.hub.approval(EXPENSE_APPROVAL_CODE).exportTo({ appToken: t.app_token, tableId: t.table_id });
    expect(again).toMatchObject({ instances: 3, created: 0, updated: 3, fields_created: [] });
    tbl = await table(t);
    expect(tbl.records).toHaveLength(3);
    expect(byCode(codes[1]).fields.Status).toBe('APPROVED');
  }, 30_000);

  it('a field the table already has with another type is kept and written in its type (Amount as a number)', async () => {
    const base = await control('POST', '/__emulator/bitable/apps', { name: 'Typed export', tables: [{ name: 'Instances', fields: [{ field_name: 'Name', type: 1 }, { field_name: 'Amount', type: 2 }] }] });
    const t = { app_token: base.app_token as string, table_id: base.tables[0].table_id as string };
    const r = await h.hub.approval(EXPENSE_APPROVAL_CODE).exportTo({ appToken: t.app_token, tableId: t.table_id });
    expect(r.fields_mismatched).toEqual([{ field_name: 'Amount', wanted: 1, actual: 2 }]);
    const amounts = (await table(t)).records.map((x) => x.fields.Amount).sort((a, b) => a - b);
    expect(amounts).toEqual([42, 88, 310.5]);
  }, 30_000);

  it('feishu-hub approval export --to-bitable: --json for scripts, a summary for people, twice without duplicates', async () => {
    const t = await emptyTable('Approvals export (CLI)');
    const json = await cli(['export', EXPENSE_APPROVAL_CODE, '--to-bitable', `${t.app_token}/${t.table_id}`, '--json', '--emulator', emu.url]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ approval_code: EXPENSE_APPROVAL_CODE, app_token: t.app_token, table_id: t.table_id, instances: 3, created: 3, updated: 0 });
    const people = await cli(['export', EXPENSE_APPROVAL_CODE, '--to-bitable', `${t.app_token}/${t.table_id}`, '--emulator', emu.url]);
    expect(people.code).toBe(0);
    expect(people.stdout).toContain(`Exported 3 instances of ${EXPENSE_APPROVAL_CODE} to ${t.app_token}/${t.table_id}: 0 created, 3 updated.`);
    expect((await table(t)).records).toHaveLength(3);
    const bad = await cli(['export', EXPENSE_APPROVAL_CODE, '--to-bitable', 'nope', '--emulator', emu.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--to-bitable: a Bitable table is <app_token>/<table_id>');
  }, 60_000);
});
