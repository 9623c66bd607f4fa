import * as lark from '@larksuiteoapi/node-sdk';
import protobuf from 'protobufjs';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { control, rawJson } from '../helpers/emulator.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { insertMessage } from '../../src/emulator/im/index.js';
import { waitUntil } from './events-receiver.js';

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

let emu: EmulatorHandle;
let ctl: ReturnType<typeof control>;
const clients: lark.WSClient[] = [];

beforeAll(async () => {
  // No event URL at all: the long connection is the only way in.
  emu = await startEmulator({ port: 0 });
  ctl = control(emu);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close({ force: true });
});
afterAll(() => emu.close());

const connections = async () => (await ctl.call('GET', '/__emulator/events')).body.connections as any[];

/** An app in long-connection mode, written with the official SDK only. */
async function wsApp(handlers: Record<string, (data: any) => Promise<unknown>>) {
  const dispatcher = new lark.EventDispatcher({ logger: silent, loggerLevel: lark.LoggerLevel.error }).register(handlers as any);
  const before = new Set((await connections()).map((c) => c.id));
  const client = new lark.WSClient({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url, logger: silent, loggerLevel: lark.LoggerLevel.error });
  clients.push(client);
  void client.start({ eventDispatcher: dispatcher });
  await waitUntil(async () => (await connections()).some((c) => !before.has(c.id)), 5000, () => 'WSClient did not connect');
  // The previous test's client is gone too, so each event reaches this one.
  await waitUntil(async () => (await connections()).length === 1, 5000, () => 'old connections linger');
  return client;
}

const alice = () => emu.state.users.find((u) => u.user_id === 'alice')!;
const demoChat = () => [...emu.state.chats.values()].find((c) => c.chat_mode === 'group')!;
const logOf = async (id: string) => (await ctl.call('GET', `/__emulator/events?event_id=${id}`)).body.events[0];

describe('long connection with the official WSClient', () => {
  it('connects through /callback/ws/endpoint, pings, and receives im.message.receive_v1 as a data frame', async () => {
    const got: any[] = [];
    await wsApp({ 'im.message.receive_v1': async (d) => void got.push(d) });
    await waitUntil(async () => (await connections())[0].pings >= 1); // the SDK pings as soon as it is open
    const res = await ctl.call('POST', `/__emulator/chats/${demoChat().chat_id}/messages`, { sender: alice().open_id, text: '@_bot /status' });
    await waitUntil(() => got.length === 1);
    expect(got[0].event_id).toBe(res.body.event_ids[0]);
    expect(JSON.parse(got[0].message.content)).toEqual({ text: '@_user_1 /status' });
    await waitUntil(async () => (await logOf(res.body.event_ids[0])).delivered);
    expect((await logOf(res.body.event_ids[0])).attempts).toEqual([expect.objectContaining({ via: 'long_connection', status: 200 })]);
  });

  it('a handler that throws acks 500 and the event is retried on the emulator clock', async () => {
    let calls = 0;
    await wsApp({
      'x.flaky': async () => {
        calls++;
        if (calls === 1) throw new Error('first time fails');
      },
    });
    const { event_id } = (await ctl.call('POST', '/__emulator/events', { event_type: 'x.flaky', event: { n: 1 } })).body;
    await waitUntil(async () => (await logOf(event_id)).next_retry_at !== null);
    expect((await logOf(event_id)).attempts[0].status).toBe(500);
    await ctl.advance(15_000);
    await waitUntil(async () => (await logOf(event_id)).delivered);
    expect(calls).toBe(2);
  });

  it('splits a large event into fragments that the SDK reassembles', async () => {
    const got: any[] = [];
    await wsApp({ 'x.big': async (d) => void got.push(d) });
    const blob = 'x'.repeat(200_000);
    await ctl.call('POST', '/__emulator/events', { event_type: 'x.big', event: { blob } });
    await waitUntil(() => got.length === 1);
    expect(got[0].blob).toBe(blob);
  });

  it('card.action.trigger goes over the connection and the answer comes back in the ack', async () => {
    await wsApp({
      'card.action.trigger': async (d) => ({
        toast: { type: 'info', content: `clicked ${d.action.value.k}` },
        card: { type: 'raw', data: { elements: [{ tag: 'markdown', content: 'done' }] } },
      }),
    });
    const msg = insertMessage(emu.context, {
      chat: demoChat(),
      sender: { id: emu.app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: emu.tenantKey },
      msgType: 'interactive',
      content: JSON.stringify({ elements: [] }),
    });
    const res = await ctl.call('POST', `/__emulator/messages/${msg.message_id}/actions`, { operator: alice().open_id, value: { k: 'v' } });
    expect(res.body).toMatchObject({ via: 'long_connection', status: 200, toast: { type: 'info', content: 'clicked v' }, card_updated: true });
    expect(JSON.parse(emu.state.messages.get(msg.message_id)!.content)).toEqual({ elements: [{ tag: 'markdown', content: 'done' }] });
  });

  it('a wrong secret fails endpoint discovery with code 514 and the SDK reports it', async () => {
    const r = await rawJson(`${emu.url}/callback/ws/endpoint`, 'POST', { AppID: emu.app.appId, AppSecret: 'wrong' });
    expect(r.status).toBe(200);
    expect(r.json.code).toBe(514);
    const errors: Error[] = [];
    const client = new lark.WSClient({ appId: emu.app.appId, appSecret: 'wrong', domain: emu.url, logger: silent, onError: (e) => void errors.push(e) });
    clients.push(client);
    void client.start({ eventDispatcher: new lark.EventDispatcher({ logger: silent }) });
    await waitUntil(() => errors.length === 1);
    expect(errors[0].message).toContain('514');
  });
});

