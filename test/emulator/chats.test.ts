import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { emulatorWithSdk, sdkClient } from '../helpers/emulator.js';
import { demoChat, sdkFailure, user } from '../helpers/im.js';
import { startReceiver, waitUntil } from './events-receiver.js';

const OTHER_APP = { appId: 'cli_0123456789abcdef', appSecret: 'other-app-secret' };

let emu: EmulatorHandle;
let client: lark.Client;
let ctl: Awaited<ReturnType<typeof emulatorWithSdk>>['control'];

beforeAll(async () => {
  ({ emu, client, control: ctl } = await emulatorWithSdk({ extraApps: [OTHER_APP] }));
});
afterAll(() => emu.close());
beforeEach(async () => {
  await ctl.reset();
  client = sdkClient(emu);
});

/** Asserts an SDK call failed the platform's way: HTTP 400, the code, and a log id matching the header. */
async function expectChatError(p: Promise<unknown>, code: number, status = 400) {
  const f = await sdkFailure(p);
  expect(f.status).toBe(status);
  expect(f.data.code).toBe(code);
  expect(f.data.error.log_id).toBe(f.headers['x-tt-logid']);
  return f.data;
}

/** A group created the way a person does it, through the control API. */
async function userGroup(body: Record<string, unknown>) {
  const r = await ctl.call('POST', '/__emulator/chats', body);
  expect(r.status).toBe(200);
  return r.body as { chat_id: string; members: string[]; bots: string[] };
}

describe('create: POST /open-apis/im/v1/chats', () => {
  it('makes the bot the owner by default and leaves owner_id out of the answer', async () => {
    const res = await client.im.chat.create({ data: {} });
    expect(res.code).toBe(0);
    const d = res.data!;
    expect(d.chat_id).toMatch(/^oc_/);
    expect(d).toMatchObject({ name: '(无主题)', chat_mode: 'group', chat_type: 'private', group_message_type: 'chat', external: false, tenant_key: emu.tenantKey });
    expect(d.owner_id).toBeUndefined();
    expect(d.owner_id_type).toBeUndefined();
    const got = await client.im.chat.get({ path: { chat_id: d.chat_id! } });
    expect(got.data).toMatchObject({ user_count: '0', bot_count: '1', chat_status: 'normal', add_member_permission: 'all_members' });
  });

  it('resolves owner and members by user_id_type, sets the bot manager, and keeps every body field', async () => {
    const res = await client.im.chat.create({
      params: { user_id_type: 'user_id', set_bot_manager: true },
      data: {
        name: 'Incident 42',
        description: 'db down',
        i18n_names: { en_us: 'Incident 42', zh_cn: '事故 42' },
        owner_id: 'alice',
        user_id_list: ['bob', 'carol'],
        chat_type: 'public',
        group_message_type: 'thread',
        membership_approval: 'no_approval_required',
        edit_permission: 'only_owner',
        urgent_setting: 'only_owner',
        restricted_mode_setting: { status: true, screenshot_has_permission_setting: 'not_anyone' },
      },
    });
    const d = res.data!;
    expect(d).toMatchObject({
      name: 'Incident 42',
      owner_id: 'alice',
      owner_id_type: 'user_id',
      chat_type: 'public',
      group_message_type: 'thread',
      add_member_permission: 'all_members',
      edit_permission: 'only_owner',
      urgent_setting: 'only_owner',
      i18n_names: { en_us: 'Incident 42', zh_cn: '事故 42' },
    });
    expect(d.restricted_mode_setting).toMatchObject({ status: true, screenshot_has_permission_setting: 'not_anyone', download_has_permission_setting: 'all_members' });
    const got = (await client.im.chat.get({ path: { chat_id: d.chat_id! }, params: { user_id_type: 'open_id' } })).data!;
    expect(got).toMatchObject({ owner_id: user(emu, 'alice').open_id, owner_id_type: 'open_id', user_count: '3', bot_count: '1', description: 'db down' });
    expect(got.bot_manager_id_list).toEqual([emu.app.appId]);
  });

  it('creates one chat per uuid (+owner) for 10 hours of emulator time', async () => {
    const once = await client.im.chat.create({ params: { uuid: 'war-room-7' }, data: { name: 'war room' } });
    const twice = await client.im.chat.create({ params: { uuid: 'war-room-7' }, data: { name: 'war room' } });
    expect(twice.data!.chat_id).toBe(once.data!.chat_id);
    await ctl.advance(10 * 60 * 60 * 1000 + 1000);
    client = sdkClient(emu); // the cached token expired meanwhile
    const later = await client.im.chat.create({ params: { uuid: 'war-room-7' }, data: { name: 'war room' } });
    expect(later.data!.chat_id).not.toBe(once.data!.chat_id);
  });

  it('refuses public chats without a proper name, unknown users and unknown bots', async () => {
    await expectChatError(client.im.chat.create({ data: { chat_type: 'public', name: 'x' } }), 232020);
    await expectChatError(client.im.chat.create({ data: { chat_type: 'public' } }), 232042);
    await expectChatError(client.im.chat.create({ data: { user_id_list: ['ou_nobody'] } }), 232043);
    await expectChatError(client.im.chat.create({ data: { owner_id: 'ou_nobody' } }), 232030);
    await expectChatError(client.im.chat.create({ data: { user_id_list: [user(emu, 'frank').open_id] } }), 232022);
    await expectChatError(client.im.chat.create({ data: { bot_id_list: ['cli_ffffffffffffffff'] } }), 232021);
    await expectChatError(client.im.chat.create({ data: { chat_type: 'secret' } }), 232001);
    const tooMany = Array.from({ length: 51 }, (_, i) => `ou_${i}`);
    await expectChatError(client.im.chat.create({ data: { user_id_list: tooMany } }), 232001);
  });
});

