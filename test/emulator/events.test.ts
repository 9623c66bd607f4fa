import { createDecipheriv, createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { control } from '../helpers/emulator.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startReceiver, waitUntil } from './events-receiver.js';

/** The documented algorithm, written out here independently of the emulator's code. */
function decrypt(encryptKey: string, b64: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const buf = Buffer.from(b64, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

let emu: EmulatorHandle;
let ctl: ReturnType<typeof control>;
let rx: Awaited<ReturnType<typeof startReceiver>>;
const KEY = 'events-test-encrypt-key';
const TOKEN = 'events-test-verification-token';

beforeAll(async () => {
  rx = await startReceiver();
  emu = await startEmulator({ port: 0, encryptKey: KEY, verificationToken: TOKEN, eventUrl: `${rx.url}/events` });
  ctl = control(emu);
});
afterAll(async () => {
  await emu.close();
  await rx.close();
});
beforeEach(async () => {
  await ctl.reset();
  await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { encrypt_key: KEY });
  rx.received.length = 0;
  rx.answerWith(() => ({}));
});

const inject = async (body: Record<string, unknown>) => (await ctl.call('POST', '/__emulator/events', body)).body;
const log = async (eventId: string) => (await ctl.call('GET', `/__emulator/events?event_id=${eventId}`)).body.events[0];
const openEvent = (raw: string) => JSON.parse(decrypt(KEY, JSON.parse(raw).encrypt));

describe('event pushes: wire format', () => {
  it('the documented test vector decrypts with the written-out algorithm', () => {
    expect(decrypt('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=')).toBe('hello world');
  });

  it('pushes an encrypted v2 envelope with a signature over the raw body bytes', async () => {
    const { event_id } = await inject({ event_type: 'contact.user.created_v3', event: { object: { open_id: 'ou_x', name: 'X' } } });
    const [r] = await rx.waitFor(1);
    expect(r.path).toBe('/events');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(r.json)).toEqual(['encrypt']);
    const ts = r.headers['x-lark-request-timestamp'] as string;
    const nonce = r.headers['x-lark-request-nonce'] as string;
    expect(ts).toMatch(/^\d{10}$/);
    expect(nonce).toBeTruthy();
    expect(r.headers['x-lark-signature']).toBe(sha256hex(ts + nonce + KEY + r.raw));
    // Compact JSON: what the Node SDK re-serialises is byte-identical.
    expect(JSON.stringify(r.json)).toBe(r.raw);

    const env = openEvent(r.raw);
    expect(env).toEqual({
      schema: '2.0',
      header: {
        event_id,
        event_type: 'contact.user.created_v3',
        create_time: expect.stringMatching(/^\d{13}$/),
        token: TOKEN,
        app_id: emu.app.appId,
        tenant_key: emu.tenantKey,
      },
      event: { object: { open_id: 'ou_x', name: 'X' } },
    });
    await waitUntil(async () => (await log(event_id)).delivered === true);
    const rec = await log(event_id);
    expect(rec.attempts).toEqual([expect.objectContaining({ status: 200, via: 'webhook', duration_ms: expect.any(Number) })]);
  });

  it('pushes plaintext compact JSON without a signature when the app has no encrypt key, and v1 envelopes', async () => {
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { encrypt_key: null });
    const v2 = await inject({ event_type: 'im.chat.disbanded_v1', event: { chat_id: 'oc_1' } });
    const v1 = await inject({ schema: '1.0', event_type: 'p2p_chat_create', event: { chat_id: 'oc_2' } });
    const got = await rx.waitFor(2);
    const byId = (id: string) => got.find((r) => r.json.header?.event_id === id || r.json.uuid === id)!;
    const a = byId(v2.event_id);
    expect(a.raw).toBe(JSON.stringify(a.json));
    expect(a.json.header).toMatchObject({ event_type: 'im.chat.disbanded_v1', token: TOKEN });
    expect(a.headers['x-lark-signature']).toBeUndefined();
    expect(a.headers['x-lark-request-timestamp']).toBeTruthy();
    const b = byId(v1.event_id);
    expect(b.json).toEqual({
      uuid: v1.event_id,
      token: TOKEN,
      ts: expect.stringMatching(/^\d{10}(\.\d+)?$/),
      type: 'event_callback',
      event: { type: 'p2p_chat_create', chat_id: 'oc_2' },
    });
  });

  it('refuses an injection without event_type or for an unknown app', async () => {
    expect((await ctl.call('POST', '/__emulator/events', { event: {} })).status).toBe(400);
    expect((await ctl.call('POST', '/__emulator/events', { app_id: 'cli_ffffffffffffffff', event_type: 'x', event: {} })).status).toBe(404);
  });
});

