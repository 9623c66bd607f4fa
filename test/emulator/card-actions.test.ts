import { createDecipheriv, createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { control, rawJson } from '../helpers/emulator.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { insertMessage } from '../../src/emulator/im/index.js';
import { startReceiver, type Received } from './events-receiver.js';

const KEY = 'card-test-encrypt-key';
const decrypt = (raw: string) => {
  const buf = Buffer.from(JSON.parse(raw).encrypt, 'base64');
  const d = createDecipheriv('aes-256-cbc', createHash('sha256').update(KEY).digest(), buf.subarray(0, 16));
  return JSON.parse(Buffer.concat([d.update(buf.subarray(16)), d.final()]).toString('utf8'));
};

let emu: EmulatorHandle;
let ctl: ReturnType<typeof control>;
let rx: Awaited<ReturnType<typeof startReceiver>>;

const card1 = { config: { update_multi: true }, header: { title: { tag: 'plain_text', content: 'Deploy?' } }, elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Approve' }, value: { action: 'approve' } }] }] };
const card2 = { schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'button', text: { tag: 'plain_text', content: 'Ack' }, behaviors: [{ type: 'callback', value: { action: 'ack' } }] }] } };

beforeAll(async () => {
  rx = await startReceiver();
  emu = await startEmulator({ port: 0, encryptKey: KEY, eventUrl: `${rx.url}/events`, cardUrl: `${rx.url}/card` });
  ctl = control(emu);
});
afterAll(async () => {
  await emu.close();
  await rx.close();
});
beforeEach(async () => {
  await ctl.reset();
  await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { card_url: `${rx.url}/card` });
  rx.received.length = 0;
});

const user = (key: string) => emu.state.users.find((u) => u.user_id === key)!;
const demoChat = () => [...emu.state.chats.values()].find((c) => c.chat_mode === 'group')!;
/** A card the app sent to the demo chat (stored directly: this file is about callbacks, not sending). */
const appCard = (card: object) =>
  insertMessage(emu.context, {
    chat: demoChat(),
    sender: { id: emu.app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: emu.tenantKey },
    msgType: 'interactive',
    content: JSON.stringify(card),
  });
const click = (messageId: string, body: Record<string, unknown>) => ctl.call('POST', `/__emulator/messages/${messageId}/actions`, body);
const answer = (body: unknown, status = 200) => rx.answerWith(() => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) }));