describe('list, search and get', () => {
  it('lists the bot’s groups (not p2p, not others’) with chat_status, in both sort orders, with paging', async () => {
    emu.state.p2pChat(emu.app.appId, user(emu, 'bob'));
    const notMine = await userGroup({ name: 'no bot here', bot: false });
    const a = (await client.im.chat.create({ data: { name: 'A' } })).data!.chat_id!;
    const b = (await client.im.chat.create({ data: { name: 'B' } })).data!.chat_id!;
    emu.state.chats.get(a)!.active_time = emu.context.clock.now() + 5000;

    const asc = (await client.im.chat.list({ params: { page_size: 100 } })).data!;
    const ids = asc.items!.map((c) => c.chat_id);
    expect(ids).toEqual([demoChat(emu).chat_id, a, b]);
    expect(ids).not.toContain(notMine.chat_id);
    expect(asc.items![0]).toMatchObject({ name: 'feishu-hub demo', owner_id: user(emu, 'alice').open_id, owner_id_type: 'open_id', chat_status: 'normal' });
    expect(asc.items![1].owner_id).toBeUndefined();

    const active = (await client.im.chat.list({ params: { sort_type: 'ByActiveTimeDesc' } })).data!;
    expect(active.items![0].chat_id).toBe(a);

    const first = (await client.im.chat.list({ params: { page_size: 2 } })).data!;
    expect(first.has_more).toBe(true);
    const second = (await client.im.chat.list({ params: { page_size: 2, page_token: first.page_token } })).data!;
    expect(second).toMatchObject({ has_more: false });
    expect(second.items!.map((c) => c.chat_id)).toEqual([b]);

    await expectChatError(client.im.chat.list({ params: { page_size: 101 } }), 232001);
    await expectChatError(client.im.chat.list({ params: { sort_type: 'ByName' as 'ByCreateTimeAsc' } }), 232001);
  });

  it('searches the chats the bot is in and public chats by name', async () => {
    const pub = await userGroup({ name: 'Public Ops Lounge', chat_type: 'public', bot: false });
    await userGroup({ name: 'Private Ops', bot: false });
    await client.im.chat.create({ data: { name: 'ops war room' } });
    const found = (await client.im.chat.search({ params: { query: 'ops' } })).data!;
    expect(found.items!.map((c) => c.name).sort()).toEqual(['Public Ops Lounge', 'ops war room']);
    const getPublic = (await client.im.chat.get({ path: { chat_id: pub.chat_id } })).data!;
    expect(getPublic).toMatchObject({ name: 'Public Ops Lounge', user_count: '1', bot_count: '0' });
    expect(getPublic.owner_id).toBeUndefined();
  });

  it('answers 232006 for an unknown chat and 232011 for a private chat the bot is not in', async () => {
    await expectChatError(client.im.chat.get({ path: { chat_id: 'oc_doesnotexist' } }), 232006);
    const hidden = await userGroup({ name: 'secret', bot: false });
    await expectChatError(client.im.chat.get({ path: { chat_id: hidden.chat_id } }), 232011);
  });
});

