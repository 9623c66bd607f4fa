import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { cardsIn, post, sources, titleOf, until, clearAlertTokens, setAlertTokens } from './helpers.js';

/** A war room's whole life: opened by policy, talked in, resolved by the source, archived, disbanded. */
describe('war room lifecycle', () => {
  let t: TestHub;
  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({
      sections: {
        alerts: {
          sources: sources(),
          routes: [{ name: 'p0', chats: [DEMO_CHAT_ID], users: ['carol@example.com'], mention: ['bob'], war_room: 'auto' }],
          war_room_disband_after_ms: 1500,
          poll_every_ms: 100,
          card_update_every_ms: 200,
        },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });

  it('opens with the responders, keeps the card current, archives what people said, renames and then disbands', async () => {
    const start = Date.parse('2026-12-02T06:00:00Z');
    await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname: 'PaymentsDown', startsAt: start }));
    const room = await until(() => [...t.emulator.state.chats.values()].find((c) => c.name.startsWith('[Critical] PaymentsDown')), 10_000, 'the war room');
    expect(room.members).toEqual(expect.arrayContaining([t.users.bob.open_id, t.users.carol.open_id]));
    await until(() => cardsIn(t, room.chat_id).length === 1, 10_000, 'the card in the room');
    const incident = (await t.hub.alerts.incidents()).find((i) => i.title.startsWith('PaymentsDown'))!;
    expect(incident.warRoomChatId).toBe(room.chat_id);
    // The main card names the room.
    await until(() => cardsIn(t).some((m) => titleOf(m.card).includes('PaymentsDown') && m.content.includes('War room')), 10_000, 'the room on the main card');

    await t.say('rolling back the payments deploy now', { chatId: room.chat_id, as: 'bob', waitMs: 200 }).catch(() => []);
    await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname: 'PaymentsDown', startsAt: start, resolve: true }));
    await until(() => t.emulator.state.chats.get(room.chat_id)!.name.startsWith('[Resolved] PaymentsDown'), 10_000, 'the room renamed');
    await until(() => titleOf(cardsIn(t, room.chat_id)[0]?.card ?? {}).startsWith('[RESOLVED]'), 10_000, 'the room\'s card resolved');
    const timeline = await t.hub.alerts.timeline(incident.id);
    expect(timeline.find((e) => e.kind === 'chat')).toMatchObject({ actor: t.users.bob.open_id, text: expect.stringContaining('rolling back the payments deploy now') });

    await until(() => t.emulator.state.chats.get(room.chat_id)!.status === 'dissolved', 15_000, 'the room disbanded');
    await until(async () => (await t.hub.alerts.incident(incident.id))!.warRoomState === 'disbanded', 10_000, 'the incident to say so');
    const kinds = (await t.hub.alerts.timeline(incident.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'war_room_disbanded')).toHaveLength(1);
    expect(kinds).toEqual(expect.arrayContaining(['war_room_requested', 'war_room_opened', 'war_room_resolved']));
  });
});