describe('long connection protocol, checked with an independent pbbp2 codec', () => {
  // The proto as documented (proto2, package pbbp2), not the emulator's copy.
  const root = protobuf.parse(`
    syntax = "proto2"; package pbbp2;
    message Header { required string key = 1; required string value = 2; }
    message Frame { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
      repeated Header headers = 5; optional string payload_encoding = 6; optional string payload_type = 7; optional bytes payload = 8; optional string LogIDNew = 9; }
  `).root;
  const Frame = root.lookupType('pbbp2.Frame');

  it('answers a ping with a pong carrying the client config, and refuses a bad ticket', async () => {
    const ep = await rawJson(`${emu.url}/callback/ws/endpoint`, 'POST', { AppID: emu.app.appId, AppSecret: emu.app.appSecret });
    expect(ep.json).toMatchObject({ code: 0, msg: 'ok', data: { ClientConfig: { PingInterval: expect.any(Number), ReconnectCount: expect.any(Number), ReconnectInterval: expect.any(Number), ReconnectNonce: expect.any(Number) } } });
    const url = new URL(ep.json.data.URL);
    expect(url.protocol).toBe('ws:');
    expect(url.searchParams.get('device_id')).toBeTruthy();
    const serviceId = Number(url.searchParams.get('service_id'));

    const ws = new WebSocket(url);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const pong = new Promise<any>((r) => ws.once('message', (data) => r(Frame.toObject(Frame.decode(data as Buffer), { longs: Number }))));
    ws.send(Frame.encode(Frame.fromObject({ SeqID: 0, LogID: 0, service: serviceId, method: 0, headers: [{ key: 'type', value: 'ping' }] })).finish());
    const f = await pong;
    expect(f.method).toBe(0);
    expect(f.headers).toEqual([{ key: 'type', value: 'pong' }]);
    expect(JSON.parse(Buffer.from(f.payload).toString())).toEqual(ep.json.data.ClientConfig);
    ws.close();

    url.searchParams.set('ticket', 'forged');
    const bad = new WebSocket(url);
    const status = await new Promise<number>((r) => bad.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)).once('error', () => r(-1)));
    expect(status).toBe(403);
  });
});
