import { afterEach, describe, expect, it } from 'vitest';
import { encrypt, signPush, type CardAction } from '../../src/events/index.js';
import { APP_ID, ENCRYPT_KEY, TOKEN, startReceiver, v2Event } from '../helpers/receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let r: Receiver | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('receiver: accepted pushes', () => {
  it('stores an encrypted v2 event before answering 200 {}; a re-send is acked and stored once', async () => {
    r = await startReceiver();
    const ev = v2Event();
    const first = signPush(ev, { encryptKey: ENCRYPT_KEY });
    expect(await r.post('/webhook/event', first.body, first.headers)).toMatchObject({ status: 200, json: {} });
    const item = await r.inbox.get(ev.header.event_id);
    expect(item).toMatchObject({ type: 'im.message.receive_v1', source: 'webhook', status: 'pending' });
    // The decrypted envelope, with the verification token blanked (a secret: not kept in the database).
    expect(item!.payload).toEqual({ ...ev, header: { ...ev.header, token: '' } });
    const raw = (await r.store.db.selectFrom('inbox').select('payload').where('event_id', '=', ev.header.event_id).executeTakeFirstOrThrow()).payload;
    expect(raw).not.toContain(TOKEN);
    const again = signPush(ev, { encryptKey: ENCRYPT_KEY });
    expect(await r.post('/webhook/event', again.body, again.headers)).toMatchObject({ status: 200, json: {} });
    expect((await r.inbox.stats()).pending).toBe(1);
  });

  it('blanks the verification token of a pretty-printed plaintext v1 event before storing it', async () => {
    r = await startReceiver({ encryptKeys: [] });
    const v1 = { ts: '1700000000.1', uuid: 'u-pretty', token: TOKEN, type: 'event_callback', event: { type: 'approval_instance', app_id: APP_ID, status: 'APPROVED' } };
    expect((await r.post('/webhook/event', JSON.stringify(v1, null, 2))).status).toBe(200);
    const raw = (await r.store.db.selectFrom('inbox').select('payload').where('event_id', '=', 'u-pretty').executeTakeFirstOrThrow()).payload;
    expect(raw).not.toContain(TOKEN);
    expect(JSON.parse(raw)).toEqual({ ...v1, token: '' });
  });

  it('accepts either key and either token while rotating them', async () => {
    r = await startReceiver({ encryptKeys: ['old-key-123', ENCRYPT_KEY], verificationTokens: ['old-token-123', TOKEN] });
    for (const [key, token] of [
      ['old-key-123', 'old-token-123'],
      [ENCRYPT_KEY, TOKEN],
      ['old-key-123', TOKEN],
    ]) {
      const ev = v2Event('im.message.receive_v1', { token });
      const { body, headers } = signPush(ev, { encryptKey: key });
      expect((await r.post('/webhook/event', body, headers)).status).toBe(200);
    }
    expect((await r.inbox.stats()).pending).toBe(3);
  });

  it('answers url_verification in plaintext, whether the challenge came encrypted or not', async () => {
    r = await startReceiver();
    const challenge = { challenge: 'ajls384kdjx', token: TOKEN, type: 'url_verification' };
    const enc = JSON.stringify({ encrypt: encrypt(JSON.stringify(challenge), ENCRYPT_KEY) });
    expect(await r.post('/webhook/event', enc)).toMatchObject({ status: 200, json: { challenge: 'ajls384kdjx' } });
    // With only an encrypt key configured, decrypting with it is the proof.
    await r.close();
    r = await startReceiver({ verificationTokens: [] });
    expect(await r.post('/webhook/event', enc)).toMatchObject({ status: 200, json: { challenge: 'ajls384kdjx' } });
    expect((await r.post('/webhook/event', JSON.stringify(challenge))).status).toBe(401);
  });

  it('routes card callbacks (new and old format) to the handler, not the inbox, and returns its answer', async () => {
    const seen: CardAction[] = [];
    r = await startReceiver({
      onCardAction: async (a) => {
        seen.push(a);
        return { toast: { type: 'success', content: 'Approved' } };
      },
    });
    const card = v2Event('card.action.trigger');
    const { body, headers } = signPush(card, { encryptKey: ENCRYPT_KEY });
    // The same app may use one URL for events and callbacks: /webhook/event routes cards too.
    for (const path of ['/webhook/card', '/webhook/event']) {
      const again = path === '/webhook/card' ? { body, headers } : signPush(card, { encryptKey: ENCRYPT_KEY });
      expect(await r.post(path, again.body, again.headers)).toMatchObject({ status: 200, json: { toast: { content: 'Approved' } } });
    }
    expect(seen[0]).toMatchObject({ schema: 'v2', id: card.header.event_id, appId: APP_ID, payload: card });
    const old = { open_id: 'ou_1', open_message_id: 'om_1', tenant_key: 't', token: 'c-1', action: { value: { k: 1 }, tag: 'button' } };
    const signed = signPush(old, { oldCard: true, verificationToken: TOKEN });
    await r.post('/webhook/card', signed.body, { ...signed.headers, 'x-refresh-token': 'rt-1' });
    expect(seen[2]).toMatchObject({ schema: 'v1', id: 'rt-1', payload: old });
    expect(await r.inbox.stats()).toEqual({ pending: 0, processing: 0, done: 0, dead: 0 });
  });

  it('answers {} within the budget when the card handler is slow, and lets the handler finish', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let release!: () => void;
    r = await startReceiver({
      cardBudgetMs: 50,
      onCardAction: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finish();
        return { toast: { type: 'info', content: 'too late' } };
      },
    });
    const { body, headers } = signPush(v2Event('card.action.trigger'), { encryptKey: ENCRYPT_KEY });
    expect(await r.post('/webhook/card', body, headers)).toMatchObject({ status: 200, json: {} });
    release();
    await finished; // the handler was not cancelled
    expect(r.logs.some((l) => /slower than the budget/.test(l.msg))).toBe(true);
  });

  it('a card handler that throws gets {} and an error log, not a hang', async () => {
    r = await startReceiver({
      onCardAction: async () => {
        throw new Error('handler bug');
      },
    });
    const { body, headers } = signPush(v2Event('card.action.trigger'), { encryptKey: ENCRYPT_KEY });
    expect(await r.post('/webhook/card', body, headers)).toMatchObject({ status: 200, json: {} });
    expect(r.logs.some((l) => l.level === 50 && /card action handler failed/.test(l.msg))).toBe(true);
  });

  it('answers 500 when the inbox cannot store the event, and accepts Feishu\'s identical re-send later', async () => {
    r = await startReceiver();
    // A real storage failure: every insert into the inbox aborts until the trigger is dropped.
    r.store.sqlite!.exec("CREATE TRIGGER inbox_full BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const ev = v2Event();
    const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
    expect((await r.post('/webhook/event', body, headers)).status).toBe(500);
    expect(r.logs.some((l) => l.level === 50 && /could not store the event/.test(l.msg) && l.event_id === ev.header.event_id)).toBe(true);
    expect(await r.inbox.get(ev.header.event_id)).toBeUndefined();
    r.store.sqlite!.exec('DROP TRIGGER inbox_full');
    expect((await r.post('/webhook/event', body, headers)).status).toBe(200);
    expect(await r.inbox.get(ev.header.event_id)).toBeDefined();
  });

  it('keeps acking and storing every event if the inbox writer thread dies mid-burst', async () => {
    r = await startReceiver();
    const events = [...Array(41)].map(() => v2Event());
    const post = (ev: ReturnType<typeof v2Event>) => {
      const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
      return r!.post('/webhook/event', body, headers);
    };
    const first = await post(events[0]); // the writer thread is running now
    const firstHalf = events.slice(1, 21).map(post);
    await new Promise((done) => setTimeout(done, 5));
    void (r.store.writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const secondHalf = events.slice(21).map(post);
    const statuses = [first, ...(await Promise.all([...firstHalf, ...secondHalf]))].map((p) => p.status);
    expect(statuses).toEqual(events.map(() => 200));
    expect(r.store.writer!.failed).toBe(true);
    for (const ev of events) expect(await r.inbox.get(ev.header.event_id)).toBeDefined();
    // And a forgery is still refused on the fallback path.
    const forged = signPush(v2Event(), { encryptKey: 'not-the-key' });
    expect((await r.post('/webhook/event', forged.body, forged.headers)).status).toBe(401);
  });

  it('with allowUnverified and no secrets, plaintext pushes are accepted (local experiments)', async () => {
    r = await startReceiver({ encryptKeys: [], verificationTokens: [], allowUnverified: true });
    const ev = v2Event();
    expect((await r.post('/webhook/event', JSON.stringify(ev))).status).toBe(200);
  });
});
