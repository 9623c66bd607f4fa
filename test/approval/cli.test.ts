import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRuns, approvalMigrations } from '../../src/approval/index.js';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { openDatabase, type Store } from '../../src/store/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-approval-cli-'));
const ENTRY = ['bin/feishu-hub.js'];
let emu: EmulatorHandle;

/** Runs `node bin/feishu-hub.js approval …` with a clean environment (no FEISHU_* from the developer's shell). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(FEISHU_|HUB_|REDIS_URL|DATABASE_URL|APPROVAL_CODES)/.test(k)));
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [...ENTRY, 'approval', ...args], { cwd: ROOT, env: { ...clean, FEISHU_HUB_CONFIG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}
const emuFlag = () => ['--emulator', emu.url];
const fields = ['--field', 'amount=1200 CNY', '--field', 'Reason=Team offsite', '--field', 'date=2026-01-15T09:00:00+08:00'];

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('feishu-hub approval against the emulator', () => {
  it('definitions: widgets by code (or APPROVAL_CODES), --json', async () => {
    const table = await cli(['definitions', EXPENSE_APPROVAL_CODE, ...emuFlag()]);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toBe(`Expense  ${EXPENSE_APPROVAL_CODE}  ACTIVE`);
    expect(lines[1]).toMatch(/^WIDGET ID\s+TYPE\s+NAME\s+REQUIRED\s+OPTIONS$/);
    expect(table.stdout).toMatch(/amount\s+amount\s+Amount\s+yes/);
    expect(table.stdout).toContain('nodes: manager (OR) → finance (OR)');

    const fromEnv = await cli(['definitions', '--json', ...emuFlag()], { APPROVAL_CODES: EXPENSE_APPROVAL_CODE });
    expect(fromEnv.code).toBe(0);
    const [def] = JSON.parse(fromEnv.stdout);
    expect(def).toMatchObject({ approval_code: EXPENSE_APPROVAL_CODE, name: 'Expense', status: 'ACTIVE' });
    expect(def.widgets.map((w: { id: string; type: string; required: boolean }) => [w.id, w.type, w.required])).toEqual([['amount', 'amount', true], ['reason', 'textarea', true], ['date', 'date', true]]);

    const none = await cli(['definitions', ...emuFlag()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('APPROVAL_CODES');
    const unknown = await cli(['definitions', 'NOPE', ...emuFlag()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Feishu error 1390002');
    expect(unknown.stderr).toContain('what to do:');
  }, 60_000);

  it('create with --field, get, list, approve as the assignee, 1390009 for anyone else', async () => {
    const created = await cli(['create', '--code', EXPENSE_APPROVAL_CODE, '--user', 'bob', ...fields, '--json', ...emuFlag()]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const code = JSON.parse(created.stdout).instance_code as string;
    expect(code).toMatch(/^[0-9A-F-]{36}$/);

    const got = await cli(['get', code, ...emuFlag()]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^Status\s+PENDING$/m);
    expect(got.stdout).toMatch(/^Applicant\s+bob \(ou_/m);
    expect(got.stdout).toMatch(/reason\s+Reason\s+textarea\s+Team offsite/);
    expect(got.stdout).toMatch(/Manager\s+alice \(ou_\w+\)\s+PENDING/);
    expect(got.stdout).toMatch(/START\s+bob/);
    const asJson = JSON.parse((await cli(['get', code, '--json', ...emuFlag()])).stdout);
    expect(asJson).toMatchObject({ instance_code: code, status: 'PENDING', applicant: { user_id: 'bob' }, approval_name: 'Expense' });
    expect(asJson.form.find((f: { id: string }) => f.id === 'amount').value).toBe(1200);
    expect(asJson.tasks).toEqual([expect.objectContaining({ node: 'Manager', status: 'PENDING', assignee: expect.objectContaining({ user_id: 'alice' }) })]);

    const listed = await cli(['list', '--code', EXPENSE_APPROVAL_CODE, '--since', '1h', ...emuFlag()]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^INSTANCE\s+STATUS\s+APPLICANT\s+STARTED\s+ENDED$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${code}\\s+PENDING\\s+bob`, 'm'));

    // Bob holds no task: the platform refuses, and the error says what it means and what to do.
    const wrong = await cli(['approve', code, '--as', 'bob', ...emuFlag()]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Feishu error 1390009');
    expect(wrong.stderr).toContain('what it means: That user may not do this');
    expect(wrong.stderr).toContain('held by alice');
    const wrongJson = await cli(['approve', code, '--as', 'bob', '--json', ...emuFlag()]);
    expect(wrongJson.code).toBe(1);
    expect(JSON.parse(wrongJson.stderr).error).toMatchObject({ code: 1390009 });

    const ok = await cli(['approve', code, '--as', 'alice', '--comment', 'fine', ...emuFlag()]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Approved task');
    expect(ok.stdout).toMatch(/next: Finance — erin/);

    // Erin by open_id, with --json.
    const erin = emu.state.findUser('erin', 'user_id')!.open_id;
    const rejected = await cli(['reject', code, '--as', erin, '--comment', 'over budget', '--json', ...emuFlag()]);
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ instance_code: code, action: 'reject', instance_status: 'REJECTED', pending_tasks: [] });

    const after = JSON.parse((await cli(['get', code, '--json', ...emuFlag()])).stdout);
    expect(after.status).toBe('REJECTED');
    expect(after.timeline.map((e: { type: string; comment?: string }) => [e.type, e.comment ?? ''])).toEqual([['START', ''], ['PASS', 'fine'], ['REJECT', 'over budget']]);

    const pending = await cli(['list', '--code', EXPENSE_APPROVAL_CODE, '--status', 'PENDING', '--json', ...emuFlag()]);
    expect(JSON.parse(pending.stdout).map((i: { instance_code: string }) => i.instance_code)).not.toContain(code);
    const rejectedList = JSON.parse((await cli(['list', '--code', EXPENSE_APPROVAL_CODE, '--status', 'rejected', '--json', ...emuFlag()])).stdout);
    expect(rejectedList).toEqual([expect.objectContaining({ instance_code: code, status: 'REJECTED', applicant: expect.objectContaining({ user_id: 'bob' }) })]);

    const done = await cli(['approve', code, '--as', 'erin', ...emuFlag()]);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('has no PENDING task (it is REJECTED)');
  }, 90_000);

  it('create: local validation lists every widget problem and sends nothing; --form files and --uuid', async () => {
    const before = emu.context.slice((await import('../../src/emulator/approval/state.js')).ApprovalState).instances.size;
    const bad = await cli(['create', '--code', EXPENSE_APPROVAL_CODE, '--user', 'bob', '--field', 'amount=12', '--field', 'colour=red', ...emuFlag()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the form does not fit the approval definition (nothing was sent)');
    expect(bad.stderr).toContain('  colour: no widget with this id or name in the definition');
    expect(bad.stderr).toContain('  amount: amount needs a currency code like CNY');
    expect(bad.stderr).toContain('  reason: required (Reason) but not given');
    const badJson = await cli(['create', '--code', EXPENSE_APPROVAL_CODE, '--user', 'bob', '--field', 'amount=12 CNY', '--json', ...emuFlag()]);
    expect(JSON.parse(badJson.stderr).error.problems.map((p: { widgetId: string }) => p.widgetId)).toEqual(['reason', 'date']);
    expect(emu.context.slice((await import('../../src/emulator/approval/state.js')).ApprovalState).instances.size).toBe(before);

    const file = join(dir, 'form.json');
    writeFileSync(file, JSON.stringify({ amount: { value: 99.5, currency: 'USD' }, reason: 'Books', date: '2026-02-01T00:00:00Z' }));
    const alice = emu.state.findUser('alice', 'user_id')!.open_id;
    const first = await cli(['create', '--code', EXPENSE_APPROVAL_CODE, '--user', alice, '--form', file, '--uuid', 'books-1', '--json', ...emuFlag()]);
    expect(first.code).toBe(0);
    const again = await cli(['create', '--code', EXPENSE_APPROVAL_CODE, '--user', alice, '--form', file, '--uuid', 'books-1', '--json', ...emuFlag()]);
    expect(JSON.parse(again.stdout).instance_code).toBe(JSON.parse(first.stdout).instance_code);

    const items = join(dir, 'items.json');
    writeFileSync(items, JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]));
    const wrongType = await cli(['create', '--code', EXPENSE_APPROVAL_CODE, '--user', 'bob', '--form', items, ...emuFlag()]);
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toContain('  reason: the definition says type textarea, the value is for input');
  }, 60_000);
});

describe('feishu-hub approval runs', () => {
  const url = `sqlite:${join(dir, 'hub.db')}`;
  let store: Store;
  let runs: ActionRuns;
  beforeAll(async () => {
    store = await openDatabase(url, { migrations: Object.fromEntries(Object.entries(approvalMigrations).map(([k, v]) => [`approval/${k}`, v])) });
    runs = new ActionRuns(store);
    const base = { status: 'APPROVED', action: 'http', approvalCode: EXPENSE_APPROVAL_CODE, payload: { status: 'APPROVED' } };
    await runs.enqueue(store.db as never, [
      { ...base, instanceCode: 'INST-OK', rule: 'erp' },
      { ...base, instanceCode: 'INST-BAD', rule: 'erp' },
    ]);
    const claimed = await runs.claimDue('test-runner');
    await runs.recordAttempt('INST-OK:APPROVED:erp', 'test-runner', { outcome: 'done', httpStatus: 200 });
    await runs.recordAttempt('INST-BAD:APPROVED:erp', 'test-runner', { outcome: 'failed', httpStatus: 500, error: 'HTTP 500 from erp.example.com' });
    expect(claimed).toHaveLength(2);
  });
  afterAll(() => store.close());

  it('lists the outbox (table, --state, --json) and retries a failed run', async () => {
    const table = await cli(['runs'], { DATABASE_URL: url });
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+ACTION\s+TRIES\s+HTTP\s+UPDATED\s+LAST ERROR$/m);
    expect(table.stdout).toMatch(/^INST-BAD:APPROVED:erp\s+failed\s+http\s+1\s+500\s+\S+\s+HTTP 500 from erp\.example\.com$/m);
    expect(table.stdout).toMatch(/^INST-OK:APPROVED:erp\s+done\s+http\s+1\s+200/m);

    const failed = await cli(['runs', '--state', 'failed', '--json'], { DATABASE_URL: url });
    expect(failed.code).toBe(0);
    expect(JSON.parse(failed.stdout)).toEqual([expect.objectContaining({ id: 'INST-BAD:APPROVED:erp', state: 'failed', attempts: 1, lastStatus: 500, instanceCode: 'INST-BAD', rule: 'erp' })]);

    const retry = await cli(['runs', 'retry', 'INST-BAD:APPROVED:erp', 'INST-OK:APPROVED:erp', 'missing'], { DATABASE_URL: url });
    expect(retry.code).toBe(1);
    expect(retry.stdout).toContain('INST-BAD:APPROVED:erp  queued again');
    expect(retry.stdout).toContain('INST-OK:APPROVED:erp  not retried: it is done');
    expect(retry.stdout).toContain('missing  not found');
    expect(await runs.get('INST-BAD:APPROVED:erp')).toMatchObject({ state: 'pending', attempts: 0 });

    const badState = await cli(['runs', '--state', 'broken'], { DATABASE_URL: url });
    expect(badState.code).toBe(1);
    expect(badState.stderr).toContain('--state must be one of pending, running, done, failed');
  }, 60_000);

  it('says what to do when the database has no approval outbox yet', async () => {
    const empty = `sqlite:${join(dir, 'empty.db')}`;
    const r = await cli(['runs'], { DATABASE_URL: empty });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`feishu-hub: no approval outbox in DATABASE_URL=${empty} yet: start the hub with the approval capability once there (or point DATABASE_URL at the hub's database)`);
  }, 30_000);
});