describe('update and disband', () => {
  it('renames, transfers ownership to a member only, and refuses unknown owners', async () => {
    const chatId = (await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'before', user_id_list: ['bob'] } })).data!.chat_id!;
    const res = await client.im.chat.update({ path: { chat_id: chatId }, data: { name: 'after', description: 'new', share_card_permission: 'not_allowed' } });
    expect(res.code).toBe(0);
    expect((await client.im.chat.get({ path: { chat_id: chatId } })).data).toMatchObject({ name: 'after', description: 'new', share_card_permission: 'not_allowed' });

    await expectChatError(client.im.chat.update({ path: { chat_id: chatId }, data: { owner_id: user(emu, 'dave').open_id } }), 232012);
    await expectChatError(client.im.chat.update({ path: { chat_id: chatId }, data: { owner_id: 'ou_nobody' } }), 232035);
    await client.im.chat.update({ path: { chat_id: chatId }, params: { user_id_type: 'user_id' }, data: { owner_id: 'bob' } });
    expect((await client.im.chat.get({ path: { chat_id: chatId }, params: { user_id_type: 'user_id' } })).data).toMatchObject({ owner_id: 'bob', owner_id_type: 'user_id' });
    // The bot is no longer the owner, but created the chat: it may still manage it.
    await client.im.chat.update({ path: { chat_id: chatId }, data: { add_member_permission: 'only_owner' } });
  });

  it('lets a plain member change only the basics, and nothing when edit_permission is only_owner', async () => {
    const demo = demoChat(emu).chat_id;
    await expectChatError(client.im.chat.update({ path: { chat_id: demo }, data: { at_all_permission: 'only_owner' } }), 232016);
    await client.im.chat.update({ path: { chat_id: demo }, data: { description: 'edited by the bot' } });
    expect(demoChat(emu).description).toBe('edited by the bot');
    demoChat(emu).settings.edit_permission = 'only_owner';
    await expectChatError(client.im.chat.update({ path: { chat_id: demo }, data: { name: 'nope' } }), 232002);
  });

  it('refuses a public name already taken and a name under two characters', async () => {
    await userGroup({ name: 'Taken Name', chat_type: 'public', bot: false });
    const chatId = (await client.im.chat.create({ data: { name: 'mine', chat_type: 'public' } })).data!.chat_id!;
    await expectChatError(client.im.chat.update({ path: { chat_id: chatId }, data: { name: 'Taken Name' } }), 232026);
    await expectChatError(client.im.chat.update({ path: { chat_id: chatId }, data: { name: 'x' } }), 232020);
  });

  it('disbands only chats the bot owns or created; a disbanded chat refuses messages and members', async () => {
    await expectChatError(client.im.chat.delete({ path: { chat_id: demoChat(emu).chat_id } }), 232017);
    const chatId = (await client.im.chat.create({ data: { name: 'short-lived' } })).data!.chat_id!;
    expect((await client.im.chat.delete({ path: { chat_id: chatId } })).code).toBe(0);
    expect((await client.im.chat.get({ path: { chat_id: chatId } })).data!.chat_status).toBe('dissolved');
    const listed = (await client.im.chat.list({})).data!.items!.find((c) => c.chat_id === chatId);
    expect(listed?.chat_status).toBe('dissolved');
    await expectChatError(client.im.chat.delete({ path: { chat_id: chatId } }), 232009);
    await expectChatError(client.im.chatMembers.create({ path: { chat_id: chatId }, data: { id_list: [user(emu, 'bob').open_id] } }), 232009);
    await expectChatError(
      client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: 'text', content: '{"text":"hi"}' } }),
      232009,
    );
    expect((await client.im.chat.search({ params: { query: 'short-lived' } })).data!.items).toEqual([]);
  });
});

