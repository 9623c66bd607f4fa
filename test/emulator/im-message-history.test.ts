import { describe, expect, it } from 'vitest';
import { insertMessage } from '../../src/emulator/im/index.js';
import { sdkClient, useEmulator } from '../helpers/emulator.js';
import { addGroup, demoChat, lastCall, sdkFailure, user } from '../helpers/im.js';

const env = useEmulator();

const text = (t: string) => JSON.stringify({ text: t });
const send = async (msgType: string, content: string, chatId = demoChat(env.emu).chat_id) =>
  (await env.client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: msgType, content } })).data!;
const get = async (id: string, userIdType?: 'user_id') => (await env.client.im.message.get({ path: { message_id: id }, params: userIdType ? { user_id_type: userIdType } : {} })).data!.items![0];
/** A message a user wrote, stored the way the web client stores it. */
const fromUser = (key: string, content = text('hello bot')) =>
  insertMessage(env.emu.context, {
    chat: demoChat(env.emu),
    sender: { id: user(env.emu, key).open_id, id_type: 'open_id', sender_type: 'user', tenant_key: env.emu.tenantKey },
    msgType: 'text',
    content,
  });

const sharedCard = (title: string) => JSON.stringify({ config: { update_multi: true }, header: { title: { tag: 'plain_text', content: title } }, elements: [] });

describe('edit: PUT /open-apis/im/v1/messages/:message_id', () => {
  it('edits own text and post messages: updated true, new content, at most 20 edits (230072)', async () => {
    const m = await send('text', text('draft'));
    await env.ctl.advance(5000);
    const edited = (await env.client.im.message.update({ path: { message_id: m.message_id! }, data: { msg_type: 'text', content: text('final') } })).data!;
    expect(edited).toMatchObject({ message_id: m.message_id, updated: true });
    expect(Number(edited.update_time)).toBeGreaterThan(Number(edited.create_time));
    expect(JSON.parse((await get(m.message_id!)).body!.content)).toEqual({ text: 'final' });
    for (let i = 2; i <= 20; i++) await env.client.im.message.update({ path: { message_id: m.message_id! }, data: { msg_type: 'text', content: text(`v${i}`) } });
    const f = await sdkFailure(env.client.im.message.update({ path: { message_id: m.message_id! }, data: { msg_type: 'text', content: text('v21') } }));
    expect(f).toMatchObject({ status: 400, data: { code: 230072 } });
  });

  it("refuses to edit others' messages (230071) and non-text messages", async () => {
    const theirs = fromUser('alice');
    expect((await sdkFailure(env.client.im.message.update({ path: { message_id: theirs.message_id }, data: { msg_type: 'text', content: text('x') } }))).data.code).toBe(230071);
    const card = await send('interactive', sharedCard('c'));
    expect((await sdkFailure(env.client.im.message.update({ path: { message_id: card.message_id! }, data: { msg_type: 'text', content: text('x') } }))).data.code).toBe(230054);
    expect(await lastCall(env.emu, 'PUT', /^\/open-apis\/im\/v1\/messages\//)).toMatchObject({ status: 400, code: 230054 });
  });
});

describe('card update: PATCH /open-apis/im/v1/messages/:message_id', () => {
  it('updates a shared card and answers data {}, keeping the original JSON in the record', async () => {
    const m = await send('interactive', sharedCard('v1'));
    const res = await env.client.im.message.patch({ path: { message_id: m.message_id! }, data: { content: sharedCard('v2') } });
    expect(res).toMatchObject({ code: 0, data: {} });
    expect(JSON.parse(env.emu.state.messages.get(m.message_id!)!.content).header.title.content).toBe('v2');
    expect(JSON.parse((await get(m.message_id!)).body!.content)).toEqual({ title: 'v2', elements: [] });
    const v2card = JSON.stringify({ schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'hi' }] } });
    const v2 = await send('interactive', v2card);
    expect((await env.client.im.message.patch({ path: { message_id: v2.message_id! }, data: { content: v2card } })).code).toBe(0);
  });

  it('refuses cards without update_multi, non-cards (230054), and cards older than 14 days (230031)', async () => {
    const unshared = await send('interactive', JSON.stringify({ elements: [{ tag: 'hr' }] }));
    expect((await sdkFailure(env.client.im.message.patch({ path: { message_id: unshared.message_id! }, data: { content: sharedCard('x') } }))).data.code).toBe(230099);
    const shared = await send('interactive', sharedCard('v1'));
    const turnsPrivate = JSON.stringify({ config: { update_multi: false }, elements: [] });
    expect((await sdkFailure(env.client.im.message.patch({ path: { message_id: shared.message_id! }, data: { content: turnsPrivate } }))).data.code).toBe(230099);
    const t = await send('text', text('plain'));
    expect((await sdkFailure(env.client.im.message.patch({ path: { message_id: t.message_id! }, data: { content: sharedCard('x') } }))).data.code).toBe(230054);
    await env.ctl.advance(14 * 24 * 3600 * 1000 + 1000);
    env.client = sdkClient(env.emu); // the old client's cached token expired in emulator time
    expect((await sdkFailure(env.client.im.message.patch({ path: { message_id: shared.message_id! }, data: { content: sharedCard('late') } }))).data.code).toBe(230031);
  });

  it('limits updates of one card to 5/s with 429', async () => {
    const m = await send('interactive', sharedCard('v0'));
    const now = (await env.ctl.state()).now;
    await env.ctl.advance(1000 - (now % 1000) + 1);
    const before = (await env.ctl.state()).now;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => env.client.im.message.patch({ path: { message_id: m.message_id! }, data: { content: sharedCard(`v${i}`) } }).then(() => 200, (e) => e.response.status)),
    );
    const after = (await env.ctl.state()).now;
    const passed = results.filter((s) => s === 200).length;
    if (Math.floor(before / 1000) === Math.floor(after / 1000)) expect(passed).toBe(5);
    else expect(passed).toBeLessThanOrEqual(10);
    expect(results.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
  });
});

