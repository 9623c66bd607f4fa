import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encrypt, eventSignature, signPush } from '../../src/events/index.js';
import { APP_ID, ENCRYPT_KEY, TOKEN, startReceiver, v2Event } from '../helpers/receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Feishu-style headers for a given raw body, with overridable parts. */
function headersFor(body: string, o: { key?: string; ts?: number; nonce?: string } = {}) {
  const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? Math.random().toString(36).slice(2);
  return { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': eventSignature(ts, nonce, o.key ?? ENCRYPT_KEY, body) };
}
const encrypted = (obj: unknown, key = ENCRYPT_KEY) => JSON.stringify({ encrypt: encrypt(JSON.stringify(obj), key) });

describe('bad input to the receiver (encrypt key + verification token + app id configured)', () => {
  let r: Receiver;
  let rejectionsBefore = 0;
  const cardCalls: unknown[] = [];

  beforeAll(async () => {
    r = await startReceiver({ onCardAction: async (a) => (cardCalls.push(a), { toast: { type: 'info', content: 'ok' } }) });
  });
  afterAll(() => r.close());

  // After every bad request the process still serves: a valid event right after is accepted and stored.
  afterEach(async () => {
    const ev = v2Event();
    const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
    const res = await r.post('/webhook/event', body, headers);
    expect(res.status).toBe(200);
    expect((await r.inbox.get(ev.header.event_id))?.status).toBeDefined();
  });

  const rejectedWith = (status: number, reason: RegExp) => {
    const lines = r.logs.filter((l) => l.msg === 'inbound push rejected').slice(rejectionsBefore);
    rejectionsBefore += lines.length;
    expect(lines.at(-1)).toMatchObject({ status, reason: expect.stringMatching(reason) });
  };

  it('malformed JSON → 400', async () => {
    const res = await r.post('/webhook/event', '{"encrypt": "abc"', headersFor('{"encrypt": "abc"'));
    expect(res.status).toBe(400);
    rejectedWith(400, /malformed JSON/);
    expect((await r.post('/webhook/card', 'not json at all')).status).toBe(400);
    rejectedWith(400, /malformed JSON/);
    expect((await r.post('/webhook/event', '[1,2]')).status).toBe(400);
    rejectedWith(400, /not a JSON object/);
    expect((await r.post('/webhook/event', '')).status).toBe(400);
    rejectedWith(400, /malformed JSON/);
  });

  it('missing signature → 401', async () => {
    const body = encrypted(v2Event());
    const res = await r.post('/webhook/event', body);
    expect(res.status).toBe(401);
    rejectedWith(401, /missing X-Lark-Signature/);
  });

  it('wrong signature (other key, or a body changed after signing) → 401', async () => {
    const body = encrypted(v2Event());
    expect((await r.post('/webhook/event', body, headersFor(body, { key: 'not-the-key' }))).status).toBe(401);
    rejectedWith(401, /signature mismatch/);
    const signedFor = encrypted(v2Event());
    expect((await r.post('/webhook/event', body, headersFor(signedFor))).status).toBe(401);
    rejectedWith(401, /signature mismatch/);
    // Same JSON, different bytes (pretty-printed): the signature is over the raw body, so it no longer matches.
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect((await r.post('/webhook/event', pretty, headersFor(body))).status).toBe(401);
    rejectedWith(401, /signature mismatch/);
  });

  it('stale and future timestamps → 401 (inside the window → 200)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = encrypted(v2Event());
    expect((await r.post('/webhook/event', stale, headersFor(stale, { ts: now - 301 }))).status).toBe(401);
    rejectedWith(401, /stale timestamp/);
    const future = encrypted(v2Event());
    expect((await r.post('/webhook/event', future, headersFor(future, { ts: now + 301 }))).status).toBe(401);
    rejectedWith(401, /future/);
    const junk = encrypted(v2Event());
    expect((await r.post('/webhook/event', junk, { ...headersFor(junk), 'x-lark-request-timestamp': 'yesterday' })).status).toBe(401);
    rejectedWith(401, /signature mismatch|epoch seconds/);
    const fine = encrypted(v2Event());
    expect((await r.post('/webhook/event', fine, headersFor(fine, { ts: now - 200 }))).status).toBe(200);
  });

  it('a byte-identical re-send of a stored event (same timestamp, nonce and signature) → 200, stored once', async () => {
    const ev = v2Event();
    const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/event', body, headers)).status).toBe(200);
    // Feishu re-sends with the same headers when it missed our 200: an event already stored is a duplicate, not an attack.
    expect((await r.post('/webhook/event', body, headers)).status).toBe(200);
    expect((await r.post('/webhook/card', body, headers)).status).toBe(200);
    expect(r.logs.filter((l) => l.msg === 'duplicate event dropped' && l.event_id === ev.header.event_id)).toHaveLength(2);
    expect(r.logs.some((l) => l.msg === 'inbound push rejected' && /replayed/.test(l.reason))).toBe(false);
    expect((await r.inbox.get(ev.header.event_id))?.status).toBe('pending');
  });

  it('a card callback replayed on the wire, with no durable answer store configured → 401 (the nonce cache is the only guard)', async () => {
    const calls = cardCalls.length;
    const { body, headers } = signPush(v2Event('card.action.trigger'), { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/card', body, headers)).status).toBe(200);
    expect((await r.post('/webhook/card', body, headers)).status).toBe(401);
    rejectedWith(401, /replayed card callback/);
    expect(cardCalls.length).toBe(calls + 1);
  });

  it('wrong verification token in a correctly signed v2 event → 401', async () => {
    const { body, headers } = signPush(v2Event('im.message.receive_v1', { token: 'forged' }), { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/event', body, headers)).status).toBe(401);
    rejectedWith(401, /wrong verification token/);
  });

  it('url_verification with a wrong token → 401 (plain and encrypted); the right one gets the challenge', async () => {
    const bad = { challenge: 'c-1', token: 'forged', type: 'url_verification' };
    expect((await r.post('/webhook/event', JSON.stringify(bad))).status).toBe(401);
    rejectedWith(401, /url_verification with a wrong verification token/);
    expect((await r.post('/webhook/event', encrypted(bad))).status).toBe(401);
    rejectedWith(401, /url_verification with a wrong verification token/);
    const good = { challenge: 'c-2', token: TOKEN, type: 'url_verification' };
    expect(await r.post('/webhook/event', encrypted(good))).toMatchObject({ status: 200, json: { challenge: 'c-2' } });
    expect(await r.post('/webhook/card', JSON.stringify(good))).toMatchObject({ status: 200, json: { challenge: 'c-2' } });
    // Encrypted with a key we do not have: not authentic.
    expect((await r.post('/webhook/event', encrypted(good, 'someone-elses-key'))).status).toBe(401);
    rejectedWith(401, /cannot decrypt/);
  });

  it('old card callback: sha1 signature missing or made with a wrong token → 401; right → handled', async () => {
    const card = { open_id: 'ou_1', user_id: 'u1', open_message_id: 'om_1', tenant_key: 't', token: 'c-123', action: { value: { k: 'approve' }, tag: 'button' } };
    expect((await r.post('/webhook/card', JSON.stringify(card))).status).toBe(401);
    rejectedWith(401, /old card callback without X-Lark-Signature/);
    const forged = signPush(card, { oldCard: true, verificationToken: 'forged' });
    expect((await r.post('/webhook/card', forged.body, forged.headers)).status).toBe(401);
    rejectedWith(401, /sha1/);
    const good = signPush(card, { oldCard: true, verificationToken: TOKEN });
    const before = cardCalls.length;
    expect(await r.post('/webhook/card', good.body, good.headers)).toMatchObject({ status: 200, json: { toast: { content: 'ok' } } });
    expect(cardCalls.length).toBe(before + 1);
  });

  it('oversized body → 413', async () => {
    const huge = JSON.stringify({ encrypt: 'A'.repeat(1024 * 1024 + 10) });
    const res = await r.post('/webhook/event', huge, headersFor(huge));
    expect(res.status).toBe(413);
    rejectedWith(413, /body larger than/);
  });

  it('unknown event type → 200 and stored (the dispatcher decides)', async () => {
    const ev = v2Event('vendor.something.new_v9');
    const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
    expect(await r.post('/webhook/event', body, headers)).toMatchObject({ status: 200, json: {} });
    expect(await r.inbox.get(ev.header.event_id)).toMatchObject({ type: 'vendor.something.new_v9', status: 'pending' });
  });

  it('unknown body shape (authentic but not an event) → 400', async () => {
    const { body, headers } = signPush({ hello: 'world' }, { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/event', body, headers)).status).toBe(400);
    rejectedWith(400, /unknown body shape/);
    // Signed with our key but the ciphertext is not ours: Feishu-side garbage → 400.
    const garbage = JSON.stringify({ encrypt: encrypt('{"x":1}', 'other-key') });
    expect((await r.post('/webhook/event', garbage, headersFor(garbage))).status).toBe(400);
    rejectedWith(400, /cannot decrypt/);
  });

  it('card callback (and event) from another app → 401', async () => {
    const card = v2Event('card.action.trigger', { appId: 'cli_someoneelse0000' });
    const { body, headers } = signPush(card, { encryptKey: ENCRYPT_KEY });
    const before = cardCalls.length;
    expect((await r.post('/webhook/card', body, headers)).status).toBe(401);
    rejectedWith(401, /another app/);
    expect(cardCalls.length).toBe(before);
    const ev = signPush(v2Event('im.message.receive_v1', { appId: 'cli_someoneelse0000' }), { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/event', ev.body, ev.headers)).status).toBe(401);
    rejectedWith(401, /another app/);
    const mine = signPush(v2Event('card.action.trigger', { appId: APP_ID }), { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/card', mine.body, mine.headers)).status).toBe(200);
  });

  it('never writes the encrypt key or the verification token to the log', () => {
    expect(r.rawLog.length).toBeGreaterThan(10);
    for (const line of r.rawLog) {
      expect(line).not.toContain(ENCRYPT_KEY);
      expect(line).not.toContain(TOKEN);
    }
  });
});

describe('bad input with a verification token only (no encrypt key: v1 and v2 plaintext)', () => {
  let r: Receiver;
  beforeAll(async () => {
    r = await startReceiver({ encryptKeys: [] });
  });
  afterAll(() => r.close());

  it('v1 event_callback with a wrong token → 401, right token → 200', async () => {
    const v1 = (token: string) => ({ ts: String(Date.now() / 1000), uuid: `u_${Math.random()}`, token, type: 'event_callback', event: { type: 'approval_instance', app_id: APP_ID, tenant_key: 't', instance_code: 'I1', status: 'APPROVED' } });
    expect((await r.post('/webhook/event', JSON.stringify(v1('forged')))).status).toBe(401);
    expect((await r.post('/webhook/event', JSON.stringify(v1('')))).status).toBe(401);
    const good = v1(TOKEN);
    expect((await r.post('/webhook/event', JSON.stringify(good))).status).toBe(200);
    expect(await r.inbox.get(good.uuid)).toMatchObject({ type: 'approval_instance' });
  });

  it('v2 event with a wrong or missing token → 401', async () => {
    expect((await r.post('/webhook/event', JSON.stringify(v2Event('im.message.receive_v1', { token: 'forged' })))).status).toBe(401);
    const noToken = v2Event() as any;
    delete noToken.header.token;
    expect((await r.post('/webhook/event', JSON.stringify(noToken))).status).toBe(401);
    expect((await r.post('/webhook/event', JSON.stringify(v2Event()))).status).toBe(200);
  });

  it('an encrypted body when no encrypt key is configured → 400', async () => {
    expect((await r.post('/webhook/event', encrypted(v2Event()))).status).toBe(400);
  });
});

describe('receiver configuration', () => {
  it('refuses to start with neither an encrypt key nor a verification token', async () => {
    await expect(startReceiver({ encryptKeys: [], verificationTokens: [] })).rejects.toThrow(/FEISHU_ENCRYPT_KEY/);
  });
});
