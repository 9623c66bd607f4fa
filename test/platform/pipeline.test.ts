import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/index.js';
import { FeishuApiError, paginate, requestOptions } from '../../src/platform/index.js';
import { addGroup, demoChat } from '../helpers/im.js';
import { calls, platformFor, TOKEN_PATH } from '../helpers/platform.js';
import { useEmulator } from '../helpers/emulator.js';

const env = useEmulator();

const CHATS = '/open-apis/im/v1/chats';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
const failure = (p: Promise<unknown>) => p.then(() => expect.fail('expected a FeishuApiError'), (e: unknown) => e as FeishuApiError);

describe('errors', () => {
  it('HTTP 200 with code != 0 throws (the SDK would return it silently), with log id and troubleshooter', async () => {
    const platform = platformFor(env.emu);
    await env.ctl.fault({ method: 'GET', path: CHATS, status: 200, code: 232011, msg: 'operator not in chat', count: 1 });
    const err = await failure(platform.sdk.im.v1.chat.list({}));
    expect(err).toBeInstanceOf(FeishuApiError);
    expect(err).toMatchObject({ code: 232011, msg: 'operator not in chat', httpStatus: 200, method: 'GET', path: CHATS, retryable: false });
    const logged = calls(env.emu, 'GET', CHATS).at(-1)!;
    expect(err.logId).toBe(logged.log_id);
    expect(err.troubleshooter).toContain('code=232011');
    expect(err.explain().action).toMatch(/Add the bot/);
  });

  it('4xx bodies carry the field violations and are not retried', async () => {
    const platform = platformFor(env.emu);
    const err = await failure(
      platform.sdk.im.v1.message.create({ params: { receive_id_type: 'bogus' as 'chat_id' }, data: { receive_id: 'x', msg_type: 'text', content: '{"text":"hi"}', uuid: 'u-1' } }),
    );
    expect(err.code).toBe(99992402);
    expect(err.httpStatus).toBe(400);
    expect(err.fieldViolations[0].field).toBe('receive_id_type');
    expect(calls(env.emu, 'POST', '/open-apis/im/v1/messages')).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries reads after 5xx until they succeed', async () => {
    const platform = platformFor(env.emu);
    await env.ctl.fault({ method: 'GET', path: CHATS, status: 500, count: 2 });
    const res = await platform.sdk.im.v1.chat.list({});
    expect(res.code).toBe(0);
    expect(calls(env.emu, 'GET', CHATS).map((c) => c.status)).toEqual([500, 500, 200]);
    expect(await platform.metrics.registry.metrics()).toMatch(/feishu_hub_api_retries_total\{api="GET \/open-apis\/im\/v1\/chats",reason="server"\} 2/);
  });

  it('does not repeat a write without an idempotency key after a 5xx, but does with a uuid', async () => {
    const platform = platformFor(env.emu);
    await env.ctl.fault({ method: 'POST', path: CHATS, status: 503, count: 1 });
    const err = await failure(platform.sdk.im.v1.chat.create({ data: { name: 'no uuid' } }));
    expect(err.httpStatus).toBe(503);
    expect(err.retryable).toBe(true); // transient, but only the caller knows whether repeating is safe
    expect(calls(env.emu, 'POST', CHATS)).toHaveLength(1);

    await env.ctl.fault({ method: 'POST', path: CHATS, status: 503, count: 1, after: true });
    const res = await platform.sdk.im.v1.chat.create({ params: { uuid: 'create-once-1' }, data: { name: 'with uuid' } });
    expect(res.data?.chat_id).toMatch(/^oc_/);
    expect([...env.emu.state.chats.values()].filter((c) => c.name === 'with uuid')).toHaveLength(1);
  });

  it('a send whose answer was lost (processed, then 5xx) is retried with the same uuid: one message', async () => {
    const platform = platformFor(env.emu);
    const chat = demoChat(env.emu).chat_id;
    await env.ctl.fault({ method: 'POST', path: '/open-apis/im/v1/messages', status: 502, count: 2, after: true });
    const res = await platform.sdk.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: chat, msg_type: 'text', content: JSON.stringify({ text: 'exactly once' }), uuid: 'send-once-1' },
    });
    expect(res.data?.chat_id).toBe(chat);
    expect([...env.emu.state.messages.values()].filter((m) => m.content.includes('exactly once'))).toHaveLength(1);
    expect(calls(env.emu, 'POST', '/open-apis/im/v1/messages')).toHaveLength(3);
  });

  it('an explicitly idempotent write is retried', async () => {
    const platform = platformFor(env.emu);
    const chat = addGroup(env.emu, { name: 'to update' }).chat_id;
    await env.ctl.fault({ method: 'PUT', path: `${CHATS}/:chat_id`, status: 500, count: 1 });
    await platform.sdk.im.v1.chat.update({ path: { chat_id: chat }, data: { description: 'set twice is fine' } }, requestOptions({ idempotent: true }));
    expect(env.emu.state.chats.get(chat)!.description).toBe('set twice is fine');
  });

  it('waits for the reset after a 429 and retries any method (a refused request was not processed)', async () => {
    const platform = platformFor(env.emu);
    await env.ctl.fault({ method: 'POST', path: CHATS, status: 429, count: 2 });
    const res = await platform.sdk.im.v1.chat.create({ data: { name: 'after 429' } });
    expect(res.code).toBe(0);
    expect(calls(env.emu, 'POST', CHATS).map((c) => c.status)).toEqual([429, 429, 200]);
    expect(await platform.metrics.registry.metrics()).toMatch(/feishu_hub_api_rate_limited_total\{api="POST \/open-apis\/im\/v1\/chats"\} 2/);
  });

  it('refreshes the token and retries once when Feishu says it is invalid', async () => {
    const platform = platformFor(env.emu);
    await platform.sdk.im.v1.chat.list({});
    await env.ctl.call('POST', '/__emulator/tokens/invalidate', {});
    expect((await platform.sdk.im.v1.chat.list({})).code).toBe(0);
    expect(calls(env.emu, 'POST', TOKEN_PATH)).toHaveLength(2);
    // Refused again with the fresh token: not an endless loop.
    await env.ctl.fault({ method: 'GET', path: CHATS, status: 400, code: 99991663, count: 5 });
    const err = await failure(platform.sdk.im.v1.chat.list({}));
    expect(err.code).toBe(99991663);
    expect(calls(env.emu, 'GET', CHATS).filter((c) => c.fault && c.code === 99991663)).toHaveLength(2);
  });

  it('times out slow answers (code -2) and retries reads', async () => {
    const platform = platformFor(env.emu, { timeoutMs: 100 });
    await env.ctl.fault({ method: 'GET', path: CHATS, delay_ms: 400, count: 1 });
    expect((await platform.sdk.im.v1.chat.list({})).code).toBe(0);
    const once = platformFor(env.emu, { timeoutMs: 100, retry: false });
    await env.ctl.fault({ method: 'GET', path: CHATS, delay_ms: 400, count: 1 });
    const err = await failure(once.sdk.im.v1.chat.list({}));
    expect(err.code).toBe(-2);
    expect(err.retryable).toBe(true);
  });

  it('reports an unreachable domain as a network error (code -1) after retrying', async () => {
    const port = await closedPort();
    const platform = platformFor(env.emu, { domain: `http://127.0.0.1:${port}`, retry: { retries: 2, baseMs: 1, capMs: 2 } });
    const err = await failure(platform.sdk.im.v1.chat.list({}));
    expect(err.code).toBe(-1);
    expect(err.msg).toMatch(/ECONNREFUSED/);
    expect(err.explain().action).toMatch(/FEISHU_DOMAIN/);
    expect(await platform.metrics.registry.metrics()).toMatch(/reason="network"\} 2/);
  });
});