describe('event pushes: retries on the emulator clock', () => {
  it('re-pushes after 15 s, 5 min, 1 h and 6 h to a receiver answering 500, then gives up', async () => {
    rx.answerWith(() => ({ status: 500, body: 'boom' }));
    const { event_id } = await inject({ event_type: 'contact.user.updated_v3', event: { object: {} } });
    const delays = [15_000, 5 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
    for (let i = 0; i < delays.length; i++) {
      await rx.waitFor(i + 1);
      await waitUntil(async () => (await log(event_id)).next_retry_at !== null);
      const rec = await log(event_id);
      expect(rec.attempts).toHaveLength(i + 1);
      // The next push is due exactly one delay after this one.
      expect(rec.next_retry_at - rec.attempts[i].at).toBe(delays[i]);
      expect(rx.received).toHaveLength(i + 1);
      await ctl.advance(delays[i]);
    }
    await rx.waitFor(5);
    await waitUntil(async () => (await log(event_id)).gave_up === true);
    await ctl.advance(24 * 60 * 60_000);
    const rec = await log(event_id);
    expect(rx.received).toHaveLength(5);
    expect(new Set(rx.received.map((r) => openEvent(r.raw).header.event_id))).toEqual(new Set([event_id]));
    expect(rec).toMatchObject({ delivered: false, gave_up: true, next_retry_at: null });
    expect(rec.attempts.map((a: any) => a.status)).toEqual([500, 500, 500, 500, 500]);
  });

  it('stops retrying once the app answers 200', async () => {
    rx.answerWith(() => ({ status: 503 }));
    const { event_id } = await inject({ event_type: 'contact.user.updated_v3', event: {} });
    await rx.waitFor(1);
    await waitUntil(async () => (await log(event_id)).next_retry_at !== null);
    rx.answerWith(() => ({ status: 200 }));
    await ctl.advance(15_000);
    await waitUntil(async () => (await log(event_id)).delivered === true);
    await ctl.advance(7 * 60 * 60_000);
    expect(rx.received).toHaveLength(2);
    expect((await log(event_id)).attempts.map((a: any) => a.status)).toEqual([503, 200]);
  });

  it('keeps an event with nowhere to go and gives it to a URL configured before the next retry', async () => {
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: null });
    const { event_id } = await inject({ event_type: 'contact.user.deleted_v3', event: { object: { open_id: 'ou_gone' } } });
    await waitUntil(async () => (await log(event_id)).attempts.length === 1);
    expect((await log(event_id)).attempts[0]).toMatchObject({ via: 'none', error: 'no_endpoint' });
    rx.answerWith((r) => (r.json?.encrypt && openEvent(r.raw).type === 'url_verification' ? { body: JSON.stringify({ challenge: openEvent(r.raw).challenge }) } : {}));
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${rx.url}/events` });
    rx.received.length = 0; // the url_verification challenge
    await ctl.advance(15_000);
    const [r] = await rx.waitFor(1);
    expect(openEvent(r.raw).header.event_id).toBe(event_id);
    await waitUntil(async () => (await log(event_id)).delivered === true);
  });
});

describe('url_verification', () => {
  const echo = (decryptFirst: boolean) => (r: { raw: string; json: any }) => {
    const body = decryptFirst ? openEvent(r.raw) : r.json;
    return { body: JSON.stringify({ challenge: body.challenge }) };
  };

  it('sends a plaintext challenge and records that the app echoed it', async () => {
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { encrypt_key: null });
    rx.answerWith(echo(false));
    const res = await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${rx.url}/plain` });
    expect(res.body.verification.event_url).toEqual({ url: `${rx.url}/plain`, verified: true });
    const [r] = rx.received;
    expect(r.json).toEqual({ challenge: expect.any(String), token: TOKEN, type: 'url_verification' });
    expect(r.headers['x-lark-signature']).toBeUndefined();
  });

  it('sends an encrypted challenge when the app has an encrypt key', async () => {
    rx.answerWith(echo(true));
    const res = await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { card_url: `${rx.url}/card` });
    expect(res.body.verification.card_url.verified).toBe(true);
    const [r] = rx.received;
    expect(Object.keys(r.json)).toEqual(['encrypt']);
    expect(openEvent(r.raw)).toEqual({ challenge: expect.any(String), token: TOKEN, type: 'url_verification' });
  });

  it('saves the URL anyway and records verified:false when the answer is wrong', async () => {
    rx.answerWith(() => ({ body: '{"challenge":"wrong"}' }));
    const res = await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${rx.url}/wrong` });
    expect(res.body.event_url).toBe(`${rx.url}/wrong`);
    expect(res.body.verification.event_url.verified).toBe(false);
    const { verifications } = (await ctl.call('GET', '/__emulator/events')).body;
    expect(verifications).toContainEqual(expect.objectContaining({ kind: 'event_url', url: `${rx.url}/wrong`, verified: false }));
    await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${rx.url}/events` });
  });
});

