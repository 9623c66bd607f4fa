import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawJson, useEmulator } from '../helpers/emulator.js';
import { demoChat, user } from '../helpers/im.js';

const env = useEmulator();

const SUCCESS = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };

/** The documented signature, computed here independently: HMAC-SHA256 keyed by "timestamp\nsecret" over nothing. */
const sign = (timestamp: string, secret: string) => createHmac('sha256', `${timestamp}\n${secret}`).digest('base64');

async function newBot(body: Record<string, unknown> = {}) {
  const r = await env.ctl.call('POST', '/__emulator/webhook-bots', { chat_id: demoChat(env.emu).chat_id, ...body });
  expect(r.status).toBe(200);
  return r.body as { token: string; url: string };
}

const post = (url: string, body: unknown) => rawJson(url, 'POST', body);
const emulatorSeconds = async () => String(Math.floor((await env.ctl.state()).now / 1000));
const messagesOfChat = (chatId: string) => [...env.emu.state.messages.values()].filter((m) => m.chat_id === chatId);

describe('custom bot webhook: POST /open-apis/bot/v2/hook/:token', () => {
  it('posts a text into the group as an app, answering the legacy+new success body', async () => {
    const bot = await newBot({ name: 'CI' });
    expect(bot.url).toBe(`${env.emu.url}/open-apis/bot/v2/hook/${bot.token}`);
    const bob = user(env.emu, 'bob');
    const r = await post(bot.url, { msg_type: 'text', content: { text: `build green <at user_id="${bob.open_id}">Bob</at>` } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(SUCCESS);
    const [msg] = messagesOfChat(demoChat(env.emu).chat_id);
    expect(msg).toMatchObject({ msg_type: 'text', sender: { id_type: 'app_id', sender_type: 'app', tenant_key: env.emu.tenantKey } });
    expect(msg.sender.id).toMatch(/^cli_[0-9a-f]{16}$/);
    expect(msg.mentions.map((m) => m.id)).toEqual([bob.open_id]);

    // The app sees it in the chat history like any other message.
    const history = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: demoChat(env.emu).chat_id } });
    expect(history.data!.items!.map((m) => JSON.parse(m.body!.content!).text)).toEqual(['build green @_user_1']);
  });

  it('takes post, image, share_chat and interactive (card JSON or template) messages', async () => {
    const bot = await newBot();
    const bodies = [
      { msg_type: 'post', content: { post: { zh_cn: { title: '上线', content: [[{ tag: 'text', text: 'v1.2 ' }, { tag: 'a', text: 'notes', href: 'https://example.com' }]] } } } },
      { msg_type: 'image', content: { image_key: 'img_v2_0123' } },
      { msg_type: 'share_chat', content: { share_chat_id: demoChat(env.emu).chat_id } },
      { msg_type: 'interactive', card: { header: { title: { tag: 'plain_text', content: 'Alert' } }, elements: [{ tag: 'markdown', content: '**cpu** 99%' }] } },
      { msg_type: 'interactive', card: { type: 'template', data: { template_id: 'AAqk1234', template_variable: { service: 'api' } } } },
    ];
    for (const b of bodies) expect((await post(bot.url, b)).json).toEqual(SUCCESS);
    const stored = messagesOfChat(demoChat(env.emu).chat_id);
    expect(stored.map((m) => m.msg_type)).toEqual(['post', 'image', 'share_chat', 'interactive', 'interactive']);
    expect(JSON.parse(stored[0].content)).toEqual(bodies[0].content!.post);
    expect(JSON.parse(stored[2].content)).toEqual({ chat_id: demoChat(env.emu).chat_id });
    expect(JSON.parse(stored[3].content)).toEqual(bodies[3].card);
  });

  it('answers unknown tokens, bad JSON, bad msg_type, malformed content and big bodies with HTTP 200 and the documented codes', async () => {
    const bot = await newBot();
    const unknown = await post(`${env.emu.url}/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000`, { msg_type: 'text', content: { text: 'x' } });
    expect(unknown.status).toBe(200);
    expect(unknown.json).toEqual({ code: 19001, msg: 'param invalid: incoming webhook access token invalid', data: {} });

    const badJson = await rawJson(bot.url, 'POST', '{"msg_type": "text", ');
    expect(badJson.status).toBe(200);
    expect(badJson.json).toEqual({ code: 9499, msg: 'Bad Request', data: {} });
    expect((await post(bot.url, { content: { text: 'x' } })).json.code).toBe(19002);
    expect((await post(bot.url, { msg_type: 'file', content: { file_key: 'f' } })).json.code).toBe(19002);
    // The IM API's stringified content is not the webhook's envelope.
    expect((await post(bot.url, { msg_type: 'text', content: '{"text":"x"}' })).json.code).toBe(9499);
    expect((await post(bot.url, { msg_type: 'interactive', content: { elements: [] } })).json.code).toBe(9499);
    expect((await post(bot.url, { msg_type: 'share_chat', content: { share_chat_id: 'oc_other' } })).json.code).toBe(9499);

    const big = await post(bot.url, { msg_type: 'text', content: { text: 'x'.repeat(21 * 1024) } });
    expect(big.json.code).toBe(19036);
    expect(messagesOfChat(demoChat(env.emu).chat_id)).toEqual([]);
  });

  it('checks the signature against the emulator clock, within one hour', async () => {
    const secret = 'webhook-secret';
    const bot = await newBot({ secret });
    const ts = await emulatorSeconds();
    expect((await post(bot.url, { timestamp: ts, sign: sign(ts, secret), msg_type: 'text', content: { text: 'signed' } })).json).toEqual(SUCCESS);

    const fail = { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} };
    expect((await post(bot.url, { timestamp: ts, sign: sign(ts, 'wrong'), msg_type: 'text', content: { text: 'x' } })).json).toEqual(fail);
    expect((await post(bot.url, { msg_type: 'text', content: { text: 'unsigned' } })).json).toEqual(fail);
    const old = String(Number(ts) - 3601);
    expect((await post(bot.url, { timestamp: old, sign: sign(old, secret), msg_type: 'text', content: { text: 'x' } })).json).toEqual(fail);
    const recent = String(Number(ts) - 3500);
    expect((await post(bot.url, { timestamp: recent, sign: sign(recent, secret), msg_type: 'text', content: { text: 'x' } })).json).toEqual(SUCCESS);

    // Two hours later on the emulator clock, a signature made from the same timestamp is stale.
    await env.ctl.advance(2 * 60 * 60 * 1000);
    expect((await post(bot.url, { timestamp: ts, sign: sign(ts, secret), msg_type: 'text', content: { text: 'x' } })).json).toEqual(fail);
    const now = await emulatorSeconds();
    expect((await post(bot.url, { timestamp: now, sign: sign(now, secret), msg_type: 'text', content: { text: 'x' } })).json).toEqual(SUCCESS);
  });

  it('needs a keyword in a text or title value, not in links', async () => {
    const bot = await newBot({ keywords: ['告警', 'deploy'] });
    const notFound = { code: 19024, msg: 'Key Words Not Found', data: {} };
    expect((await post(bot.url, { msg_type: 'text', content: { text: 'hello' } })).json).toEqual(notFound);
    expect((await post(bot.url, { msg_type: 'text', content: { text: 'CPU 告警' } })).json).toEqual(SUCCESS);
    const linkOnly = { msg_type: 'post', content: { post: { en_us: { title: 'news', content: [[{ tag: 'a', text: 'read', href: 'https://x/deploy' }]] } } } };
    expect((await post(bot.url, linkOnly)).json).toEqual(notFound);
    const titled = { msg_type: 'post', content: { post: { en_us: { title: 'deploy done', content: [[{ tag: 'text', text: 'ok' }]] } } } };
    expect((await post(bot.url, titled)).json).toEqual(SUCCESS);
    const card = { msg_type: 'interactive', card: { header: { title: { tag: 'plain_text', content: 'deploy v2' } }, elements: [] } };
    expect((await post(bot.url, card)).json).toEqual(SUCCESS);
    expect((await post(bot.url, { msg_type: 'image', content: { image_key: 'img_v2_1' } })).json).toEqual(notFound);
  });

  it('refuses callers outside the IP allow-list', async () => {
    const denied = await newBot({ ip_allowlist: ['10.0.0.0/8'] });
    expect((await post(denied.url, { msg_type: 'text', content: { text: 'x' } })).json).toEqual({ code: 19022, msg: 'Ip Not Allowed', data: {} });
    const allowed = await newBot({ ip_allowlist: ['127.0.0.*'] });
    expect((await post(allowed.url, { msg_type: 'text', content: { text: 'x' } })).json).toEqual(SUCCESS);
  });

  it('limits each bot to 5 messages a second and 100 a minute (11232)', async () => {
    const bot = await newBot();
    const other = await newBot();
    const send = (url = bot.url) => post(url, { msg_type: 'text', content: { text: 'x' } });
    // Start at the top of an emulator minute, then move the clock one second per burst of five.
    const now = (await env.ctl.state()).now;
    await env.ctl.advance(60_000 - (now % 60_000) + 1);
    for (let i = 0; i < 5; i++) expect((await send()).json.code).toBe(0);
    expect((await send()).json).toEqual({ code: 11232, msg: 'create message service trigger rate limit', data: {} });
    expect((await send(other.url)).json.code).toBe(0); // per bot
    for (let s = 1; s < 20; s++) {
      await env.ctl.advance(1000);
      for (let i = 0; i < 5; i++) expect((await send()).json.code).toBe(0);
    }
    await env.ctl.advance(1000);
    expect((await send()).json.code).toBe(11232); // 100 in this minute already
  });

  it('stops working when its group is disbanded, and hides secrets in the state', async () => {
    const chatId = (await env.client.im.chat.create({ data: { name: 'temporary' } })).data!.chat_id!;
    const r = await env.ctl.call('POST', '/__emulator/webhook-bots', { chat_id: chatId, secret: 's3cret', keywords: ['x'] });
    const state = await env.ctl.state();
    const listed = state.webhook_bots.find((b: { token: string }) => b.token === r.body.token);
    expect(listed).toMatchObject({ chat_id: chatId, signed: true, keywords: ['x'] });
    expect(JSON.stringify(state.webhook_bots)).not.toContain('s3cret');

    await env.client.im.chat.delete({ path: { chat_id: chatId } });
    expect((await post(r.body.url, { msg_type: 'text', content: { text: 'x' } })).json.code).toBe(19001);

    expect((await env.ctl.call('POST', '/__emulator/webhook-bots', { chat_id: 'oc_nope' })).status).toBe(404);
    expect((await env.ctl.call('POST', '/__emulator/webhook-bots', { chat_id: chatId, keywords: Array(11).fill('k') })).status).toBe(400);
  });
});
