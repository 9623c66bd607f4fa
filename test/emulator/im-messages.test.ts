import { describe, expect, it } from 'vitest';
import { AuthState } from '../../src/emulator/auth/index.js';
import { rawJson, sdkClient, useEmulator } from '../helpers/emulator.js';
import { addGroup, demoChat, lastCall, sdkFailure, user } from '../helpers/im.js';

const env = useEmulator();

const text = (t: string) => JSON.stringify({ text: t });
const sendToChat = (chatId: string, msgType: string, content: string, uuid?: string) =>
  env.client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: msgType, content, uuid } });

describe('send: POST /open-apis/im/v1/messages', () => {
  it('sends a text to a chat and answers the message object with receive-side content and mentions', async () => {
    const alice = user(env.emu, 'alice');
    const res = await sendToChat(demoChat(env.emu).chat_id, 'text', text(`<at user_id="${alice.open_id}">Alice</at> **deploy** done`));
    expect(res.code).toBe(0);
    const m = res.data!;
    expect(m.message_id).toMatch(/^om_/);
    expect(m.create_time).toMatch(/^\d{13}$/);
    expect(m.update_time).toBe(m.create_time);
    expect(m).toMatchObject({ msg_type: 'text', chat_id: demoChat(env.emu).chat_id, deleted: false, updated: false });
    expect(m.sender).toEqual({ id: env.emu.app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: env.emu.tenantKey });
    expect(JSON.parse(m.body!.content)).toEqual({ text: '@_user_1 deploy done' });
    expect(m.mentions).toEqual([{ key: '@_user_1', id: alice.open_id, id_type: 'open_id', name: alice.name, tenant_key: env.emu.tenantKey }]);
    // The record keeps what was sent, for the web client.
    expect(env.emu.state.messages.get(m.message_id!)!.content).toContain('<at user_id=');
  });

  it('sends to a user by open_id, user_id, union_id or email into one p2p chat', async () => {
    const bob = user(env.emu, 'bob');
    const ids: [string, string][] = [['open_id', bob.open_id], ['user_id', bob.user_id], ['union_id', bob.union_id], ['email', bob.email]];
    const chatIds = new Set<string>();
    for (const [type, id] of ids) {
      const res = await env.client.im.message.create({ params: { receive_id_type: type as 'open_id' }, data: { receive_id: id, msg_type: 'text', content: text(`via ${type}`) } });
      chatIds.add(res.data!.chat_id!);
    }
    expect(chatIds.size).toBe(1);
    const chat = env.emu.state.chats.get([...chatIds][0])!;
    expect(chat).toMatchObject({ chat_mode: 'p2p', members: [bob.open_id], bots: [env.emu.app.appId] });
  });

  it('refuses bad content with the platform codes, through the SDK as AxiosErrors', async () => {
    const chat = demoChat(env.emu).chat_id;
    const cases: [string, string, number][] = [
      ['text', 'not json', 230001],
      ['text', JSON.stringify({ txt: 'x' }), 230001],
      ['post', JSON.stringify({ title: 'x', content: [] }), 230001],
      ['post', JSON.stringify({ zh_cn: { content: [[{ tag: 'blink', text: 'x' }]] } }), 230001],
      ['image', JSON.stringify({ image_key: 'img_v2_nope' }), 230001],
      ['file', JSON.stringify({ file_key: 'file_v2_nope' }), 230001],
      ['interactive', '{"elements": [', 230099],
      ['interactive', JSON.stringify({ header: { template: 'red' } }), 230099],
      ['interactive', JSON.stringify({ schema: '2.0', body: { elements: [{ tag: 'action', actions: [] }] } }), 230099],
      ['interactive', JSON.stringify({ type: 'template', data: {} }), 230099],
      ['system', JSON.stringify({ type: 'divider', params: { divider_text: { text: 'new' } } }), 230001],
      ['share_user', JSON.stringify({ user_id: 'ou_nobody' }), 230001],
      ['hologram', text('x'), 230001],
    ];
    for (const [msgType, content, code] of cases) {
      const f = await sdkFailure(sendToChat(chat, msgType, content));
      expect({ msgType, content, status: f.status, code: f.data.code }).toEqual({ msgType, content, status: 400, code });
      expect(f.data.error.log_id).toMatch(/^\d{14}/);
    }
    expect(env.emu.state.messages.size).toBe(0);
  });

  it('refuses share_chat of a p2p chat (230015) and accepts a group', async () => {
    const p2p = env.emu.state.p2pChat(env.emu.app.appId, user(env.emu, 'bob'));
    expect((await sdkFailure(sendToChat(demoChat(env.emu).chat_id, 'share_chat', JSON.stringify({ chat_id: p2p.chat_id })))).data.code).toBe(230015);
    const ok = await sendToChat(p2p.chat_id, 'share_chat', JSON.stringify({ chat_id: demoChat(env.emu).chat_id }));
    expect(JSON.parse(ok.data!.body!.content)).toEqual({ chat_id: demoChat(env.emu).chat_id });
  });

  it('refuses unknown, unreachable and unavailable receivers', async () => {
    const frank = user(env.emu, 'frank');
    const byOpenId = (id: string) => env.client.im.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: id, msg_type: 'text', content: text('hi') } });
    expect((await sdkFailure(byOpenId(frank.open_id))).data.code).toBe(230013);
    expect((await sdkFailure(byOpenId('ou_doesnotexist'))).data.code).toBe(99992351);
    expect((await sdkFailure(sendToChat('oc_doesnotexist', 'text', text('hi')))).data.code).toBe(230034);
    const outside = addGroup(env.emu, { bots: [] });
    expect((await sdkFailure(sendToChat(outside.chat_id, 'text', text('hi')))).data.code).toBe(230002);
    const dissolved = addGroup(env.emu, { status: 'dissolved' });
    expect((await sdkFailure(sendToChat(dissolved.chat_id, 'text', text('hi')))).data.code).toBe(232009);
    const badType = await rawJson(`${env.emu.url}/open-apis/im/v1/messages?receive_id_type=phone`, 'POST', {}, { authorization: `Bearer ${await token()}` });
    expect(badType.json.code).toBe(99992402);
  });

  it('enforces the size limits: text 150 KB, post and card 30 KB (230025)', async () => {
    const chat = demoChat(env.emu).chat_id;
    await sendToChat(chat, 'text', text('x'.repeat(140 * 1024)));
    expect((await sdkFailure(sendToChat(chat, 'text', text('x'.repeat(151 * 1024))))).data.code).toBe(230025);
    const post = JSON.stringify({ en_us: { title: 't', content: [[{ tag: 'text', text: 'y'.repeat(31 * 1024) }]] } });
    expect((await sdkFailure(sendToChat(chat, 'post', post))).data.code).toBe(230025);
    const card = JSON.stringify({ elements: [{ tag: 'markdown', content: 'z'.repeat(31 * 1024) }] });
    expect((await sdkFailure(sendToChat(chat, 'interactive', card))).data.code).toBe(230025);
  });

  it('sends a system divider only in p2p chats', async () => {
    const divider = JSON.stringify({ type: 'divider', params: { divider_text: { text: 'New session', i18n_text: { zh_CN: '新会话', en_US: 'New session' } } }, options: { need_rollup: true } });
    const res = await env.client.im.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: user(env.emu, 'carol').open_id, msg_type: 'system', content: divider } });
    expect(JSON.parse(res.data!.body!.content)).toEqual({
      template: '{divider_text}',
      from_user: [],
      to_chatters: [],
      divider_text: { text: 'New session', i18n_text: { zh_cn: '新会话', en_us: 'New session' } },
    });
  });

  it('deduplicates by uuid for one hour of emulator time', async () => {
    const chat = demoChat(env.emu).chat_id;
    const first = await sendToChat(chat, 'text', text('once'), 'alert-42-open');
    const again = await sendToChat(chat, 'text', text('once'), 'alert-42-open');
    expect(again.data!.message_id).toBe(first.data!.message_id);
    expect(env.emu.state.messages.size).toBe(1);
    await env.ctl.advance(60 * 60 * 1000 + 1);
    const later = await sendToChat(chat, 'text', text('once'), 'alert-42-open');
    expect(later.data!.message_id).not.toBe(first.data!.message_id);
    expect((await sdkFailure(sendToChat(chat, 'text', text('x'), 'u'.repeat(51)))).data.code).toBe(230001);
  });

  it('rate-limits 5 sends/s per chat and per user with 429, 99991400 and the x-ogw headers', async () => {
    for (const target of ['chat', 'user'] as const) {
      await env.ctl.reset();
      env.client = sdkClient(env.emu);
      await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: demoChat(env.emu).chat_id } }); // fetch the token first
      await alignToSecond();
      const before = (await env.ctl.state()).now;
      const send = () =>
        target === 'chat'
          ? sendToChat(demoChat(env.emu).chat_id, 'text', text('burst')).then(() => 200, (e) => e)
          : env.client.im.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: user(env.emu, 'bob').open_id, msg_type: 'text', content: text('burst') } }).then(() => 200, (e) => e);
      const results = await Promise.all(Array.from({ length: 50 }, send));
      const after = (await env.ctl.state()).now;
      const passed = results.filter((r) => r === 200).length;
      const limited = results.filter((r) => r !== 200);
      // The window is one second of emulator time; a burst that spilled into the next second may pass 5 more.
      if (Math.floor(before / 1000) === Math.floor(after / 1000)) expect(passed).toBe(5);
      else expect(passed).toBeLessThanOrEqual(10);
      for (const e of limited) {
        expect(e.response.status).toBe(429);
        expect(e.response.data.code).toBe(99991400);
        expect(e.response.headers['x-ogw-ratelimit-limit']).toBe('5');
        expect(Number(e.response.headers['x-ogw-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
      }
      expect(env.emu.state.messages.size).toBe(passed);
    }
    const call = await lastCall(env.emu, 'POST', '/open-apis/im/v1/messages');
    expect(call).toMatchObject({ status: 429, code: 99991400 });
  });

  it('refuses user tokens: sending is tenant-token only', async () => {
    const f = await rawJson(`${env.emu.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, 'POST', { receive_id: demoChat(env.emu).chat_id, msg_type: 'text', content: text('x') }, {
      authorization: `Bearer ${await userToken()}`,
    });
    expect(f.status).toBe(400);
    expect(f.json.code).toBe(99991663);
  });
});

describe('reply: POST /open-apis/im/v1/messages/:message_id/reply', () => {
  it('sets root_id and parent_id, opens a thread on reply_in_thread, and lists the thread', async () => {
    const root = (await sendToChat(demoChat(env.emu).chat_id, 'text', text('root'))).data!;
    const r1 = (await env.client.im.message.reply({ path: { message_id: root.message_id! }, data: { msg_type: 'text', content: text('r1') } })).data!;
    expect(r1).toMatchObject({ root_id: root.message_id, parent_id: root.message_id });
    expect(r1.thread_id).toBeUndefined();
    const r2 = (await env.client.im.message.reply({ path: { message_id: r1.message_id! }, data: { msg_type: 'text', content: text('r2'), reply_in_thread: true } })).data!;
    expect(r2).toMatchObject({ root_id: root.message_id, parent_id: r1.message_id });
    expect(r2.thread_id).toMatch(/^omt_/);
    const thread = await env.client.im.message.list({ params: { container_id_type: 'thread', container_id: r2.thread_id! } });
    expect(thread.data!.items!.map((m) => m.message_id)).toEqual([r1.message_id, r2.message_id]);
    // The chat's main flow shows the root messages, not the thread's replies.
    const main = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: demoChat(env.emu).chat_id } });
    expect(main.data!.items!.map((m) => m.message_id)).toEqual([root.message_id, r1.message_id]);
  });

  it('refuses to reply to a recalled message (230011) and dedups by uuid', async () => {
    const root = (await sendToChat(demoChat(env.emu).chat_id, 'text', text('root'))).data!;
    const a = await env.client.im.message.reply({ path: { message_id: root.message_id! }, data: { msg_type: 'text', content: text('a'), uuid: 'r-1' } });
    const b = await env.client.im.message.reply({ path: { message_id: root.message_id! }, data: { msg_type: 'text', content: text('a'), uuid: 'r-1' } });
    expect(b.data!.message_id).toBe(a.data!.message_id);
    await env.client.im.message.delete({ path: { message_id: root.message_id! } });
    const f = await sdkFailure(env.client.im.message.reply({ path: { message_id: root.message_id! }, data: { msg_type: 'text', content: text('late') } }));
    expect(f.data.code).toBe(230011);
    expect(await lastCall(env.emu, 'POST', /\/reply$/)).toMatchObject({ status: 400, code: 230011 });
  });
});

async function token(): Promise<string> {
  const r = await rawJson(`${env.emu.url}/open-apis/auth/v3/tenant_access_token/internal`, 'POST', { app_id: env.emu.app.appId, app_secret: env.emu.app.appSecret });
  return r.json.tenant_access_token;
}

async function userToken(): Promise<string> {
  const t = `u-test${Date.now()}`;
  const now = (await env.ctl.state()).now;
  env.emu.context.slice(AuthState).tokens.add({ token: t, kind: 'user', appId: env.emu.app.appId, openId: user(env.emu, 'alice').open_id, issuedAt: now, expiresAt: now + 7_200_000 });
  return t;
}

/** Moves the emulator clock to just after a second boundary, so a burst falls in one rate-limit window. */
async function alignToSecond(): Promise<void> {
  const now = (await env.ctl.state()).now;
  await env.ctl.advance(1000 - (now % 1000) + 1);
}
