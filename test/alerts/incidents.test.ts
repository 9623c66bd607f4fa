import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertsConfigSchema, fingerprintOf, incidentCard, IncidentBook, parseAlertmanager, parseMatcher, matches, type AlertBatch } from '../../src/alerts/index.js';
import { alertMigrations } from '../../src/alerts/tables.js';
import { validateCard } from '../../src/cards/index.js';
import { openDatabase, type Store } from '../../src/store/index.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function book(config: Record<string, unknown> = {}, now?: () => number) {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-incidents-'));
  dirs.push(dir);
  const store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`, { migrations: Object.fromEntries(Object.entries(alertMigrations).map(([k, v]) => [`alerts/${k}`, v])) });
  stores.push(store);
  return { book: new IncidentBook(store, alertsConfigSchema.parse({ default_chat: 'oc_default', ...config }), now), store };
}

const T0 = Date.parse('2026-12-02T08:00:00Z');
function batch(alerts: { labels: Record<string, string>; status?: 'firing' | 'resolved'; startsAt?: number; annotations?: Record<string, string> }[], groupLabels: Record<string, string> = { alertname: alerts[0].labels.alertname }, groupKey = '{}:{}'): AlertBatch {
  return parseAlertmanager(
    {
      version: '4',
      groupKey,
      status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
      receiver: 'r',
      groupLabels,
      alerts: alerts.map((a) => ({ status: a.status ?? 'firing', labels: a.labels, annotations: a.annotations ?? {}, startsAt: new Date(a.startsAt ?? T0).toISOString(), endsAt: a.status === 'resolved' ? new Date((a.startsAt ?? T0) + 60_000).toISOString() : '0001-01-01T00:00:00Z' })),
    },
    Date.now(),
  );
}
const deliveries = (store: Store, id: string) => (store.db as any).selectFrom('alert_deliveries').selectAll().where('incident_id', '=', id).execute() as Promise<{ target: string }[]>;

describe('incidents from alerts', () => {
  it('the fingerprint is Prometheus\' label-set hash (the value Alertmanager sends)', () => {
    // Alertmanager 0.25 reported this fingerprint for these labels (test/alerts/alertmanager.test.ts checks it live).
    expect(fingerprintOf({})).toBe('cbf29ce484222325');
    expect(fingerprintOf({ alertname: 'A' })).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf({ b: '2', a: '1' })).toBe(fingerprintOf({ a: '1', b: '2' }));
    expect(fingerprintOf({ a: '1', b: '2' })).not.toBe(fingerprintOf({ a: '12' }));
  });

  it('an alert that flaps stays on one incident, marked flapping', async () => {
    const { book: b } = await book({ flapping: { threshold: 3, window_ms: 3600_000 } });
    const labels = { alertname: 'Flappy', instance: 'a' };
    const ids = new Set<string>();
    for (let k = 0; k < 3; k++) {
      const start = Date.now() - 60_000 + k * 1000;
      for (const id of await b.applyBatch(batch([{ labels, startsAt: start }]))) ids.add(id);
      for (const id of await b.applyBatch(batch([{ labels, startsAt: start, status: 'resolved' }]))) ids.add(id);
    }
    expect(ids.size).toBe(1);
    const [i] = await b.list();
    expect(i.flapping).toBe(true);
    expect((await b.timeline(i.id)).filter((e) => e.kind === 'retriggered')).toHaveLength(2);
    expect((await b.timeline(i.id)).filter((e) => e.kind === 'flapping')).toHaveLength(1);
  });

  it('fires again within reopen_within_ms: the same incident re-triggered; later: a new one', async () => {
    let now = Date.now();
    const { book: b } = await book({ reopen_within_ms: 600_000 }, () => now);
    const labels = { alertname: 'Reopen', instance: 'a' };
    const [first] = await b.applyBatch(batch([{ labels, startsAt: now }]));
    await b.applyBatch(batch([{ labels, startsAt: now, status: 'resolved' }]));
    now += 60_000;
    const [again] = await b.applyBatch(batch([{ labels, startsAt: now }]));
    expect(again).toBe(first);
    expect((await b.get(first))!.status).toBe('triggered');
    await b.applyBatch(batch([{ labels, startsAt: now, status: 'resolved' }]));
    now += 3600_000;
    const [fresh] = await b.applyBatch(batch([{ labels, startsAt: now }]));
    expect(fresh).not.toBe(first);
  });

  it('a late retry of an old firing payload never reopens what resolved', async () => {
    const { book: b } = await book();
    const labels = { alertname: 'Late', instance: 'a' };
    const fire = batch([{ labels }]);
    const [id] = await b.applyBatch(fire);
    await b.applyBatch(batch([{ labels, status: 'resolved' }]));
    expect(await b.applyBatch(fire)).toEqual([]);
    expect((await b.get(id))!).toMatchObject({ status: 'resolved', firing: 0, resolvedAlerts: 1 });
  });

  it('group_by labels group alerts of different source groups into one incident', async () => {
    const { book: b } = await book({ group_by: ['cluster'] });
    const one = await b.applyBatch(batch([{ labels: { alertname: 'CPU', cluster: 'eu-1', instance: 'a' } }], { alertname: 'CPU' }));
    const two = await b.applyBatch(batch([{ labels: { alertname: 'Disk', cluster: 'eu-1', instance: 'b' } }], { alertname: 'Disk' }));
    const three = await b.applyBatch(batch([{ labels: { alertname: 'Disk', cluster: 'us-1', instance: 'c' } }], { alertname: 'Disk' }));
    expect(two).toEqual(one);
    expect(three).not.toEqual(one);
    expect((await b.get(one[0]))!.labels).toEqual({ cluster: 'eu-1' });
  });

  it('two Alertmanager routes with one receiver and the same group labels are two incidents', async () => {
    const { book: b } = await book();
    const db = await b.applyBatch(batch([{ labels: { alertname: 'Down', team: 'db' } }], { alertname: 'Down' }, '{}/{team="db"}:{alertname="Down"}'));
    const web = await b.applyBatch(batch([{ labels: { alertname: 'Down', team: 'web' } }], { alertname: 'Down' }, '{}/{team="web"}:{alertname="Down"}'));
    expect(web).not.toEqual(db);
  });

  it('maintenance silences keep the alerts but send nothing; no route and no default chat says so', async () => {
    const { book: b, store } = await book({ silences: [{ matchers: ['env="staging"'], starts_at: '2026-01-01T00:00:00Z', ends_at: '2099-01-01T00:00:00Z', comment: 'staging rebuild' }] });
    const [silenced] = await b.applyBatch(batch([{ labels: { alertname: 'Quiet', env: 'staging' } }]));
    expect((await b.get(silenced))!.note).toBe('silenced: staging rebuild');
    expect(await deliveries(store, silenced)).toHaveLength(0);
    expect((await b.alerts(silenced))[0].silenced).toBe('staging rebuild');

    const { book: lonely, store: s2 } = await book({ default_chat: undefined });
    const [id] = await lonely.applyBatch(batch([{ labels: { alertname: 'Nowhere' } }]));
    expect((await lonely.get(id))!.note).toContain('no route matches');
    expect(await deliveries(s2, id)).toHaveLength(0);
  });

  it('routes: matchers (=, !=, =~, !~), severities, continue; severity from the label with a custom map', async () => {
    const { book: b, store } = await book({
      severity_map: { S1: 'critical' },
      routes: [
        { name: 'db-crit', matchers: ['team=~"db|dba"', 'env!="dev"'], severities: ['critical'], chats: ['oc_db'], continue: true },
        { name: 'everyone', matchers: ['team!~"web.*"'], chats: ['oc_all'], users: ['ou_lead'] },
        { name: 'never', chats: ['oc_never'] },
      ],
    });
    const [a] = await b.applyBatch(batch([{ labels: { alertname: 'R1', team: 'dba', env: 'prod', severity: 'S1' } }]));
    expect((await b.get(a))!.severity).toBe('critical');
    expect((await deliveries(store, a)).map((d) => d.target).sort()).toEqual(['oc_all', 'oc_db', 'ou_lead']);
    const [w] = await b.applyBatch(batch([{ labels: { alertname: 'R2', team: 'db', env: 'prod', severity: 'warning' } }]));
    expect((await deliveries(store, w)).map((d) => d.target).sort()).toEqual(['oc_all', 'ou_lead']);
    const [p] = await b.applyBatch(batch([{ labels: { alertname: 'R3', team: 'web-shop', severity: 'p1' } }]));
    expect((await b.get(p))!.severity).toBe('critical');
    expect((await deliveries(store, p)).map((d) => d.target)).toEqual(['oc_never']);
    expect(() => parseMatcher('team=="db"')).toThrow(/not a matcher/);
    expect(() => parseMatcher('team=~"("')).toThrow();
    expect(matches(parseMatcher('missing=""'), {})).toBe(true);
  });

  it('a group of 500 alerts makes a valid card under 30 KB that lists the first ones and "+N more"', async () => {
    const { book: b } = await book();
    const alerts = Array.from({ length: 500 }, (_, k) => ({ labels: { alertname: 'Huge', instance: `host-${k}.example.com:9100` }, annotations: { summary: `disk ${k} ${'x'.repeat(200)}`, description: 'y'.repeat(400) } }));
    const [id] = await b.applyBatch(batch(alerts));
    const incident = (await b.get(id))!;
    const card = incidentCard({ incident, alerts: await b.alerts(id), maxAlerts: 50, warRoomButton: true });
    expect(validateCard(card)).toEqual({ ok: true });
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30 * 1024);
    expect(JSON.stringify(card)).toMatch(/\+4\d\d more/);
    expect(JSON.stringify(card)).toContain('[FIRING:500] Huge');
  });
});
