import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { control } from '../helpers/emulator.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startReceiver } from './events-receiver.js';

let emu: EmulatorHandle;
let ctl: ReturnType<typeof control>;
let rx: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  rx = await startReceiver();
  // Plaintext pushes keep these tests about the payload, not the crypto (tested in events.test.ts).
  emu = await startEmulator({ port: 0, encryptKey: '', eventUrl: `${rx.url}/events`, botName: 'Opsbot' });
  ctl = control(emu);
});
afterAll(async () => {
  await emu.close();
  await rx.close();
});
beforeEach(async () => {
  await ctl.reset();
  rx.received.length = 0;
});

const user = (key: string) => emu.state.users.find((u) => u.user_id === key)!;
const demoChat = () => [...emu.state.chats.values()].find((c) => c.chat_mode === 'group')!;
const say = (chatId: string, body: Record<string, unknown>) => ctl.call('POST', `/__emulator/chats/${chatId}/messages`, body);

describe('a user writes in a group', () => {
  it('pushes im.message.receive_v1 with @Bot turned into @_user_1 and a mentions entry for the bot', async () => {
    const alice = user('alice');
    const chat = demoChat();
    const res = await say(chat.chat_id, { sender: alice.open_id, text: '@Opsbot /help' });
    expect(res.status).toBe(200);
    expect(res.body.event_ids).toHaveLength(1);
    const [r] = await rx.waitFor(1);
    expect(r.json.header).toMatchObject({ event_type: 'im.message.receive_v1', event_id: res.body.event_ids[0], tenant_key: chat.tenant_key });
    const { sender, message } = r.json.event;
    expect(sender).toEqual({
      sender_id: { union_id: alice.union_id, user_id: alice.user_id, open_id: alice.open_id },
      sender_type: 'user',
      tenant_key: alice.tenant_key,
    });
    expect(message).toMatchObject({
      message_id: res.body.message_id,
      chat_id: chat.chat_id,
      chat_type: 'group',
      message_type: 'text',
      create_time: expect.stringMatching(/^\d{13}$/),
    });
    expect(JSON.parse(message.content)).toEqual({ text: '@_user_1 /help' });
    expect(message.mentions).toEqual([
      { key: '@_user_1', id: { open_id: emu.app.botOpenId, union_id: expect.stringMatching(/^on_/), user_id: '' }, name: 'Opsbot', tenant_key: chat.tenant_key },
    ]);
    // Stored in send-side form, like a message sent through the API.
    const stored = emu.state.messages.get(res.body.message_id)!;
    expect(JSON.parse(stored.content)).toEqual({ text: `<at user_id="${emu.app.botOpenId}">Opsbot</at> /help` });
    expect(stored.sender).toEqual({ id: alice.open_id, id_type: 'open_id', sender_type: 'user', tenant_key: alice.tenant_key });
    expect(stored.mentions[0]).toMatchObject({ key: '@_user_1', id: emu.app.botOpenId, name: 'Opsbot' });
  });

  it('understands <at user_id>, @_bot and member names, numbering the mentions in order', async () => {
    const bob = user('bob');
    const chat = demoChat();
    await say(chat.chat_id, { sender: user('alice').open_id, text: `<at user_id="${bob.open_id}">Bob</at> and @_bot, ping @Carol Wang` });
    const [r] = await rx.waitFor(1);
    const m = r.json.event.message;
    expect(JSON.parse(m.content).text).toBe('@_user_1 and @_user_2, ping @_user_3');
    expect(m.mentions.map((x: any) => [x.key, x.id.open_id])).toEqual([
      ['@_user_1', bob.open_id],
      ['@_user_2', emu.app.botOpenId],
      ['@_user_3', user('carol').open_id],
    ]);
  });

  it('pushes group messages without a mention too, with no mentions field', async () => {
    await say(demoChat().chat_id, { sender: user('bob').open_id, text: 'just chatting' });
    const [r] = await rx.waitFor(1);
    expect(JSON.parse(r.json.event.message.content)).toEqual({ text: 'just chatting' });
    expect(r.json.event.message.mentions).toBeUndefined();
  });

  it('a reply carries parent_id and root_id', async () => {
    const chat = demoChat();
    const first = await say(chat.chat_id, { sender: user('alice').open_id, text: 'first' });
    const reply = await say(chat.chat_id, { sender: user('bob').open_id, text: 'answer', parent_id: first.body.message_id });
    const got = await rx.waitFor(2);
    const ev = got.find((r) => r.json.event.message.message_id === reply.body.message_id)!;
    expect(ev.json.event.message).toMatchObject({ parent_id: first.body.message_id, root_id: first.body.message_id });
  });

  it('refuses a sender who is not a member (400), an unknown chat (404) and a missing text (400)', async () => {
    const chat = demoChat();
    const dave = await say(chat.chat_id, { sender: user('dave').open_id, text: 'hi' });
    expect(dave.status).toBe(400);
    expect(dave.body.error).toContain('not a member');
    expect((await say('oc_nope', { sender: user('alice').open_id, text: 'hi' })).status).toBe(404);
    expect((await say(chat.chat_id, { sender: user('alice').open_id })).status).toBe(400);
    expect(rx.received).toHaveLength(0);
  });
});

describe('a user writes to the bot in p2p', () => {
  it('creates the p2p chat and pushes a p2p message', async () => {
    const dave = user('dave');
    const res = await ctl.call('POST', `/__emulator/users/${dave.open_id}/messages`, { text: '/oncall sre' });
    expect(res.status).toBe(200);
    const [r] = await rx.waitFor(1);
    expect(r.json.event.message).toMatchObject({ chat_type: 'p2p', chat_id: res.body.chat_id, message_type: 'text' });
    expect(JSON.parse(r.json.event.message.content)).toEqual({ text: '/oncall sre' });
    const chat = emu.state.chats.get(res.body.chat_id)!;
    expect(chat).toMatchObject({ chat_mode: 'p2p', members: [dave.open_id], bots: [emu.app.appId] });
  });

  it('post messages arrive in receive format (no locale wrapper, at nodes as @_user_N)', async () => {
    const erin = user('erin');
    const content = { zh_cn: { title: 'Report', content: [[{ tag: 'text', text: 'see ' }, { tag: 'at', user_id: emu.app.botOpenId }]] } };
    await ctl.call('POST', `/__emulator/users/${erin.open_id}/messages`, { msg_type: 'post', content });
    const [r] = await rx.waitFor(1);
    expect(JSON.parse(r.json.event.message.content)).toEqual({
      title: 'Report',
      content: [[{ tag: 'text', text: 'see ' }, { tag: 'at', user_id: '@_user_1', user_name: 'Opsbot' }]],
    });
    expect(r.json.event.message.mentions[0].id.open_id).toBe(emu.app.botOpenId);
  });

  it('404 for an unknown user', async () => {
    expect((await ctl.call('POST', '/__emulator/users/ou_nobody/messages', { text: 'x' })).status).toBe(404);
  });
});