describe('card action callbacks', () => {
  it('round trip: the app gets card.action.trigger, its toast is returned and its raw card replaces the message', async () => {
    const msg = appCard(card2);
    const newCard = { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'Acked by Bob' }] } };
    answer({ toast: { type: 'success', content: 'Acked' }, card: { type: 'raw', data: newCard } });
    const bob = user('bob');
    const res = await click(msg.message_id, { operator: bob.open_id, value: { action: 'ack', incident: 42 }, tag: 'button' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 200, toast: { type: 'success', content: 'Acked' }, card_updated: true });
    expect(res.body.error).toBeUndefined();

    const state = await ctl.state();
    const stored = state.messages.find((m: any) => m.message_id === msg.message_id);
    expect(JSON.parse(stored.content)).toEqual(newCard);
    expect(stored.updated).toBe(true);
    expect(stored.last_toast).toMatchObject({ type: 'success', content: 'Acked' });

    const [r] = rx.received;
    expect(r.path).toBe('/card');
    const ts = r.headers['x-lark-request-timestamp'] as string;
    expect(r.headers['x-lark-signature']).toBe(createHash('sha256').update(ts + r.headers['x-lark-request-nonce'] + KEY + r.raw).digest('hex'));
    const env = decrypt(r.raw);
    expect(env.schema).toBe('2.0');
    expect(env.header).toMatchObject({ event_type: 'card.action.trigger', app_id: emu.app.appId, create_time: expect.stringMatching(/^\d{16}$/) });
    expect(env.event).toEqual({
      operator: { tenant_key: bob.tenant_key, user_id: bob.user_id, open_id: bob.open_id, union_id: bob.union_id },
      token: expect.stringMatching(/^c-/),
      action: { value: { action: 'ack', incident: 42 }, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: msg.message_id, open_chat_id: msg.chat_id },
    });
  });

  it('passes form values and select options through', async () => {
    const msg = appCard(card2);
    answer({});
    await click(msg.message_id, { operator: user('alice').open_id, tag: 'button', name: 'submit', form_value: { reason: 'db down', sev: 'p1' } });
    await click(msg.message_id, { operator: user('alice').open_id, tag: 'select_static', option: 'p2', value: { k: 'sev' } });
    const [a, b] = rx.received.map((r) => decrypt(r.raw).event.action);
    expect(a).toEqual({ value: {}, tag: 'button', name: 'submit', form_value: { reason: 'db down', sev: 'p1' } });
    expect(b).toEqual({ value: { k: 'sev' }, tag: 'select_static', option: 'p2' });
  });

  it('{} or an empty body changes nothing', async () => {
    const msg = appCard(card1);
    answer('');
    const res = await click(msg.message_id, { operator: user('alice').open_id, value: { action: 'approve' } });
    expect(res.body).toMatchObject({ status: 200, toast: null, card_updated: false });
    expect(JSON.parse(emu.state.messages.get(msg.message_id)!.content)).toEqual(card1);
  });

  it('old-style answers: a bare card JSON at the top level replaces the card', async () => {
    const msg = appCard(card1);
    const replaced = { config: { update_multi: true }, elements: [{ tag: 'div', text: { tag: 'lark_md', content: 'Approved' } }] };
    answer(replaced);
    const res = await click(msg.message_id, { operator: user('alice').open_id, value: { action: 'approve' } });
    expect(res.body.card_updated).toBe(true);
    expect(JSON.parse(emu.state.messages.get(msg.message_id)!.content)).toEqual(replaced);
  });

  it('client-side errors: 200671 non-200, 200672 bad body, 200673 bad card, 200830 2.0→1.0, 200340 no URL, 200342 refused', async () => {
    const msg = appCard(card2);
    const op = { operator: user('alice').open_id, value: {} };
    answer({ toast: { type: 'info', content: 'x' } }, 500);
    expect((await click(msg.message_id, op)).body).toMatchObject({ status: 500, error: { code: 200671 } });
    answer('not json');
    expect((await click(msg.message_id, op)).body.error.code).toBe(200672);
    answer({ card: { type: 'raw' } });
    expect((await click(msg.message_id, op)).body.error.code).toBe(200673);
    answer({ card: { type: 'raw', data: card1 } });
    expect((await click(msg.message_id, op)).body.error.code).toBe(200830);
    expect(JSON.parse(emu.state.messages.get(msg.message_id)!.content)).toEqual(card2);

    const closed = await startReceiver();
    const deadUrl = closed.url;
    await closed.close();
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { card_url: `${deadUrl}/card` });
    expect((await click(msg.message_id, op)).body).toMatchObject({ status: null, error: { code: 200342 } });

    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { card_url: null, event_url: null });
    expect((await click(msg.message_id, op)).body).toMatchObject({ status: null, error: { code: 200340 } });
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${rx.url}/events` });
  });

  it('falls back to the event URL when no card URL is set', async () => {
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { card_url: null });
    rx.received.length = 0;
    const msg = appCard(card1);
    answer({ toast: { type: 'info', content: 'via events' } });
    const res = await click(msg.message_id, { operator: user('alice').open_id, value: {} });
    expect(res.body.toast.content).toBe('via events');
    expect(rx.received.at(-1)!.path).toBe('/events');
  });

  it('refuses unknown messages (404), non-cards, and operators outside the chat (400)', async () => {
    expect((await click('om_nope', { operator: user('alice').open_id })).status).toBe(404);
    const text = insertMessage(emu.context, {
      chat: demoChat(),
      sender: { id: emu.app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: emu.tenantKey },
      msgType: 'text',
      content: '{"text":"hi"}',
    });
    expect((await click(text.message_id, { operator: user('alice').open_id })).status).toBe(400);
    expect((await click(appCard(card1).message_id, { operator: user('dave').open_id })).status).toBe(400);
    expect(rx.received).toHaveLength(0);
  });
});

describe('delayed card update (interactive/v1/card/update)', () => {
  const tenantToken = async () =>
    (await rawJson(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, 'POST', { app_id: emu.app.appId, app_secret: emu.app.appSecret })).json.tenant_access_token;
  const update = async (body: unknown, token?: string) =>
    rawJson(`${emu.url}/open-apis/interactive/v1/card/update`, 'POST', body, token ? { authorization: `Bearer ${token}` } : {});
  const clickForToken = async (messageId: string) => {
    answer({});
    await click(messageId, { operator: user('alice').open_id, value: {} });
    return decrypt((rx.received.at(-1) as Received).raw).event.token as string;
  };

  it('updates the card twice with one token, then answers 300040', async () => {
    const msg = appCard(card1);
    const cbToken = await clickForToken(msg.message_id);
    const t = await tenantToken();
    const v1 = { config: { update_multi: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'step 1' } }] };
    const first = await update({ token: cbToken, card: v1 }, t);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ code: 0, msg: 'ok' });
    expect(JSON.parse(emu.state.messages.get(msg.message_id)!.content)).toEqual(v1);
    const v2 = { ...v1, open_ids: [user('alice').open_id], elements: [] };
    expect((await update({ token: cbToken, card: v2 }, t)).json.code).toBe(0);
    expect(JSON.parse(emu.state.messages.get(msg.message_id)!.content)).toEqual({ config: v1.config, elements: [] });
    const third = await update({ token: cbToken, card: v1 }, t);
    expect(third.json.code).toBe(300040);
  });

  it('answers 300030 after 30 min of emulator time, 300020 for a malformed token, 11311 without a card, and needs a tenant token', async () => {
    const msg = appCard(card1);
    const cbToken = await clickForToken(msg.message_id);
    expect((await update({ token: cbToken, card: card1 })).json.code).toBe(99991661);
    await ctl.advance(31 * 60_000);
    const t = await tenantToken();
    expect((await update({ token: cbToken, card: card1 }, t)).json.code).toBe(300030);
    expect((await update({ token: 'nope', card: card1 }, t)).json.code).toBe(300020);
    const fresh = await clickForToken(msg.message_id);
    expect((await update({ token: fresh }, t)).json.code).toBe(11311);
  });
});