describe('members', () => {
  it('adds users by user_id, reports resigned and unknown ids per succeed_type, and lists members without bots', async () => {
    const chatId = (await client.im.chat.create({ data: { name: 'members' } })).data!.chat_id!;
    const add = (ids: string[], succeed_type?: number) =>
      client.im.chatMembers.create({ path: { chat_id: chatId }, params: { member_id_type: 'user_id', succeed_type }, data: { id_list: ids } });

    await expectChatError(add(['bob', 'ghost']), 99992360);
    const lenient = await add(['bob', 'ghost', 'frank'], 1);
    expect(lenient.data).toEqual({ invalid_id_list: ['frank'], not_existed_id_list: ['ghost'], pending_approval_id_list: [] });
    const strict = await sdkFailure(add(['carol', 'frank'], 2));
    expect(strict.data.code).toBe(232043);
    const resignedSkipped = await add(['carol', 'frank']);
    expect(resignedSkipped.data!.invalid_id_list).toEqual(['frank']);
    await expectChatError(add(['frank']), 232027);
    await expectChatError(add([]), 232027);

    const open = await client.im.chatMembers.create({ path: { chat_id: chatId }, data: { id_list: ['ou_nobody'] } }).catch((e) => e.response);
    expect(open.data).toMatchObject({ code: 99992351, msg: 'these open ids not existed: [ou_nobody]' });

    const listed = (await client.im.chatMembers.get({ path: { chat_id: chatId }, params: { member_id_type: 'user_id' } })).data!;
    expect(listed.member_total).toBe(2);
    expect(listed.items).toEqual([
      { member_id_type: 'user_id', member_id: 'bob', name: user(emu, 'bob').name, tenant_key: emu.tenantKey },
      { member_id_type: 'user_id', member_id: 'carol', name: user(emu, 'carol').name, tenant_key: emu.tenantKey },
    ]);
    const paged = (await client.im.chatMembers.get({ path: { chat_id: chatId }, params: { page_size: 1 } })).data!;
    expect(paged).toMatchObject({ has_more: true, member_total: 2 });
    expect(paged.items![0].member_id).toBe(user(emu, 'bob').open_id);
    await expectChatError(client.im.chatMembers.get({ path: { chat_id: chatId }, params: { page_size: 101 } }), 232001);
  });

  it('adds and removes bots by app_id; a bot may leave but not kick others unless it manages the chat', async () => {
    const demo = demoChat(emu).chat_id;
    const added = await client.im.chatMembers.create({ path: { chat_id: demo }, params: { member_id_type: 'app_id', succeed_type: 1 }, data: { id_list: [OTHER_APP.appId, 'cli_ffffffffffffffff'] } });
    expect(added.data!.not_existed_id_list).toEqual(['cli_ffffffffffffffff']);
    expect(demoChat(emu).bots).toEqual([emu.app.appId, OTHER_APP.appId]);
    expect((await client.im.chat.get({ path: { chat_id: demo } })).data!.bot_count).toBe('2');

    // Not the owner or creator of the demo chat: it cannot remove others…
    await expectChatError(client.im.chatMembers.delete({ path: { chat_id: demo }, data: { id_list: [user(emu, 'bob').open_id] } }), 232014);
    await expectChatError(client.im.chatMembers.delete({ path: { chat_id: demo }, params: { member_id_type: 'app_id' }, data: { id_list: [OTHER_APP.appId] } }), 232014);
    // …but it can leave.
    const left = await client.im.chatMembers.delete({ path: { chat_id: demo }, params: { member_id_type: 'app_id' }, data: { id_list: [emu.app.appId] } });
    expect(left.data!.invalid_id_list).toEqual([]);
    expect((await client.im.chatMembers.isInChat({ path: { chat_id: demo } })).data!.is_in_chat).toBe(false);
    await expectChatError(client.im.chat.get({ path: { chat_id: demo } }), 232011);
    await expectChatError(client.im.chatMembers.get({ path: { chat_id: demo } }), 232011);
  });

  it('lets the creator bot remove users but never the owner', async () => {
    const chatId = (await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { owner_id: 'alice', user_id_list: ['bob', 'carol'] } })).data!.chat_id!;
    await expectChatError(client.im.chatMembers.delete({ path: { chat_id: chatId }, params: { member_id_type: 'user_id' }, data: { id_list: ['alice', 'bob'] } }), 232076);
    const res = await client.im.chatMembers.delete({ path: { chat_id: chatId }, params: { member_id_type: 'user_id' }, data: { id_list: ['bob', 'dave'] } });
    expect(res.data!.invalid_id_list).toEqual(['dave']);
    expect(emu.state.chats.get(chatId)!.members).toEqual([user(emu, 'alice').open_id, user(emu, 'carol').open_id]);
  });

  it('holds additions for approval when the chat requires it and the bot does not manage it', async () => {
    const group = await userGroup({ name: 'approval needed' });
    emu.state.chats.get(group.chat_id)!.settings.membership_approval = 'approval_required';
    const res = await client.im.chatMembers.create({ path: { chat_id: group.chat_id }, data: { id_list: [user(emu, 'dave').open_id] } });
    expect(res.data!.pending_approval_id_list).toEqual([user(emu, 'dave').open_id]);
    expect(emu.state.chats.get(group.chat_id)!.members).not.toContain(user(emu, 'dave').open_id);
  });

  it('refuses additions when only the owner may add members', async () => {
    demoChat(emu).settings.add_member_permission = 'only_owner';
    await expectChatError(client.im.chatMembers.create({ path: { chat_id: demoChat(emu).chat_id }, data: { id_list: [user(emu, 'dave').open_id] } }), 232017);
  });

  it('me_join joins public chats only', async () => {
    const pub = await userGroup({ name: 'Open House', chat_type: 'public', bot: false });
    const priv = await userGroup({ name: 'Closed', bot: false });
    expect((await client.im.chatMembers.isInChat({ path: { chat_id: pub.chat_id } })).data!.is_in_chat).toBe(false);
    expect((await client.im.chatMembers.meJoin({ path: { chat_id: pub.chat_id } })).code).toBe(0);
    expect((await client.im.chatMembers.isInChat({ path: { chat_id: pub.chat_id } })).data!.is_in_chat).toBe(true);
    await expectChatError(client.im.chatMembers.meJoin({ path: { chat_id: priv.chat_id } }), 232008);
    await expectChatError(client.im.chatMembers.isInChat({ path: { chat_id: 'oc_nope' } }), 232006);
  });
});

