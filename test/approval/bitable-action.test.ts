import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsConfigSchema } from '../../src/approval/index.js';
import { loadConfig } from '../../src/config/index.js';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';
import { openDatabase } from '../../src/store/index.js';

/**
 * Approval rules with a `bitable:` action, over real HTTP: a hub (sandbox mode) against an
 * emulator this file starts, so the base exists before the hub's config names it, and the hub
 * can be stopped and started again on the same database while the emulator keeps its state.
 */

const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-approval-bitable-'));
let emu: EmulatorHandle;
const logs: Record<string, any>[] = [];

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A base with one table of typed fields; answers its app_token and table_id. */
async function table(name: string) {
  const base = await control('POST', '/__emulator/bitable/apps', {
    name,
    tables: [
      {
        name: 'Expenses',
        fields: [
          { field_name: 'Instance', type: 1 },
          { field_name: 'Amount', type: 2, property: { formatter: '0.00' } },
          { field_name: 'Applicant', type: 11, property: { multiple: false } },
          { field_name: 'Submitted', type: 5, property: { date_formatter: 'yyyy/MM/dd HH:mm' } },
          { field_name: 'Status', type: 3 },
          { field_name: 'Reason', type: 1 },
        ],
      },
    ],
  });
  return { app_token: base.app_token as string, table_id: base.tables[0].table_id as string };
}

/** The table's records as the API reads them (by field name). */
async function records(t: { app_token: string; table_id: string }): Promise<{ record_id: string; fields: Record<string, any> }[]> {
  const base = await control('GET', `/__emulator/bitable/apps/${t.app_token}`);
  return base.tables.find((x: { table_id: string }) => x.table_id === t.table_id).records;
}
const text = (v: unknown) => (Array.isArray(v) ? v.map((s: any) => s.text ?? s).join('') : v);

async function until<T>(cond: () => T | Promise<T>, ms = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A hub on `db` in sandbox mode against the emulator, with these approval rules. */
async function hubWith(db: string, rules: unknown[]): Promise<RunningHub> {
  const loaded = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, DATABASE_URL: `sqlite:${join(dir, db)}`, LOG_LEVEL: 'info', FEISHU_EVENT_MODE: 'webhook' } });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  return startHub({ ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } }, { emulatorUrl: emu.url, logger: pino({ level: 'info' }, sink) as never, sections: { approvals: { drain_every_ms: 200, reconcile_every_ms: 60_000, rules } } });
}

/** Bob files an expense through the API; answers its instance code. */
async function fileExpense(h: RunningHub, reason: string, amount = 120) {
  const form = JSON.stringify([
    { id: 'amount', type: 'amount', value: amount },
    { id: 'reason', type: 'textarea', value: reason },
    { id: 'date', type: 'date', value: '2026-12-01T09:00:00+08:00' },
  ]);
  const res = await h.hub.platform.sdk.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form } });
  return res.data!.instance_code!;
}
/** Each pending task approved by its approver, node after node. */
async function approveAll(h: RunningHub, code: string) {
  for (let round = 0; round < 2; round++) {
    const inst = (await h.hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    const task = inst.task_list!.find((t) => t.status === 'PENDING')!;
    await h.hub.platform.sdk.approval.v4.task.approve({ params: { user_id_type: 'open_id' }, data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: task.open_id!, task_id: task.id!, comment: 'ok' } });
  }
}

