import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { captureLogs } from '../helpers/hubs.js';
import { cardsIn, post, sources, titleOf, until, clearAlertTokens, setAlertTokens } from './helpers.js';

/**
 * Feishu failing: 5xx before and after processing on sends and updates (the card still arrives
 * once and ends up current), and a chat the bot is not in (reported at start, the failure in the
 * incident's timeline, the incident kept).
 */
describe('alert cards when Feishu fails', () => {
  let t: TestHub;
  let roomWithoutBot: string;
  const logs = captureLogs();
  const ctl = (method: string, path: string, body?: unknown) => fetch(`${t.emulator.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json() as Promise<Record<string, any>>);

  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({
      logger: logs.logger,
      sections: {
        alerts: {
          sources: sources(),
          routes: [
            { name: 'gone', matchers: ['alertname="Nowhere"'], chats: ['oc_0000000000000000000000000000dead'] },
            { name: 'main', chats: [DEMO_CHAT_ID] },
          ],
          card_update_every_ms: 200,
          poll_every_ms: 100,
        },
      },
    } as Parameters<typeof createTestHub>[0]);
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });

  it('a route to a chat the bot cannot reach is reported at start', () => {
    const line = logs.lines.find((l) => l.route === 'gone' && l.level === 50);
    expect(line?.msg).toContain('alerts route "gone" sends to oc_0000000000000000000000000000dead, which the bot cannot reach');
  });

  it('sends and updates failing with 5xx (some after Feishu processed them): each card arrives once and shows the last state', async () => {
    await ctl('POST', '/__emulator/faults', { method: 'POST', path: '/open-apis/im/v1/messages', status: 503, count: 4 });
    await ctl('POST', '/__emulator/faults', { method: 'POST', path: '/open-apis/im/v1/messages', status: 502, count: 2, after: true });
    await ctl('POST', '/__emulator/faults', { method: 'PATCH', path: '/open-apis/im/v1/messages/:message_id', status: 500, count: 3 });
    const start = Date.parse('2026-12-02T07:00:00Z');
    for (let g = 0; g < 4; g++) await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname: `Outage${g}`, startsAt: start, instances: 1 }));
    for (let g = 0; g < 4; g++) await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname: `Outage${g}`, startsAt: start, instances: 2 }));
    await until(() => [0, 1, 2, 3].every((g) => cardsIn(t).some((m) => titleOf(m.card) === `[FIRING:2] Outage${g} (service=checkout)`)), 30_000, 'every card current');
    for (let g = 0; g < 4; g++) expect(cardsIn(t).filter((m) => titleOf(m.card).includes(`Outage${g} `))).toHaveLength(1);
    const faults = (await ctl('GET', '/__emulator/faults')).faults as { hits: number }[];
    expect(faults.reduce((n, f) => n + f.hits, 0)).toBeGreaterThanOrEqual(9);
  });

  it('the bot not in the chat: the delivery gives up with the reason in the timeline; the incident is kept', async () => {
    await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname: 'Nowhere' }));
    const incident = await until(async () => (await t.hub.alerts.incidents()).find((i) => i.title.startsWith('Nowhere')), 10_000, 'the incident');
    const failure = await until(async () => (await t.hub.alerts.timeline(incident.id)).find((e) => e.kind === 'delivery_failed'), 10_000, 'the delivery failure');
    expect(failure.text).toContain('could not send to oc_0000000000000000000000000000dead');
    expect(incident).toMatchObject({ status: 'triggered', firing: 2 });
    expect(logs.lines.some((l) => l.incident === incident.id && l.level === 50)).toBe(true);
  });
});