describe('control routes: people create groups and add or remove the bot', () => {
  it('POST /__emulator/chats creates a group owned by Alice with the bot; the bot can then be removed and re-added', async () => {
    const g = await userGroup({ name: 'oncall', members: ['bob', user(emu, 'carol').email] });
    expect(g.members).toEqual([user(emu, 'alice').open_id, user(emu, 'bob').open_id, user(emu, 'carol').open_id]);
    expect(g.bots).toEqual([emu.app.appId]);
    const got = (await client.im.chat.get({ path: { chat_id: g.chat_id } })).data!;
    expect(got).toMatchObject({ name: 'oncall', owner_id: user(emu, 'alice').open_id, user_count: '3', bot_count: '1' });

    const removed = await ctl.call('DELETE', `/__emulator/chats/${g.chat_id}/bot`, {});
    expect(removed.body).toMatchObject({ changed: true, bots: [] });
    await expectChatError(client.im.chat.get({ path: { chat_id: g.chat_id } }), 232011);
    const added = await ctl.call('POST', `/__emulator/chats/${g.chat_id}/bot`, { operator: 'bob' });
    expect(added.body).toMatchObject({ changed: true, bots: [emu.app.appId] });
    expect((await client.im.chatMembers.isInChat({ path: { chat_id: g.chat_id } })).data!.is_in_chat).toBe(true);

    expect((await ctl.call('POST', '/__emulator/chats/oc_nope/bot', {})).status).toBe(404);
    expect((await ctl.call('POST', '/__emulator/chats', { members: ['nobody'] })).status).toBe(400);
    expect((await ctl.call('POST', '/__emulator/chats', { nme: 'typo' })).status).toBe(400);
  });
});