describe('recall: DELETE /open-apis/im/v1/messages/:message_id', () => {
  it('recalls own messages: get shows deleted without content, list shows "This message was recalled"', async () => {
    const m = await send('text', text('oops'));
    expect((await env.client.im.message.delete({ path: { message_id: m.message_id! } })).code).toBe(0);
    const got = await get(m.message_id!);
    expect(got.deleted).toBe(true);
    expect(got.body?.content).toBeUndefined();
    const list = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: demoChat(env.emu).chat_id } });
    expect(list.data!.items![0]).toMatchObject({ message_id: m.message_id, deleted: true, body: { content: 'This message was recalled' } });
    expect((await sdkFailure(env.client.im.message.delete({ path: { message_id: m.message_id! } }))).data.code).toBe(230011);
  });

  it("refuses to recall a user's message (230026)", async () => {
    const theirs = fromUser('bob');
    expect((await sdkFailure(env.client.im.message.delete({ path: { message_id: theirs.message_id } }))).data.code).toBe(230026);
    expect(await lastCall(env.emu, 'DELETE', `/open-apis/im/v1/messages/${theirs.message_id}`)).toMatchObject({ status: 400, code: 230026 });
  });
});

describe('get and list', () => {
  it('returns receive-side content: post without locale, md converted, @ as @_user_N; user ids by user_id_type', async () => {
    const carol = user(env.emu, 'carol');
    const post = {
      zh_cn: {
        title: '发布',
        content: [
          [{ tag: 'text', text: '版本 ', style: ['bold'] }, { tag: 'at', user_id: carol.open_id }, { tag: 'a', text: '详情', href: 'https://example.com' }],
          [{ tag: 'md', text: 'see [docs](https://d.example)\n**done**' }],
        ],
      },
      en_us: { title: 'Release', content: [[{ tag: 'text', text: 'v1' }]] },
    };
    const m = await send('post', JSON.stringify(post));
    const got = await get(m.message_id!, 'user_id');
    expect(JSON.parse(got.body!.content)).toEqual({
      title: '发布',
      content: [
        [{ tag: 'text', text: '版本 ', style: ['bold'] }, { tag: 'at', user_id: '@_user_1', user_name: carol.name }, { tag: 'a', href: 'https://example.com', text: '详情' }],
        [{ tag: 'text', text: 'see ' }, { tag: 'a', href: 'https://d.example', text: 'docs' }],
        [{ tag: 'text', text: 'done', style: ['bold'] }],
      ],
    });
    expect(got.mentions).toEqual([{ key: '@_user_1', id: 'carol', id_type: 'user_id', name: carol.name, tenant_key: env.emu.tenantKey }]);
    const theirs = fromUser('alice');
    expect((await get(theirs.message_id, 'user_id')).sender).toEqual({ id: 'alice', id_type: 'user_id', sender_type: 'user', tenant_key: env.emu.tenantKey });
  });

  it('returns cards in the simplified {title, elements} form', async () => {
    const card = {
      config: { update_multi: true },
      header: { title: { tag: 'plain_text', content: 'Incident #7' }, template: 'red' },
      elements: [
        { tag: 'div', text: { tag: 'lark_md', content: 'Service **api** is down' } },
        { tag: 'hr' },
        { tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Ack' }, type: 'primary', value: { a: 1 } }, { tag: 'button', text: { tag: 'plain_text', content: 'Resolve' } }] },
      ],
    };
    const m = await send('interactive', JSON.stringify(card));
    expect(JSON.parse((await get(m.message_id!)).body!.content)).toEqual({
      title: 'Incident #7',
      elements: [
        [{ tag: 'text', text: 'Service ' }, { tag: 'text', text: 'api', style: ['bold'] }, { tag: 'text', text: ' is down' }],
        [{ tag: 'hr' }],
        [{ tag: 'button', text: 'Ack', type: 'primary' }, { tag: 'button', text: 'Resolve', type: 'default' }],
      ],
    });
    expect(JSON.parse(m.body!.content).title).toBe('Incident #7');
  });

  it('pages, sorts and filters by time in seconds; page_size is 1..50', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await send('text', text(`m${i}`))).message_id!);
      await env.ctl.advance(10_000);
    }
    const chat = demoChat(env.emu).chat_id;
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: chat, page_size: 2, page_token: pageToken } });
      seen.push(...res.data!.items!.map((m) => m.message_id!));
      pageToken = res.data!.has_more ? res.data!.page_token : undefined;
      if (!res.data!.has_more) expect(res.data!.page_token).toBeUndefined();
    } while (pageToken);
    expect(seen).toEqual(ids);
    const desc = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: chat, sort_type: 'ByCreateTimeDesc' } });
    expect(desc.data!.items!.map((m) => m.message_id)).toEqual([...ids].reverse());
    const times = [...env.emu.state.messages.values()].map((m) => Math.floor(m.create_time / 1000));
    const window = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: chat, start_time: String(times[1]), end_time: String(times[3]) } });
    expect(window.data!.items!.map((m) => m.message_id)).toEqual(ids.slice(1, 4));
    expect((await sdkFailure(env.client.im.message.list({ params: { container_id_type: 'chat', container_id: chat, page_size: 51 } }))).status).toBe(400);
  });

  it('refuses to read chats the bot is not in (230002)', async () => {
    const outside = addGroup(env.emu, { bots: [] });
    const f = await sdkFailure(env.client.im.message.list({ params: { container_id_type: 'chat', container_id: outside.chat_id } }));
    expect(f).toMatchObject({ status: 400, data: { code: 230002 } });
    expect(await lastCall(env.emu, 'GET', '/open-apis/im/v1/messages')).toMatchObject({ status: 400, code: 230002 });
  });
});
