import { createHash } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { cardV1Signature, decrypt, encrypt, eventSignature, matchSignature, matchToken, NonceCache, signPush, toEpochMs, toInboundEvent } from '../../src/events/index.js';

describe('Feishu push crypto', () => {
  it('decrypts the documented test vector', () => {
    expect(decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key')).toBe('hello world');
  });

  it('encrypts so that our decrypt and the official SDK both read it back', () => {
    const plain = JSON.stringify({ schema: '2.0', header: { event_id: 'e' }, event: { text: '你好 🌏' } });
    const enc = encrypt(plain, 'k1');
    expect(decrypt(enc, 'k1')).toBe(plain);
    expect(new lark.AESCipher('k1').decrypt(enc)).toBe(plain);
    expect(encrypt(plain, 'k1')).not.toBe(enc); // fresh IV each time
  });

  it('refuses a wrong key or a mangled ciphertext', () => {
    const enc = encrypt('{"a":1}', 'right');
    expect(() => JSON.parse(decrypt(enc, 'wrong'))).toThrow();
    expect(() => decrypt('AAAA', 'right')).toThrow(/length/);
  });

  it('signs events with sha256(ts+nonce+key+raw body) and old cards with sha1(ts+nonce+token+raw body)', () => {
    const body = '{"encrypt":"abc"}';
    expect(eventSignature('1700000000', 'n1', 'key', body)).toMatch(/^[0-9a-f]{64}$/);
    expect(eventSignature('1700000000', 'n1', 'key', Buffer.from(body))).toBe(eventSignature('1700000000', 'n1', 'key', body));
    // Same formula the SDK uses (it hashes JSON.stringify(body), equal to the raw bytes for compact JSON).
    expect(eventSignature('1', 'n', 'k', body)).toBe(createHash('sha256').update('1nk' + body).digest('hex'));
    expect(cardV1Signature('1', 'n', 't', body)).toBe(createHash('sha1').update('1nt' + body).digest('hex'));
  });

  it('accepts any of several rotating secrets, and only those', () => {
    const sig = eventSignature('1', 'n', 'new-key', 'b');
    expect(matchSignature(sig, ['old-key', 'new-key'], (s) => eventSignature('1', 'n', s, 'b'))).toBe('new-key');
    expect(matchSignature(sig.toUpperCase(), ['new-key'], (s) => eventSignature('1', 'n', s, 'b'))).toBe('new-key');
    expect(matchSignature(sig, ['old-key'], (s) => eventSignature('1', 'n', s, 'b'))).toBeUndefined();
    expect(matchToken('t2', ['t1', 't2'])).toBe(true);
    expect(matchToken('t3', ['t1', 't2'])).toBe(false);
    expect(matchToken(undefined, ['t1'])).toBe(false);
  });

  it('signPush produces what the official SDK EventDispatcher accepts', async () => {
    let got: any;
    const dispatcher = new lark.EventDispatcher({ encryptKey: 'sdk-key', loggerLevel: lark.LoggerLevel.error }).register({
      'im.message.receive_v1': async (data: any) => {
        got = data;
        return 'ok';
      },
    });
    const envelope = { schema: '2.0', header: { event_id: 'e1', event_type: 'im.message.receive_v1', token: 't' }, event: { message: { chat_id: 'oc_1' } } };
    const { body, headers } = signPush(envelope, { encryptKey: 'sdk-key' });
    const data = Object.assign(Object.create({ headers }), JSON.parse(body));
    expect(await dispatcher.invoke(data)).toBe('ok');
    expect(got.message.chat_id).toBe('oc_1');
  });
});

describe('envelope normalisation', () => {
  it('reads v2 and v1 envelopes into one InboundEvent shape', () => {
    const v2 = toInboundEvent({ schema: '2.0', header: { event_id: 'e2', event_type: 'im.message.receive_v1', tenant_key: 't', app_id: 'cli_a', create_time: '1603977298000000' }, event: {} }, 'webhook');
    expect(v2).toMatchObject({ id: 'e2', type: 'im.message.receive_v1', schema: 'v2', tenantKey: 't', appId: 'cli_a', createTime: 1603977298000, source: 'webhook' });
    const v1 = toInboundEvent({ ts: '1502199207.7171419', uuid: 'u1', token: 't', type: 'event_callback', event: { type: 'approval_instance', app_id: 'cli_a', tenant_key: 'tk' } }, 'replay');
    expect(v1).toMatchObject({ id: 'u1', type: 'approval_instance', schema: 'v1', appId: 'cli_a', tenantKey: 'tk', createTime: 1502199207717 });
    expect(toInboundEvent({ schema: '2.0', header: { event_type: 'x' } }, 'webhook')).toBeUndefined();
    expect(toInboundEvent({ type: 'event_callback', event: { type: 'x' } }, 'webhook')).toBeUndefined();
    expect(toEpochMs('1608725989000')).toBe(1608725989000);
  });

  it('the nonce cache remembers within its TTL and stays bounded', () => {
    const cache = new NonceCache(1000, 3);
    expect(cache.checkAndAdd('a', 0)).toBe(false);
    expect(cache.checkAndAdd('a', 500)).toBe(true);
    expect(cache.checkAndAdd('a', 1001)).toBe(false); // expired, recorded again
    for (const k of ['b', 'c', 'd', 'e']) cache.checkAndAdd(k, 1100);
    expect(cache.size).toBe(3);
  });
});
