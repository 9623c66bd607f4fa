import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { ALERTS_TOKEN, cardsIn, colourOf, post, sources, textOf, titleOf, until, clearAlertTokens, NEXT_TOKEN, setAlertTokens } from './helpers.js';

/** The three sources over real HTTP: credentials, validation, durability, and one card per incident kept up to date. */
describe('alert sources → incidents → one card per incident', () => {
  let t: TestHub;
  let url: string;
  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({ sections: { alerts: { sources: sources(), default_chat: DEMO_CHAT_ID, card_update_every_ms: 200, poll_every_ms: 100 } } });
    url = t.hub.url!;
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });

  it('refuses what is not a configured source or carries the wrong credential, and names the bad field', async () => {
    const body = samplePayload('alertmanager');
    expect((await post(url, 'alertmanager', body, null)).status).toBe(401);
    expect((await post(url, 'alertmanager', body, 'Bearer not-the-token-at-all-000000')).status).toBe(401);
    expect((await post(url, 'zabbix', body)).status).toBe(404);
    expect((await post(url, 'alertmanager', null, undefined, '{"version": "4", ')).status).toBe(400);
    const bad = structuredClone(body) as any;
    bad.alerts[1].startsAt = 'yesterday';
    const r = await post(url, 'alertmanager', bad);
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('alerts[1].startsAt');
    const noKey = { ...(body as any), groupKey: undefined };
    expect((await post(url, 'alertmanager', noKey)).body.field).toBe('groupKey');
    // Grafana takes basic auth; the generic source either of its two tokens (rotation).
    expect((await post(url, 'grafana', samplePayload('grafana'), `Bearer ${ALERTS_TOKEN}`)).status).toBe(401);
    const generic = samplePayload('generic', { alertname: 'RotationCheck' });
    expect((await post(url, 'generic', generic, `Bearer ${NEXT_TOKEN}`)).status).toBe(200);
    expect((await post(url, 'generic', { ...generic, event_id: undefined })).body.field).toBe('event_id');
    const big = { ...(body as any), commonAnnotations: { description: 'x'.repeat(1_100_000) } };
    expect((await post(url, 'alertmanager', big)).status).toBe(413);
  });

  const settle = async () => {
    await new Promise((r) => setTimeout(r, 300));
    await t.hub.alerts.settled();
  };

  it('Alertmanager: one card per group, updated in place as alerts join and resolve; retries add nothing', async () => {
    const start = Date.parse('2026-12-02T08:00:00Z');
    const fire = samplePayload('alertmanager', { alertname: 'CardFlow', startsAt: start, instances: 2 });
    expect((await post(url, 'alertmanager', fire)).body).toMatchObject({ status: 'accepted', duplicate: false, alerts: 2 });
    const card = await until(() => cardsIn(t).find((m) => titleOf(m.card).includes('CardFlow')), 10_000, 'the incident card');
    expect(titleOf(card.card)).toBe('[FIRING:2] CardFlow (service=checkout)');
    expect(colourOf(card.card)).toBe('red');
    expect(textOf(card.card)).toContain('alerts.ack');

    // Alertmanager's retry and its repeat notification are the same body: stored once, no new message, no update.
    expect((await post(url, 'alertmanager', fire)).body.duplicate).toBe(true);
    await settle();
    const count = () => cardsIn(t).filter((m) => titleOf(m.card).includes('CardFlow')).length;
    expect(count()).toBe(1);
    const edits = t.emulator.state.messages.get(card.message_id)!.edit_count;

    // A third instance joins the group: the same card now says 3.
    await post(url, 'alertmanager', samplePayload('alertmanager', { alertname: 'CardFlow', startsAt: start, instances: 3 }));
    await until(() => titleOf(JSON.parse(t.emulator.state.messages.get(card.message_id)!.content)).startsWith('[FIRING:3]'), 10_000, 'the card to say 3 firing');
    expect(t.emulator.state.messages.get(card.message_id)!.edit_count).toBeGreaterThan(edits);

    // All resolve: green, no buttons, still one message.
    await post(url, 'alertmanager', samplePayload('alertmanager', { alertname: 'CardFlow', startsAt: start, instances: 3, resolve: true }));
    const resolved = await until(() => {
      const c = JSON.parse(t.emulator.state.messages.get(card.message_id)!.content);
      return titleOf(c).startsWith('[RESOLVED]') && c;
    }, 10_000, 'the resolved card');
    expect(colourOf(resolved)).toBe('green');
    expect(textOf(resolved)).not.toContain('alerts.ack');
    expect(count()).toBe(1);
    const [incident] = (await t.hub.alerts.incidents()).filter((i) => i.title.startsWith('CardFlow'));
    expect(incident).toMatchObject({ status: 'resolved', firing: 0, resolvedAlerts: 3 });
    const kinds = (await t.hub.alerts.timeline(incident.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'alert_firing')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'alert_resolved')).toHaveLength(3);
    expect(kinds).toContain('resolved');
  });

  it('Grafana: its title, and its dashboard and silence links on the card', async () => {
    const r = await post(url, 'grafana', samplePayload('grafana', { alertname: 'GrafanaPanel' }), `Basic ${Buffer.from(`grafana:${ALERTS_TOKEN}`).toString('base64')}`);
    expect(r.status).toBe(200);
    const card = await until(() => cardsIn(t).find((m) => titleOf(m.card).includes('GrafanaPanel')), 10_000, 'the Grafana card');
    expect(titleOf(card.card)).toBe('[FIRING:2] GrafanaPanel checkout');
    expect(textOf(card.card)).toContain('http://grafana.example.com/d/checkout');
  });

  it('generic: event_id makes a re-send harmless; a resolve with the same alert_key closes it', async () => {
    const fire = { event_id: 'deploy-42-failed', status: 'firing', title: 'Deploy 42 failed', alert_key: 'deploy::42', severity: 'warning', description: 'rollout stuck at 3/10 pods' };
    expect((await post(url, 'generic', fire)).body.duplicate).toBe(false);
    expect((await post(url, 'generic', fire)).body.duplicate).toBe(true);
    const card = await until(() => cardsIn(t).find((m) => titleOf(m.card).includes('Deploy 42 failed')), 10_000, 'the generic card');
    expect(colourOf(card.card)).toBe('orange');
    await post(url, 'generic', { ...fire, event_id: 'deploy-42-fixed', status: 'resolved' });
    await until(() => titleOf(JSON.parse(t.emulator.state.messages.get(card.message_id)!.content)).startsWith('[RESOLVED]'), 10_000, 'the generic resolve');
    expect(cardsIn(t).filter((m) => titleOf(m.card).includes('Deploy 42 failed'))).toHaveLength(1);
  });
});