describe('delivery faults', () => {
  const typeOf = (r: { raw: string }) => openEvent(r.raw).header.event_type;

  it('duplicate: the same event_id arrives twice', async () => {
    await ctl.call('POST', '/__emulator/faults/events', { duplicate: true, count: 1 });
    const { event_id } = await inject({ event_type: 'x.dup', event: {} });
    const got = await rx.waitFor(2);
    expect(got.map((r) => openEvent(r.raw).header.event_id)).toEqual([event_id, event_id]);
    await inject({ event_type: 'x.single', event: {} });
    await rx.waitFor(3);
    await waitUntil(async () => (await ctl.call('GET', '/__emulator/events?type=x.single')).body.events[0].delivered);
    expect(rx.received).toHaveLength(3);
  });

  it('reorder: a batch is held and delivered in reverse order', async () => {
    await ctl.call('POST', '/__emulator/faults/events', { reorder: 3, count: 3, event_type: 'x.seq' });
    for (const n of [1, 2, 3]) await inject({ event_type: 'x.seq', event: { n } });
    const got = await rx.waitFor(3);
    expect(got.map((r) => openEvent(r.raw).event.n)).toEqual([3, 2, 1]);
  });

  it('delay: a delayed event arrives after a later undelayed one', async () => {
    await ctl.call('POST', '/__emulator/faults/events', { delay_ms: 800, event_type: 'x.slow', count: 1 });
    await inject({ event_type: 'x.slow', event: {} });
    await inject({ event_type: 'x.fast', event: {} });
    const got = await rx.waitFor(2);
    expect(got.map(typeOf)).toEqual(['x.fast', 'x.slow']);
  });
});

describe('delivery log in the control API', () => {
  it('GET /__emulator/state lists the events; reset clears them and cancels pending retries', async () => {
    rx.answerWith(() => ({ status: 500 }));
    const { event_id } = await inject({ event_type: 'x.logged', event: {} });
    await rx.waitFor(1);
    await waitUntil(async () => (await log(event_id)).next_retry_at !== null);
    const state = await ctl.state();
    expect(state.events).toContainEqual(expect.objectContaining({ event_id, type: 'x.logged', delivered: false }));
    await ctl.reset();
    expect((await ctl.state()).events).toEqual([]);
    await ctl.advance(15_000);
    await ctl.advance(7 * 60 * 60_000);
    expect(rx.received).toHaveLength(1);
  });
});
