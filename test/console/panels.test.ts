import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../cli/process.js';
import { Jar, loginAs, ssoTestHub } from '../sso/helpers.js';
import { AuditLog } from '../../src/console/index.js';
import { samplePayload, type AlertsApi } from '../../src/alerts/index.js';
import type { SyncApi } from '../../src/sync/index.js';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { approvalsSection, approvedExpense, downstream } from './helpers.js';

/**
 * The sync, incidents and approvals panels over real HTTP: a sandbox hub (the demo sync job
 * `orders`, the demo alerts section, an approval rule calling a downstream that fails).
 */
describe('capability panels over HTTP', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let hub: string;
  let down: Awaited<ReturnType<typeof downstream>>;
  const alice = new Jar();
  let csrf: string;
  const get = async (panel: string, qs = '') => {
    const res = await alice.fetch(`${hub}/console/api/panels/${panel}${qs}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: any }).data;
  };
  const act = (panel: string, name: string, body: unknown, token: string | null = csrf) =>
    alice.fetch(`${hub}/console/api/panels/${panel}/actions/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { 'x-csrf-token': token } : {}) }, body: JSON.stringify(body) });
  const audit = () => new AuditLog(t.hub.store!).recent();

  beforeAll(async () => {
    process.env.PANELS_HOOK_SECRET = 'panels-hook-secret-0123456789abcdef';
    down = await downstream();
    t = await ssoTestHub({ sections: { approvals: approvalsSection(down.url, down.host) } });
    hub = t.hub.url!;
    await loginAs(alice, hub, t.users.alice.open_id, '/console');
    csrf = ((await (await alice.fetch(`${hub}/console/api/session`)).json()) as { csrf: string }).csrf;
  });
  afterAll(async () => {
    await t?.close();
    await down?.close();
    delete process.env.PANELS_HOOK_SECRET;
  });

  it('the session lists the three panels with their capabilities and actions', async () => {
    const session = (await (await alice.fetch(`${hub}/console/api/session`)).json()) as { panels: { id: string; capability: string; actions: string[] }[] };
    const byId = Object.fromEntries(session.panels.map((p) => [p.id, p]));
    expect(byId.sync).toMatchObject({ capability: 'sync', actions: ['verify', 'run'] });
    expect(byId.incidents).toMatchObject({ capability: 'alerts', actions: ['ack', 'resolve'] });
    expect(byId.approvals).toMatchObject({ capability: 'approval', actions: ['retry'] });
  });

  it('sync: the demo job\'s state; Verify says equal with both checksums; Run now runs; both audited; no CSRF, no run', async () => {
    const sync = (t.hub as unknown as { sync: SyncApi }).sync;
    await eventually(async () => ((await sync.job('orders').status()).lastRunAt ? true : undefined), 15_000, 'the demo job\'s first run');
    const data = await get('sync', '?job=orders');
    const job = data.jobs.find((j: { job: string }) => j.job === 'orders');
    expect(job).toMatchObject({ job: 'orders', rows: 12, pending: { databaseChanges: expect.any(Number) }, applied: { toDatabase: expect.any(Number), toBitable: expect.any(Number) }, conflicts: 0 });
    expect(job.lastRunAt).toBeGreaterThan(0);
    expect(data.job).toBe('orders');
    expect(data.conflicts).toEqual([]);

    expect((await act('sync', 'verify', { job: 'orders' }, null)).status).toBe(403);
    const before = (await audit()).length;
    const v = await act('sync', 'verify', { job: 'orders' });
    expect(v.status).toBe(200);
    const verified = ((await v.json()) as { result: any; audit_id: string });
    expect(verified.result).toMatchObject({ job: 'orders', equal: true, rows: { database: 12, bitable: 12 }, different: 0, onlyInDatabase: 0, onlyInBitable: 0 });
    expect(verified.result.checksum.database).toBe(verified.result.checksum.bitable);
    expect(verified.result.checksum.database).toMatch(/\w{8,}/);

    const massNoConfirm = await act('sync', 'run', { job: 'orders', allowMassDelete: true });
    expect(massNoConfirm.status).toBe(400);
    expect(((await massNoConfirm.json()) as { message: string }).message).toContain('confirm');
    const r = await act('sync', 'run', { job: 'orders' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { result: any }).result).toMatchObject({ job: 'orders', rows: { database: 12, bitable: 12 }, allowMassDelete: false });
    const entries = await audit();
    expect(entries.length).toBe(before + 3);
    expect(entries.slice(0, 3).map((e) => [e.panel, e.action, e.ok])).toEqual([['sync', 'run', true], ['sync', 'run', false], ['sync', 'verify', true]]);
    expect(entries[2].id).toBe(verified.audit_id);
    expect((await act('sync', 'verify', { job: 'nope' })).status).toBe(404);
  });

  it('incidents: an alert opens one; its timeline; Alice acknowledges then resolves it as herself; audited; no CSRF, no change', async () => {
    const alerts = (t.hub as unknown as { alerts: AlertsApi }).alerts;
    await alerts.submit('generic', samplePayload('generic', { alertname: 'PanelsTest', severity: 'critical' }));
    const open = await eventually(async () => {
      const d = await get('incidents');
      return d.open.find((i: { title: string }) => i.title.includes('PanelsTest'));
    }, 10_000, 'the incident');
    expect(open).toMatchObject({ severity: 'critical', status: 'triggered', ackedBy: [] });
    const detail = (await get('incidents', `?incident=${open.id}`)).incident;
    expect(detail.id).toBe(open.id);
    expect(detail.timeline.length).toBeGreaterThan(0);

    expect((await act('incidents', 'ack', { id: open.id }, null)).status).toBe(403);
    expect((await alerts.incident(open.id))!.status).toBe('triggered');
    const ack = await act('incidents', 'ack', { id: open.id });
    expect(ack.status).toBe(200);
    expect(((await ack.json()) as { result: any }).result.incident).toMatchObject({ status: 'acknowledged', ackedBy: [{ name: t.users.alice.name }] });
    const after = (await get('incidents', `?incident=${open.id}`)).incident;
    expect(after.ackedBy.map((a: { name: string }) => a.name)).toEqual([t.users.alice.name]);
    expect(after.timeline.some((e: { kind: string; text: string }) => /ack/i.test(e.kind + e.text))).toBe(true);
    const res = await act('incidents', 'resolve', { id: open.id });
    expect(res.status).toBe(200);
    expect((await alerts.incident(open.id))!.status).toBe('resolved');
    const [resolved, acked] = await audit();
    expect(resolved).toMatchObject({ panel: 'incidents', action: 'resolve', ok: true, whoName: t.users.alice.name });
    expect(acked).toMatchObject({ panel: 'incidents', action: 'ack', ok: true });
    const none = await act('incidents', 'ack', { id: 'zzzz' });
    expect(none.status).toBe(409);
  });

  it('approvals: the rule; a failed run with its error; Retry (audited) delivers it once the downstream is back; no CSRF, no retry', async () => {
    const code = await approvedExpense(t.hub, 'panels');
    const id = `${code}:APPROVED:erp`;
    const failed = await eventually(async () => {
      const d = await get('approvals', '?state=failed');
      return d.runs.find((r: { id: string }) => r.id === id);
    }, 15_000, 'the run to fail');
    expect(failed).toMatchObject({ rule: 'erp', action: 'http', state: 'failed', attempts: 1, lastStatus: 503 });
    expect(failed.lastError).toBeTruthy();
    const data = await get('approvals');
    expect(data.rules).toEqual([expect.objectContaining({ name: 'erp', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', action: 'http', target: down.url })]);
    expect(data.failed).toBeGreaterThanOrEqual(1);

    expect((await act('approvals', 'retry', { ids: [id] }, null)).status).toBe(403);
    down.state.broken = false;
    const calls = down.state.calls;
    const res = await act('approvals', 'retry', { ids: [id] });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { result: { retried: string[] }; audit_id: string };
    expect(answer.result.retried).toEqual([id]);
    await eventually(async () => ((await get('approvals')).runs.find((r: { id: string }) => r.id === id)?.state === 'done' ? true : undefined), 10_000, 'the retried run to be done');
    expect(down.state.calls).toBe(calls + 1);
    const [entry] = await audit();
    expect(entry).toMatchObject({ id: answer.audit_id, panel: 'approvals', action: 'retry', ok: true });
    const again = await act('approvals', 'retry', { ids: [id] });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toContain('only failed runs');
  }, 40_000);

  it('doctor: nothing until run; Run (audited) runs feishu-hub doctor\'s checks with the hub\'s configuration and the page shows the report', async () => {
    expect(await get('doctor')).toBeNull();
    expect((await act('doctor', 'run', {}, null)).status).toBe(403);
    const res = await act('doctor', 'run', {});
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { result: { ok: boolean; failed: string[] }; audit_id: string };
    const data = await get('doctor');
    expect(data).toMatchObject({ by: t.users.alice.name, report: { ok: answer.result.ok } });
    const ids = data.report.checks.map((c: { id: string }) => c.id);
    expect(ids).toContain('config');
    expect(data.report.checks.find((c: { id: string }) => c.id === 'config').status).toBe('ok');
    expect(answer.result.failed).toEqual(data.report.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id));
    const [entry] = await audit();
    expect(entry).toMatchObject({ id: answer.audit_id, panel: 'doctor', action: 'run', ok: true });
    expect(JSON.stringify(data)).not.toContain(t.hub.config.app.appSecret);
  }, 40_000);

  it('directory and bindings (read-only): the mirror\'s status and people, searchable; the bindings with the person\'s name', async () => {
    const dir = await eventually(async () => {
      const d = await get('directory');
      return d.status.enabled && d.status.users > 0 ? d : undefined;
    }, 15_000, 'the directory mirror');
    expect(dir.people.length).toBe(dir.total);
    const found = await get('directory', `?q=${encodeURIComponent(t.users.alice.email ?? 'alice@example.com')}`);
    expect(found.people).toEqual([expect.objectContaining({ open_id: t.users.alice.open_id, name: t.users.alice.name })]);

    const accounts = (t.hub as unknown as { accounts: { bind(b: { feishu: string; system: string; source: 'cli' }): Promise<unknown> } }).accounts;
    await accounts.bind({ feishu: t.users.bob.open_id, system: 'bob.li', source: 'cli' });
    const { bindings } = await get('bindings');
    expect(bindings).toContainEqual(expect.objectContaining({ open_id: t.users.bob.open_id, system: 'bob.li', source: 'cli', name: t.users.bob.name }));
    const session = (await (await alice.fetch(`${hub}/console/api/session`)).json()) as { panels: { id: string; actions: string[] }[] };
    expect(session.panels.filter((p) => ['directory', 'bindings'].includes(p.id)).map((p) => p.actions)).toEqual([[], []]);
  });
});