describe('chat events', () => {
  it('pushes bot.added, user.added, user.deleted, updated, disbanded and bot.deleted to the app', async () => {
    const rx = await startReceiver((r) => (r.json?.type === 'url_verification' ? { body: JSON.stringify({ challenge: r.json.challenge }) } : {}));
    try {
      // The PATCH answers once the URL answered its challenge, so pushes go to a live, verified URL.
      const patched = await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${rx.url}/events`, encrypt_key: '' });
      expect(patched.body.verification.event_url).toEqual({ url: `${rx.url}/events`, verified: true });
      const events = () => rx.received.filter((r) => r.json?.schema === '2.0').map((r) => r.json);
      const ofType = (t: string) => events().filter((e) => e.header.event_type === t);
      const waitForType = (t: string, n = 1) => waitUntil(() => ofType(t).length >= n, 5000, () => `no ${t} among ${events().map((e) => e.header.event_type)}`);

      const alice = user(emu, 'alice');
      const g = await userGroup({ name: 'events room', members: ['bob'] });
      await waitForType('im.chat.member.bot.added_v1');
      const added = ofType('im.chat.member.bot.added_v1')[0];
      expect(added.header).toMatchObject({ app_id: emu.app.appId, tenant_key: emu.tenantKey });
      expect(added.event).toEqual({
        chat_id: g.chat_id,
        operator_id: { open_id: alice.open_id, union_id: alice.union_id, user_id: alice.user_id },
        external: false,
        operator_tenant_key: emu.tenantKey,
        name: 'events room',
        i18n_names: {},
      });

      const carol = user(emu, 'carol');
      await client.im.chatMembers.create({ path: { chat_id: g.chat_id }, data: { id_list: [carol.open_id] } });
      await waitForType('im.chat.member.user.added_v1');
      expect(ofType('im.chat.member.user.added_v1')[0].event.users).toEqual([
        { name: carol.name, tenant_key: emu.tenantKey, user_id: { open_id: carol.open_id, union_id: carol.union_id, user_id: carol.user_id } },
      ]);

      await ctl.call('DELETE', `/__emulator/chats/${g.chat_id}/bot`, { operator: 'bob' });
      await waitForType('im.chat.member.bot.deleted_v1');
      expect(ofType('im.chat.member.bot.deleted_v1')[0].event.operator_id.open_id).toBe(user(emu, 'bob').open_id);

      const own = (await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'own', user_id_list: ['bob'] } })).data!.chat_id!;
      await waitForType('im.chat.member.bot.added_v1', 2);
      await client.im.chat.update({ path: { chat_id: own }, data: { name: 'renamed' } });
      await waitForType('im.chat.updated_v1');
      expect(ofType('im.chat.updated_v1')[0].event).toMatchObject({ chat_id: own, before_change: { name: 'own' }, after_change: { name: 'renamed' } });
      await client.im.chatMembers.delete({ path: { chat_id: own }, params: { member_id_type: 'user_id' }, data: { id_list: ['bob'] } });
      await waitForType('im.chat.member.user.deleted_v1');
      await client.im.chat.delete({ path: { chat_id: own } });
      await waitForType('im.chat.disbanded_v1');
      expect(ofType('im.chat.disbanded_v1')[0].event).toMatchObject({ chat_id: own, name: 'renamed' });
    } finally {
      await ctl.call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: null });
      await rx.close();
    }
  });
});