const fieldsOf = (status: string) => ({ Instance: '${instance_code}', Amount: '${form.amount}', Applicant: '${applicant.open_id}', Submitted: '${start_time}', Status: status, Reason: 'Reason: ${form.reason}' });
const bob = () => emu.state.users.find((u) => u.user_id === 'bob')!.open_id;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('approval rules: the bitable action', () => {
  it('validates the action at start: exactly one action, a table id, key_field among the fields', () => {
    const base = { name: 'r', code: 'C', status: 'APPROVED' };
    const ok = approvalsConfigSchema.safeParse({ rules: [{ ...base, bitable: { app_token: 'bascnX', table_id: 'tblY', fields: { A: '${instance_code}' }, key_field: 'A' } }] });
    expect(ok.success).toBe(true);
    const issues = (v: unknown) => {
      const r = approvalsConfigSchema.safeParse({ rules: [v] });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ ...base, bitable: { app_token: 'bascnX', table_id: 'nope', fields: { A: 1 } } }).join('\n')).toContain('must be a table id (tbl…');
    expect(issues({ ...base, bitable: { app_token: 'bascnX', table_id: 'tblY', fields: { A: 1 }, key_field: 'B' } }).join('\n')).toContain('key_field must be one of the fields');
    expect(issues({ ...base, bitable: { app_token: 'bascnX', table_id: 'tblY', fields: {} } }).join('\n')).toContain('must name at least one field');
    expect(issues({ ...base, message: { to: 'oc_x', text: 'hi' }, bitable: { app_token: 'bascnX', table_id: 'tblY', fields: { A: 1 } } }).join('\n')).toContain('needs exactly one action: http, message or bitable');
  });

  describe('with a hub', () => {
    let h: RunningHub;
    let plain: Awaited<ReturnType<typeof table>>;
    let keyed: Awaited<ReturnType<typeof table>>;
    beforeAll(async () => {
      plain = await table('Approvals');
      keyed = await table('Approvals (upsert)');
      h = await hubWith('one.db', [
        { name: 'log-approved', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', bitable: { app_token: plain.app_token, table_id: plain.table_id, fields: fieldsOf('${status}') } },
        { name: 'track-pending', code: EXPENSE_APPROVAL_CODE, status: 'PENDING', bitable: { app_token: keyed.app_token, table_id: keyed.table_id, fields: fieldsOf('waiting'), key_field: 'Instance' } },
        { name: 'track-approved', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', bitable: { app_token: keyed.app_token, table_id: keyed.table_id, fields: { Instance: '${instance_code}', Status: '${status}' }, key_field: 'Instance' } },
      ]);
    });
    afterAll(async () => {
      await control('DELETE', '/__emulator/faults').catch(() => undefined);
      await h?.stop();
    });

    it('an approved instance becomes one record with typed values, even with every event pushed twice', async () => {
      await control('POST', '/__emulator/faults/events', { duplicate: true, event_type: 'approval_instance' });
      try {
        const code = await fileExpense(h, 'taxi', 123.5);
        await approveAll(h, code);
        const mine = async () => (await records(plain)).filter((r) => text(r.fields.Instance) === code);
        await until(async () => (await mine()).length > 0, 15_000, 'the record');
        await new Promise((r) => setTimeout(r, 1500)); // the duplicate pushes have come and gone
        const [rec, ...more] = await mine();
        expect(more).toHaveLength(0);
        expect(rec.fields.Amount).toBe(123.5);
        expect(rec.fields.Applicant).toMatchObject([{ id: bob() }]);
        expect(typeof rec.fields.Submitted).toBe('number');
        const inst = (await h.hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
        expect(rec.fields.Submitted).toBe(Number(inst.start_time));
        expect(rec.fields.Status).toBe('APPROVED');
        expect(text(rec.fields.Reason)).toBe('Reason: taxi');
      } finally {
        await control('DELETE', '/__emulator/faults');
      }
    }, 30_000);

    it('with key_field, the APPROVED rule updates the record the PENDING rule created', async () => {
      const code = await fileExpense(h, 'hotel');
      const mine = async () => (await records(keyed)).filter((r) => text(r.fields.Instance) === code);
      await until(async () => (await mine())[0]?.fields.Status === 'waiting', 15_000, 'the PENDING record');
      await approveAll(h, code);
      await until(async () => (await mine())[0]?.fields.Status === 'APPROVED', 15_000, 'the record updated to APPROVED');
      const all = await mine();
      expect(all).toHaveLength(1);
      expect(text(all[0].fields.Reason)).toBe('Reason: hotel'); // kept: the update only sets its own fields
    }, 30_000);

    it('a 5xx from Bitable is retried: a failed answer after the write and failures beyond the client\'s retries still make one record', async () => {
      const path = `/open-apis/bitable/v1/apps/${plain.app_token}/tables/${plain.table_id}/records`;
      // The platform writes, then answers 500 (a lost answer): the retry's client_token answers the same record.
      await control('POST', '/__emulator/faults', { method: 'POST', path, status: 500, after: true, count: 1 });
      const a = await fileExpense(h, 'lost answer');
      await approveAll(h, a);
      const mine = async (code: string) => (await records(plain)).filter((r) => text(r.fields.Instance) === code);
      const store = h.hub.store!;
      const runOf = async (code: string) => (await store.db.selectFrom('approval_action_runs' as never).selectAll().where('id' as never, '=', `${code}:APPROVED:log-approved` as never).executeTakeFirst()) as { state: string; attempts: number } | undefined;
      await until(async () => (await runOf(a))?.state === 'done', 15_000, 'the run after a lost answer');
      expect(await mine(a)).toHaveLength(1);
      await control('DELETE', '/__emulator/faults');
      // More 500s than the platform client retries: the run is released with the reason and tried again later.
      const before = logs.length;
      await control('POST', '/__emulator/faults', { method: 'POST', path, status: 503, count: 7 });
      const b = await fileExpense(h, 'outage');
      await approveAll(h, b);
      await until(async () => (await mine(b)).length > 0, 40_000, 'the record after the outage');
      await new Promise((r) => setTimeout(r, 500));
      expect(await mine(a)).toHaveLength(1);
      expect(await mine(b)).toHaveLength(1);
      const retried = logs.slice(before).filter((l) => l.rule === 'log-approved' && /Bitable failed .*retrying/.test(l.msg));
      expect(retried.map((l) => [l.instance, l.msg])).toContainEqual([b, expect.stringContaining('(HTTP 503)')]);
      const run = (await runOf(b))!;
      expect(run).toMatchObject({ state: 'done' });
      expect(Number(run.attempts)).toBeGreaterThanOrEqual(2);
    }, 60_000);

    it('a value that cannot fit the table ends the run as failed at once, with the reason in the log and the outbox', async () => {
      const bad = await table('Bad');
      await h.stop();
      h = await hubWith('one.db', [{ name: 'bad-number', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', bitable: { app_token: bad.app_token, table_id: bad.table_id, fields: { Instance: '${instance_code}', Amount: 'lots (${form.reason})', Nope: 'x' } } }]);
      const code = await fileExpense(h, 'bad');
      await approveAll(h, code);
      const id = `${code}:APPROVED:bad-number`;
      const store = h.hub.store!;
      const run = (await until(async () => {
        const r = (await store.db.selectFrom('approval_action_runs' as never).selectAll().where('id' as never, '=', id as never).executeTakeFirst()) as { state: string; attempts: number; last_error: string } | undefined;
        return r?.state === 'failed' ? r : undefined;
      }, 15_000, 'the failed run'))!;
      expect(Number(run.attempts)).toBe(1);
      expect(run.last_error).toContain('the table has no field "Nope"');
      expect(run.last_error).toContain('field "Amount" (type 2): not a number');
      expect(logs.some((l) => l.run === id && /will not be retried/.test(l.msg))).toBe(true);
      expect(await records(bad)).toHaveLength(0);
    }, 30_000);
  });

  it('a hub stopped while its create is in flight, started again on the same database: one record', async () => {
    const t = await table('Approvals (restart)');
    const rules = [{ name: 'log', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', bitable: { app_token: t.app_token, table_id: t.table_id, fields: fieldsOf('${status}') } }];
    let h = await hubWith('restart.db', rules);
    let second: RunningHub | undefined;
    try {
      const code = await fileExpense(h, 'restart');
      // Each write to the base takes 1.5 s: the hub is stopped while its create is at the platform.
      await control('PUT', `/__emulator/bitable/apps/${t.app_token}/write-latency`, { ms: 1500 });
      await approveAll(h, code);
      const id = `${code}:APPROVED:log`;
      const store = h.hub.store!;
      await until(async () => ((await store.db.selectFrom('approval_action_runs' as never).select('state' as never).where('id' as never, '=', id as never).executeTakeFirst()) as { state?: string } | undefined)?.state === 'running', 15_000, 'the run to be claimed');
      await new Promise((r) => setTimeout(r, 400));
      await h.stop();
      await new Promise((r) => setTimeout(r, 1800)); // the platform finished that write
      expect((await records(t)).filter((r) => text(r.fields.Instance) === code)).toHaveLength(1);
      await control('PUT', `/__emulator/bitable/apps/${t.app_token}/write-latency`, { ms: 0 });
      // The stopped runner's claim is as a crash leaves it; its lease (5 min) is made to run out now.
      const db = await openDatabase(`sqlite:${join(dir, 'restart.db')}`, { migrate: false });
      const left = (await db.db.selectFrom('approval_action_runs' as never).selectAll().where('id' as never, '=', id as never).executeTakeFirst()) as { state: string };
      expect(left.state).toBe('running');
      await db.db.updateTable('approval_action_runs' as never).set({ locked_until: 0 } as never).where('id' as never, '=', id as never).execute();
      await db.close();
      second = await hubWith('restart.db', rules);
      const s2 = second.hub.store!;
      await until(async () => ((await s2.db.selectFrom('approval_action_runs' as never).select('state' as never).where('id' as never, '=', id as never).executeTakeFirst()) as { state?: string } | undefined)?.state === 'done', 20_000, 'the run done by the restarted hub');
      const mine = (await records(t)).filter((r) => text(r.fields.Instance) === code);
      expect(mine).toHaveLength(1);
      expect(logs.some((l) => l.run === id && l.record_id === mine[0].record_id)).toBe(true);
    } finally {
      await control('PUT', `/__emulator/bitable/apps/${t.app_token}/write-latency`, { ms: 0 }).catch(() => undefined);
      await second?.stop();
      await h.stop().catch(() => undefined);
    }
  }, 60_000);
});