describe('pagination', () => {
  it('throws on a failed page instead of ending quietly like the SDK iterator', async () => {
    const platform = platformFor(env.emu);
    for (let i = 0; i < 4; i++) addGroup(env.emu, { name: `group ${i}` });
    const all: unknown[] = [];
    for await (const c of paginate((page_token) => platform.sdk.im.v1.chat.list({ params: { page_size: 2, page_token } }))) all.push(c);
    expect(all).toHaveLength(5);

    const seen: unknown[] = [];
    const run = async () => {
      for await (const c of paginate((page_token) => platform.sdk.im.v1.chat.list({ params: { page_size: 2, page_token } }))) {
        seen.push(c);
        if (seen.length === 2) await env.ctl.fault({ method: 'GET', path: CHATS, status: 400, code: 99992402, count: 1 });
      }
    };
    const err = await failure(run());
    expect(err.code).toBe(99992402);
    expect(seen).toHaveLength(2);
  });
});

describe('secrets', () => {
  it('no log line or error carries the app secret or a token', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const logger = createLogger({ level: 'trace', destination });
    const platform = platformFor(env.emu, { logger });
    await env.ctl.fault({ method: 'GET', path: CHATS, status: 500, count: 2 });
    await platform.sdk.im.v1.chat.list({});
    await env.ctl.fault({ method: 'GET', path: CHATS, status: 400, code: 99991663, count: 1 });
    await platform.sdk.im.v1.chat.list({});
    const token = await platform.tokens.tenantToken();
    const bad = platformFor(env.emu, { logger, appSecret: 'a-wrong-secret-0000' });
    const err = await failure(bad.sdk.im.v1.chat.list({}));
    expect(lines.length).toBeGreaterThan(2);
    const everything = lines.join('\n') + JSON.stringify(err) + err.stack;
    for (const secret of [env.emu.app.appSecret, 'a-wrong-secret-0000', token]) expect(everything).not.toContain(secret);
  });
});
