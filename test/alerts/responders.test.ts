import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { cardsIn, colourOf, post, sources, textOf, titleOf, until, clearAlertTokens, setAlertTokens } from './helpers.js';

/**
 * People acting on incidents from the card and from chat, as themselves: acknowledge (several),
 * snooze, escalate, resolve, war room; an unbound user's click is held and applied when they bind.
 */
describe('acting on an incident in Feishu', () => {
  let t: TestHub;
  let url: string;
  const open = (name: string) => t.users[name].open_id;
  const cardOf = (id: string) => JSON.parse(t.emulator.state.messages.get(id)!.content);
  const fire = async (alertname: string) => {
    await post(url, 'alertmanager', samplePayload('alertmanager', { alertname, startsAt: Date.parse('2026-12-02T09:00:00Z') }));
    const card = await until(() => cardsIn(t).find((m) => titleOf(m.card).includes(alertname)), 10_000, `the ${alertname} card`);
    const incident = (await t.hub.alerts.incidents()).find((i) => i.title.startsWith(alertname))!;
    return { messageId: card.message_id, card: card.card, id: incident.id };
  };
  const click = (messageId: string, action: string, incident: string, as: string, extra: Record<string, unknown> = {}) =>
    fetch(`${t.emulator.url}/__emulator/messages/${messageId}/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: open(as), value: { action, incident }, ...extra }) }).then((r) => r.json() as Promise<Record<string, any>>);

  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({
      sections: {
        alerts: {
          sources: sources(),
          routes: [{ name: 'sre', chats: [DEMO_CHAT_ID], mention: ['schedule:sre'], escalate_to: ['dave@example.com'] }],
          schedules: { sre: { users: ['bob'], starts_at: '2026-01-05T09:00:00+08:00' } },
          bindings: { required: true, users: [{ feishu: 'bob', user: 'bob.li' }, { feishu: 'carol@example.com', user: 'carol.w' }] },
          card_update_every_ms: 200,
          poll_every_ms: 100,
        },
      },
    });
    url = t.hub.url!;
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });

  it('the first card @s the on-call of the route', async () => {
    const { card } = await fire('OnCallMention');
    expect(textOf(card)).toContain(`<at id=${open('bob')}></at>`);
  });

  it('Acknowledge shows who clicked, for everyone, and a second responder joins them', async () => {
    const { messageId, id } = await fire('AckFlow');
    const answer = await click(messageId, 'alerts.ack', id, 'bob');
    expect(answer.toast).toMatchObject({ type: 'success', content: `Acknowledged #${id}.` });
    expect(answer.card_updated).toBe(true);
    expect(textOf(cardOf(messageId))).toContain('Acknowledged** by 李博');
    await click(messageId, 'alerts.ack', id, 'carol');
    expect(textOf(cardOf(messageId))).toMatch(/Acknowledged\*\* by 李博 \([0-9:]+ UTC\), 王卡罗/);
    // Again: nothing changes, and the toast says so.
    expect((await click(messageId, 'alerts.ack', id, 'bob')).toast.content).toBe(`You already acknowledged #${id}.`);
    const incident = (await t.hub.alerts.incident(id))!;
    expect(incident.status).toBe('acknowledged');
    expect(incident.ackedBy.map((a) => a.user)).toEqual(['bob.li', 'carol.w']);
    const acks = (await t.hub.alerts.timeline(id)).filter((e) => e.kind === 'acknowledged');
    expect(acks.map((e) => e.actorUser)).toEqual(['bob.li', 'carol.w']);
  });

  it('an unbound user gets the way to bind; their click is kept and applied when they /bind', async () => {
    const { messageId, id } = await fire('UnboundResolve');
    const answer = await click(messageId, 'alerts.resolve', id, 'alice');
    expect(answer.toast.type).toBe('warning');
    expect(answer.toast.content).toContain('/bind');
    expect((await t.hub.alerts.incident(id))!.status).toBe('triggered');
    const [reply] = await t.say('/bind alice.zhang', { as: 'alice' });
    expect(reply.text).toContain('Linked: you are alice.zhang');
    expect(reply.text).toContain(`Resolved #${id}.`);
    const incident = (await t.hub.alerts.incident(id))!;
    expect(incident.status).toBe('resolved');
    expect((await t.hub.alerts.timeline(id)).find((e) => e.kind === 'resolved')?.actorUser).toBe('alice.zhang');
    await until(() => colourOf(cardOf(messageId)) === 'green', 10_000, 'the card to turn green');
    expect(titleOf(cardOf(messageId))).toMatch(/^\[RESOLVED\]/);
  });

  it('Snooze greys the card until then; Escalate brings in the next person', async () => {
    const { messageId, id } = await fire('SnoozeEscalate');
    const answer = await click(messageId, 'alerts.snooze', id, 'bob', { option: '4h', tag: 'select_static' });
    expect(answer.toast.content).toBe(`Snoozed #${id} for 4h.`);
    const snoozed = (await t.hub.alerts.incident(id))!;
    expect(snoozed.snoozedUntil! - Date.now()).toBeGreaterThan(3.9 * 3600_000);
    expect(colourOf(cardOf(messageId))).toBe('grey');
    expect(textOf(cardOf(messageId))).toContain('snoozed until');

    expect((await click(messageId, 'alerts.escalate', id, 'bob')).toast.content).toBe(`Escalated #${id}.`);
    const dave = open('dave');
    const dm = await until(() => [...t.emulator.state.messages.values()].find((m) => m.msg_type === 'interactive' && m.chat_id !== DEMO_CHAT_ID && titleOf(JSON.parse(m.content)).includes('SnoozeEscalate')), 10_000, "the card in Dave's DM");
    expect(t.emulator.state.chats.get(dm.chat_id)?.members).toContain(dave);
    const thread = t.messages().filter((m) => m.root_id === messageId || m.parent_id === messageId);
    expect(thread.some((m) => m.content.includes(dave) && m.content.includes('Escalated by 李博'))).toBe(true);
  });

  it('commands: /incidents lists this chat\'s open ones; /ack and /resolve take an id', async () => {
    const { id } = await fire('CommandFlow');
    const [list] = await t.say('/incidents', { as: 'bob' });
    expect(list.text).toContain(`#${id}`);
    expect(list.text).toContain('CommandFlow');
    expect((await t.say(`/ack ${id}`, { as: 'carol' }))[0].text).toBe(`Acknowledged #${id}.`);
    expect((await t.say('/ack ffffff', { as: 'carol' }))[0].text).toContain('No incident #ffffff');
    expect((await t.say(`/resolve #${id}`, { as: 'bob' }))[0].text).toBe(`Resolved #${id}.`);
    const [after] = await t.say('/incidents', { as: 'bob' });
    expect(after.text).not.toContain(`#${id}`);
  });

  it('Open war room makes a group for the incident with its responders, and posts the card there', async () => {
    const { messageId, id } = await fire('WarRoomFlow');
    await click(messageId, 'alerts.ack', id, 'carol');
    const answer = await click(messageId, 'alerts.war_room', id, 'bob');
    expect(answer.toast.content).toBe(`War room requested for #${id}.`);
    const room = await until(() => [...t.emulator.state.chats.values()].find((c) => c.name.includes(`#${id}`)), 10_000, 'the war room');
    expect(room.name).toMatch(/^\[Critical\] WarRoomFlow/);
    expect(room.members).toEqual(expect.arrayContaining([open('bob'), open('carol')]));
    await until(() => cardsIn(t, room.chat_id).some((m) => titleOf(m.card).includes('WarRoomFlow')), 10_000, 'the card in the war room');
    // The chat's own /ack needs no id there.
    await t.say('/resolve', { as: 'bob', chatId: room.chat_id });
    await until(() => t.emulator.state.chats.get(room.chat_id)!.name.startsWith('[Resolved]'), 10_000, 'the war room renamed');
    await until(async () => (await t.hub.alerts.incident(id))!.warRoomState === 'resolved', 10_000, 'the war room closed');
  });
});
