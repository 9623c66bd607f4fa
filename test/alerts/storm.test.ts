import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stormAlert } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { post, sources, until, clearAlertTokens, setAlertTokens } from './helpers.js';

const ALERTS = 1000;
const GROUPS = 50;
const SECONDS = 10;

/**
 * The storm of the issue: 1,000 alerts in 10 s across 50 groups, all routed to one chat. The hub
 * never trips the platform's limits (0 × 429), sends a bounded number of messages, and every alert
 * is in an incident.
 */
describe('an alert storm', () => {
  let t: TestHub;
  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({ sections: { alerts: { sources: sources(), routes: [{ name: 'all', chats: [DEMO_CHAT_ID] }], storm: { max_cards: 10, window_ms: 60_000 } } } });
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });

  it(`${ALERTS} alerts in ${SECONDS} s across ${GROUPS} groups: 0 × 429, bounded messages, nothing lost`, async () => {
    const url = t.hub.url!;
    const calls = t.emulator.context.calls;
    const firstCall = calls.list.at(-1)?.id ?? 0;
    const messagesBefore = t.messages(DEMO_CHAT_ID).length;
    const start = Date.now();
    const statuses: number[] = [];
    // Paced: alert i leaves at i × 10 ms, ten in flight at most.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < ALERTS) {
          const i = next++;
          const wait = start + (i * SECONDS * 1000) / ALERTS - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          statuses.push((await post(url, 'alertmanager', stormAlert(i, start, GROUPS))).status);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    // Every alert ends up in an incident: 50 incidents holding 1,000 firing alerts.
    await until(async () => (await t.hub.alerts.incidents({ limit: 500 })).reduce((n, i) => n + i.firing, 0) === ALERTS, 60_000, 'every alert in an incident');
    await t.hub.alerts.settled();
    const incidents = await t.hub.alerts.incidents({ limit: 500 });
    expect(incidents).toHaveLength(GROUPS);
    expect(new Set(incidents.map((i) => i.title)).size).toBe(GROUPS);

    const apiCalls = calls.since(firstCall);
    const sends = apiCalls.filter((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/messages');
    const patches = apiCalls.filter((c) => c.method === 'PATCH' && c.path.startsWith('/open-apis/im/v1/messages/'));
    const limited = apiCalls.filter((c) => c.status === 429);
    const messages = t.messages(DEMO_CHAT_ID).length - messagesBefore;
    const stats = t.hub.alerts.stats();
    console.log(`storm: ${ALERTS} alerts in ${((Date.now() - start) / 1000).toFixed(1)} s → ${messages} messages in the chat (${stats.cardsSent} incident cards + ${stats.summariesSent} summary), ${patches.length} card updates, ${limited.length} × 429; a bridge posting one message per alert would need ${ALERTS} messages (${ALERTS / 5} s at 5 msg/s per chat)`);
    expect(limited).toEqual([]);
    // 10 incident cards, then one summary card listing the other 40.
    expect(messages).toBe(11);
    expect(sends.length).toBe(11);
    expect(stats.folded).toBe(GROUPS - 10);
    // Updates are paced (≤ 1/s per card), far fewer than the alerts they carry.
    expect(patches.length).toBeLessThan(ALERTS / 2);
    const summary = t.messages(DEMO_CHAT_ID).filter((m) => m.msg_type === 'interactive' && m.content.includes('Alert storm'));
    expect(summary).toHaveLength(1);
    expect((summary[0].content.match(/#[0-9a-f]{6}/g) ?? []).length).toBeGreaterThanOrEqual(GROUPS - 10);
  }, 120_000);
});
