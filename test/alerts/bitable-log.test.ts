import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsConfigSchema, INCIDENT_FIELDS, samplePayload } from '../../src/alerts/index.js';
import { loadConfig } from '../../src/config/index.js';
import { DEMO_CHAT_ID, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';
import { captureLogs } from '../helpers/hubs.js';
import { clearAlertTokens, post, setAlertTokens, sources, until } from './helpers.js';

/**
 * alerts.bitable: the incident log, one record per incident (key: its id), created when it opens
 * and updated on ack, escalate and resolve; a Bitable outage never holds the card back.
 */

const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-alerts-bitable-'));
let emu: EmulatorHandle;
let h: RunningHub;
let t: { app_token: string; table_id: string };
const logs = captureLogs();

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}
async function table() {
  const base = await control('GET', `/__emulator/bitable/apps/${t.app_token}`);
  return base.tables.find((x: { table_id: string }) => x.table_id === t.table_id) as { fields: { field_name: string; type: number }[]; records: { record_id: string; fields: Record<string, any> }[] };
}
const text = (v: unknown) => (Array.isArray(v) ? v.map((s: any) => s.text ?? s).join('') : v);
const recordsOf = async (id: string) => (await table()).records.filter((r) => text(r.fields[INCIDENT_FIELDS.id]) === id);
const cardsFor = (id: string) => [...emu.state.messages.values()].filter((m) => m.chat_id === DEMO_CHAT_ID && m.msg_type === 'interactive' && m.content.includes(`#${id}`));
const openId = (userId: string) => emu.state.users.find((u) => u.user_id === userId)!.open_id;

async function openIncident(alertname: string): Promise<string> {
  expect((await post(h.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname, instances: 1 }))).status).toBe(200);
  const i = await until(async () => (await h.hub.alerts.incidents()).find((x) => x.title.startsWith(alertname)), 10_000, `the incident ${alertname}`);
  return i.id;
}

beforeAll(async () => {
  setAlertTokens();
  emu = await startEmulator({ port: 0 });
  const base = await control('POST', '/__emulator/bitable/apps', { name: 'Incidents', tables: [{ name: 'Incidents', fields: [{ field_name: 'Name', type: 1 }] }] });
  t = { app_token: base.app_token, table_id: base.tables[0].table_id };
  const loaded = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'debug', FEISHU_EVENT_MODE: 'webhook' } });
  h = await startHub(
    { ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } },
    {
      emulatorUrl: emu.url,
      logger: logs.logger,
      sections: { alerts: { sources: sources(), routes: [{ name: 'main', chats: [DEMO_CHAT_ID], escalate_to: ['carol'] }], card_update_every_ms: 200, poll_every_ms: 100, bitable: t } },
    },
  );
}, 30_000);
afterAll(async () => {
  await control('DELETE', '/__emulator/faults').catch(() => undefined);
  await h?.stop();
  await emu?.close();
  clearAlertTokens();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts.bitable: the incident log', () => {
  it('validates: app_token and a tbl… table id', () => {
    expect(alertsConfigSchema.safeParse({ bitable: { app_token: 'bascnX', table_id: 'tblY' } }).success).toBe(true);
    const r = alertsConfigSchema.safeParse({ bitable: { app_token: 'bascnX', table_id: 'Y' } });
    expect(r.success ? '' : r.error.issues[0].message).toContain('must be a table id (tbl…');
  });

  it('one record per incident: created when it opens, updated on ack, escalate and resolve, with typed values', async () => {
    const id = await openIncident('LogMe');
    const opened = await until(async () => (await recordsOf(id))[0], 10_000, 'the record');
    const tbl = await table();
    const type = (n: string) => tbl.fields.find((f) => f.field_name === n)?.type;
    expect([type('Status'), type('Severity'), type('Acked by'), type('Opened'), type('Acked'), type('Resolved'), type('Escalation level')]).toEqual([3, 3, 11, 5, 5, 5, 2]);
    expect(opened.fields).toMatchObject({ Status: 'triggered', Severity: 'critical', 'Escalation level': 0, 'Firing alerts': 1 });
    expect(text(opened.fields.Title)).toContain('LogMe');
    const incident = (await h.hub.alerts.incident(id))!;
    expect(opened.fields.Opened).toBe(incident.openedAt);
    expect(opened.fields.Acked).toBeUndefined();
    await until(() => cardsFor(id).length === 1, 10_000, 'the card');

    const alice = openId('alice');
    expect((await h.hub.alerts.act(id, 'ack', alice)).ok).toBe(true);
    const acked = await until(async () => ((await recordsOf(id))[0]?.fields.Status === 'acknowledged' ? (await recordsOf(id))[0] : undefined), 10_000, 'the acked record');
    expect(acked.fields['Acked by']).toMatchObject([{ id: alice }]);
    expect(acked.fields.Acked).toBe((await h.hub.alerts.incident(id))!.ackedBy[0].at);

    expect((await h.hub.alerts.act(id, 'escalate', alice)).ok).toBe(true);
    await until(async () => (await recordsOf(id))[0]?.fields['Escalation level'] === 1, 10_000, 'the escalated record');

    const bob = openId('bob');
    expect((await h.hub.alerts.act(id, 'resolve', bob)).ok).toBe(true);
    const resolved = await until(async () => ((await recordsOf(id))[0]?.fields.Status === 'resolved' ? (await recordsOf(id))[0] : undefined), 10_000, 'the resolved record');
    expect(resolved.fields['Resolved by']).toMatchObject([{ id: bob }]);
    expect(resolved.fields.Resolved).toBe((await h.hub.alerts.incident(id))!.resolvedAt);
    await h.hub.alerts.settled();
    expect(await recordsOf(id)).toHaveLength(1);
    expect(resolved.record_id).toBe(opened.record_id);
  }, 30_000);

  it('Bitable down: the card still goes out at once; the record follows when Bitable is back, once', async () => {
    const records = `/open-apis/bitable/v1/apps/${t.app_token}/tables/${t.table_id}/records*`;
    await control('POST', '/__emulator/faults', { path: records, status: 503 });
    try {
      const id = await openIncident('BaseDown');
      const sentAt = Date.now();
      await until(() => cardsFor(id).length === 1, 3000, 'the card while Bitable is down');
      expect(Date.now() - sentAt).toBeLessThan(3000);
      expect(await recordsOf(id)).toHaveLength(0);
      await until(() => logs.lines.some((l) => l.incident === id && /Bitable record could not be written .*retrying/.test(l.msg)), 30_000, 'the retry log line');
      await control('DELETE', '/__emulator/faults');
      await until(async () => (await recordsOf(id)).length === 1, 30_000, 'the record after the outage');
      await h.hub.alerts.settled();
      expect(await recordsOf(id)).toHaveLength(1);
      expect(cardsFor(id)).toHaveLength(1);
    } finally {
      await control('DELETE', '/__emulator/faults');
    }
  }, 60_000);
});
