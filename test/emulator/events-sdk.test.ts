import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control, sdkClient } from '../helpers/emulator.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { insertMessage } from '../../src/emulator/im/index.js';
import { waitUntil } from './events-receiver.js';

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/** An app written with the official SDK only: EventDispatcher + CardActionHandler behind adaptDefault. */
async function sdkApp(opts: { encryptKey?: string; verificationToken?: string; cache?: lark.Cache }, autoChallenge = true) {
  const events: any[] = [];
  const cards: any[] = [];
  const dispatcher = new lark.EventDispatcher({ ...opts, logger: silent, loggerLevel: lark.LoggerLevel.error }).register({
    'im.message.receive_v1': async (data) => {
      events.push(data);
    },
  });
  const cardHandler = new lark.CardActionHandler({ ...opts, logger: silent, loggerLevel: lark.LoggerLevel.error }, async (data: any) => {
    cards.push(data);
    return { toast: { type: 'success', content: `got ${data.action.value.action}` } };
  });
  const onEvent = lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge });
  const onCard = lark.adaptDefault('/webhook/card', cardHandler, { autoChallenge });
  const server = http.createServer((req, res) => {
    void onEvent(req, res);
    void onCard(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, events, cards, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the official SDK receives what the emulator pushes (encrypted and signed)', () => {
  const KEY = 'sdk-compat-encrypt-key';
  const TOKEN = 'sdk-compat-verification-token';
  let emu: EmulatorHandle;
  let app: Awaited<ReturnType<typeof sdkApp>>;

  beforeAll(async () => {
    app = await sdkApp({ encryptKey: KEY, verificationToken: TOKEN });
    emu = await startEmulator({ port: 0, encryptKey: KEY, verificationToken: TOKEN });
  });
  afterAll(async () => {
    await emu.close();
    await app.close();
  });

  it('answers the encrypted url_verification of both URLs (autoChallenge)', async () => {
    const res = await control(emu).call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${app.url}/webhook/event`, card_url: `${app.url}/webhook/card` });
    expect(res.body.verification.event_url.verified).toBe(true);
    expect(res.body.verification.card_url.verified).toBe(true);
  });

  it('EventDispatcher verifies the signature, decrypts and dispatches im.message.receive_v1', async () => {
    const alice = emu.state.users.find((u) => u.user_id === 'alice')!;
    const chat = [...emu.state.chats.values()].find((c) => c.chat_mode === 'group')!;
    const res = await control(emu).call('POST', `/__emulator/chats/${chat.chat_id}/messages`, { sender: alice.open_id, text: '@_bot /ping' });
    await waitUntil(() => app.events.length === 1);
    const data = app.events[0];
    expect(data.event_id).toBe(res.body.event_ids[0]);
    expect(data.message.chat_id).toBe(chat.chat_id);
    expect(JSON.parse(data.message.content)).toEqual({ text: '@_user_1 /ping' });
    expect(data.sender.sender_id.open_id).toBe(alice.open_id);
  });

  it('a dispatcher with the wrong key rejects the push (the signature is really checked)', async () => {
    // No autoChallenge: the SDK's challenge path throws (and never answers) on a key it cannot decrypt with.
    const wrong = await sdkApp({ encryptKey: 'not-the-key' }, false);
    await control(emu).call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${wrong.url}/webhook/event` });
    const alice = emu.state.users.find((u) => u.user_id === 'alice')!;
    const res = await control(emu).call('POST', `/__emulator/users/${alice.open_id}/messages`, { text: 'hello' });
    await waitUntil(async () => (await control(emu).call('GET', `/__emulator/events?event_id=${res.body.event_ids[0]}`)).body.events[0].attempts.length === 1);
    expect(wrong.events).toHaveLength(0);
    await wrong.close();
    await control(emu).call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${app.url}/webhook/event` });
  });

  it('CardActionHandler gets card.action.trigger and its toast comes back to the user', async () => {
    const bob = emu.state.users.find((u) => u.user_id === 'bob')!;
    const chat = [...emu.state.chats.values()].find((c) => c.chat_mode === 'group')!;
    const msg = insertMessage(emu.context, {
      chat,
      sender: { id: emu.app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: emu.tenantKey },
      msgType: 'interactive',
      content: JSON.stringify({ elements: [{ tag: 'action', actions: [{ tag: 'button', value: { action: 'ack' } }] }] }),
    });
    const res = await control(emu).call('POST', `/__emulator/messages/${msg.message_id}/actions`, { operator: bob.open_id, value: { action: 'ack' } });
    expect(res.body).toMatchObject({ status: 200, toast: { type: 'success', content: 'got ack' } });
    expect(app.cards[0]).toMatchObject({ event_type: 'card.action.trigger', operator: { open_id: bob.open_id }, action: { value: { action: 'ack' }, tag: 'button' }, context: { open_message_id: msg.message_id } });
  });
});

describe('store app: app_ticket reaches an ISV client through its EventDispatcher', () => {
  const store = { appId: 'cli_0123456789abcdef', appSecret: 'store-secret-xyz', encryptKey: 'store-key', verificationToken: 'store-vt' };
  let emu: EmulatorHandle;
  let app: Awaited<ReturnType<typeof sdkApp>>;
  const cache = new lark.DefaultCache();

  beforeAll(async () => {
    app = await sdkApp({ encryptKey: store.encryptKey, verificationToken: store.verificationToken, cache });
    emu = await startEmulator({
      port: 0,
      extraApps: [{ ...store, type: 'store', tenantKeys: ['tenant_a'], eventUrl: `${app.url}/webhook/event` }],
    });
  });
  afterAll(async () => {
    await emu.close();
    await app.close();
  });

  it('the client asks for a ticket, the dispatcher caches the pushed ticket, and API calls then work', async () => {
    // Constructing an ISV client with no cached ticket makes the SDK call app_ticket/resend.
    const client = sdkClient(emu, { appId: store.appId, appSecret: store.appSecret, appType: lark.AppType.ISV, cache });
    await waitUntil(async () => Boolean(await cache.get(lark.CAppTicket, { namespace: store.appId })));
    expect(await cache.get(lark.CAppTicket, { namespace: store.appId })).toBe(emu.state.appTickets.get(store.appId));
    const res = await client.im.chat.list({}, lark.withTenantKey('tenant_a'));
    expect(res.code).toBe(0);
  });
});
