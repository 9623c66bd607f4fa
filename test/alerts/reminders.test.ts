import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { cardsIn, post, sources, titleOf, until, clearAlertTokens, setAlertTokens } from './helpers.js';

/** Re-notification: unacknowledged past the route's repeat interval, and a snooze that ran out. */
describe('alert reminders', () => {
  let t: TestHub;
  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({
      sections: {
        alerts: {
          sources: sources(),
          routes: [
            { name: 'noisy', matchers: ['alertname="Unacked"'], chats: [DEMO_CHAT_ID], mention: ['carol'], repeat_interval_ms: 1500 },
            { name: 'quiet', chats: [DEMO_CHAT_ID], mention: ['carol'] },
          ],
          remind_every_ms: 300,
          poll_every_ms: 100,
        },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });
  const thread = (messageId: string) => t.messages().filter((m) => m.root_id === messageId || m.parent_id === messageId);
  const fire = async (alertname: string) => {
    await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname }));
    const card = await until(() => cardsIn(t).find((m) => titleOf(m.card).includes(alertname)), 10_000, 'the card');
    return { messageId: card.message_id, id: (await t.hub.alerts.incidents()).find((i) => i.title.startsWith(alertname))!.id };
  };

  it('an incident nobody acknowledges is re-@ed in its card\'s thread every repeat interval, and not after an ack', async () => {
    const { messageId, id } = await fire('Unacked');
    const first = await until(() => thread(messageId).find((m) => m.content.includes('Still firing and unacknowledged')), 10_000, 'the first reminder');
    expect(first.content).toContain(t.users.carol.open_id);
    await until(() => thread(messageId).length >= 2, 10_000, 'the second reminder');
    await t.hub.alerts.act(id, 'ack', t.users.bob.open_id);
    const after = thread(messageId).length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(thread(messageId).length).toBe(after);
    expect((await t.hub.alerts.timeline(id)).filter((e) => e.kind === 'reminded').length).toBe(after);
  });

  it('a snooze that runs out reminds the chat once; a route without repeat_interval does not nag', async () => {
    const { messageId, id } = await fire('Snoozy');
    expect((await t.hub.alerts.act(id, 'snooze', t.users.bob.open_id, '1h')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(thread(messageId)).toHaveLength(0);
    // An hour later (the snooze's end moved to the past).
    await (t.hub.store!.db as any).updateTable('alert_incidents').set({ snoozed_until: Date.now() - 1 }).where('id', '=', id).execute();
    const woke = await until(() => thread(messageId).find((m) => m.content.includes('Snooze ended')), 10_000, 'the snooze-ended reminder');
    expect(woke.content).toContain(t.users.carol.open_id);
    await new Promise((r) => setTimeout(r, 1000));
    expect(thread(messageId)).toHaveLength(1);
    const incident = (await t.hub.alerts.incident(id))!;
    expect(incident.snoozedUntil).toBeUndefined();
    expect((await t.hub.alerts.timeline(id)).map((e) => e.kind)).toContain('snooze_ended');
  });
});
