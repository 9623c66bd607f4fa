import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Messenger, card, mention, mentionAll, node, post, shareChat, text, uuidFrom } from '../../src/bot/index.js';
import { FeishuApiError } from '../../src/platform/index.js';
import { PNG_1x1, addGroup, demoChat, readAll, user } from '../helpers/im.js';
import { platformFor } from '../helpers/platform.js';
import { useEmulator } from '../helpers/emulator.js';

let messenger: Messenger;
const dir = mkdtempSync(join(tmpdir(), 'messenger-'));

const env = useEmulator();
beforeEach(() => {
  messenger = new Messenger(platformFor(env.emu));
});

const stored = (id: string) => env.emu.state.messages.get(id)!;
const contentOf = (id: string) => JSON.parse(stored(id).content);

describe('sending', () => {
  it('reaches a chat and a person by any receive id type', async () => {
    const alice = user(env.emu, 'alice');
    const chat = demoChat(env.emu).chat_id;
    const toChat = await messenger.sendText(chat, 'to the group');
    expect(toChat.chat_id).toBe(chat);
    const p2p = new Set<string>();
    for (const to of [alice.open_id, alice.union_id, 'alice', 'alice@example.com', { user_id: 'alice' }]) {
      const m = await messenger.sendText(to, 'direct');
      p2p.add(m.chat_id);
    }
    expect(p2p.size).toBe(1); // one p2p chat, whichever id named Alice
    const p2pChat = env.emu.state.chats.get([...p2p][0])!;
    expect(p2pChat.chat_mode).toBe('p2p');
    expect(p2pChat.members).toEqual([alice.open_id]);
  });

  it('text with @mentions and @all', async () => {
    const bob = user(env.emu, 'bob');
    const m = await messenger.send(demoChat(env.emu).chat_id, text(`${mention(bob.open_id, 'Bob')} and ${mentionAll()} look`));
    expect(contentOf(m.message_id).text).toBe(`<at user_id="${bob.open_id}">Bob</at> and <at user_id="all"></at> look`);
    expect(stored(m.message_id).mentions.map((x) => x.id)).toContain(bob.open_id);
  });

  it('posts built with the rich-text builder', async () => {
    const bob = user(env.emu, 'bob');
    const m = await messenger.send(
      demoChat(env.emu).chat_id,
      post('Deploy finished').line('service ', node.text('api', ['bold']), ' by ', node.at(bob.open_id)).line(node.link('logs', 'https://logs.example.com')).code('npm test', 'shell'),
    );
    expect(stored(m.message_id).msg_type).toBe('post');
    const c = contentOf(m.message_id).zh_cn;
    expect(c.title).toBe('Deploy finished');
    expect(c.content[0][1]).toEqual({ tag: 'text', text: 'api', style: ['bold'] });
    expect(c.content[1][0]).toEqual({ tag: 'a', text: 'logs', href: 'https://logs.example.com' });
  });

  it('images and files from a Buffer or a path, uploaded then sent', async () => {
    const chat = demoChat(env.emu).chat_id;
    const img = await messenger.sendImage(chat, PNG_1x1);
    const key = contentOf(img.message_id).image_key;
    expect(env.emu.state.uploads.get(key)?.kind).toBe('image');

    const path = join(dir, 'report.pdf');
    writeFileSync(path, '%PDF-1.4 tiny');
    const f = await messenger.sendFile(chat, path);
    const fileKey = contentOf(f.message_id).file_key;
    expect(env.emu.state.uploads.get(fileKey)).toMatchObject({ kind: 'file', type: 'pdf', file_name: 'report.pdf' });

    const imgPath = join(dir, 'dot.png');
    writeFileSync(imgPath, PNG_1x1);
    expect((await messenger.sendImage(chat, imgPath)).msg_type).toBe('image');
  });

  it('cards as JSON or as a template, and share_chat', async () => {
    const chat = demoChat(env.emu).chat_id;
    const json = { config: { update_multi: true }, header: { title: { tag: 'plain_text', content: 'Deploy?' } }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'api v2' } }] };
    const m1 = await messenger.sendCard(chat, json);
    expect(contentOf(m1.message_id)).toEqual(json);
    const m2 = await messenger.sendCard(chat, { template_id: 'AAqTemplate1', version: '1.0.2', variables: { service: 'api' } });
    expect(contentOf(m2.message_id)).toEqual({ type: 'template', data: { template_id: 'AAqTemplate1', template_version_name: '1.0.2', template_variable: { service: 'api' } } });
    const other = addGroup(env.emu, { name: 'shared' });
    const m3 = await messenger.send(chat, shareChat(other.chat_id));
    expect(contentOf(m3.message_id)).toEqual({ chat_id: other.chat_id });
    expect(card(json).msgType).toBe('interactive');
  });

  it('the same uuid sends one message; without one, every call is its own message', async () => {
    const chat = demoChat(env.emu).chat_id;
    const uuid = uuidFrom('evt_1', 'ack');
    const a = await messenger.sendText(chat, 'once', { uuid });
    const b = await messenger.sendText(chat, 'once', { uuid });
    expect(b.message_id).toBe(a.message_id);
    await messenger.sendText(chat, 'twice');
    await messenger.sendText(chat, 'twice');
    expect([...env.emu.state.messages.values()].filter((m) => m.content.includes('twice'))).toHaveLength(2);
  });

  it('a bot outside the chat gets 230002 with what to do', async () => {
    const outside = addGroup(env.emu, { name: 'no bot', bots: [] });
    const err = await messenger.sendText(outside.chat_id, 'hi').catch((e) => e);
    expect(err).toBeInstanceOf(FeishuApiError);
    expect(err.code).toBe(230002);
    expect(err.explain().action).toMatch(/Add the bot/);
  });
});

describe('after sending', () => {
  it('reply, reply in thread, edit, patch a card, get, recall', async () => {
    const chat = demoChat(env.emu).chat_id;
    const root = await messenger.sendText(chat, 'root');
    const r1 = await messenger.reply(root.message_id, text('a reply'));
    expect(r1.parent_id).toBe(root.message_id);
    const r2 = await messenger.reply(root.message_id, text('in thread'), { inThread: true });
    expect(r2.thread_id).toMatch(/^omt_/);

    const edited = await messenger.update(root.message_id, text('root (edited)'));
    expect(edited.updated ?? stored(root.message_id).updated).toBe(true);
    expect(contentOf(root.message_id).text).toBe('root (edited)');

    const c = await messenger.sendCard(chat, { config: { update_multi: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'v1' } }] });
    await messenger.patch(c.message_id, { config: { update_multi: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'v2' } }] });
    expect(contentOf(c.message_id).elements[0].text.content).toBe('v2');

    const got = await messenger.get(r1.message_id);
    expect(got.parent_id).toBe(root.message_id);
    await messenger.recall(r1.message_id);
    expect(stored(r1.message_id).deleted).toBe(true);
  });

  it('history: all pages, a time range, newest first, a limit', async () => {
    const chat = addGroup(env.emu, { name: 'history' }).chat_id;
    for (let i = 0; i < 7; i++) await messenger.sendText(chat, `m${i}`);
    const texts = async (o: Parameters<Messenger['history']>[1]) => {
      const out: string[] = [];
      for await (const m of messenger.history(chat, { pageSize: 3, ...o })) out.push(JSON.parse(m.body!.content).text);
      return out;
    };
    expect(await texts({})).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(await texts({ sort: 'desc', limit: 2 })).toEqual(['m6', 'm5']);
    expect(await texts({ since: new Date(Date.now() + 3600_000) })).toEqual([]);
    expect(await texts({ since: Date.now() - 3600_000, until: new Date(Date.now() + 3600_000).toISOString() })).toHaveLength(7);
  });

  it('downloads a message resource as a stream', async () => {
    const m = await messenger.sendImage(demoChat(env.emu).chat_id, PNG_1x1);
    const key = contentOf(m.message_id).image_key;
    const res = await messenger.download(m.message_id, key, 'image');
    expect(await readAll(res.stream)).toEqual(PNG_1x1);
    expect(res.contentType).toMatch(/image\/png/);
    const again = await messenger.download(m.message_id, key, 'image');
    const out = join(dir, 'saved.png');
    await again.saveTo(out);
    expect(readFileSync(out)).toEqual(PNG_1x1);
  });
});

describe('chats and members', () => {
  it('create (deduplicated by uuid), list, search, get, update, members, disband', async () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((k) => user(env.emu, k).open_id);
    const created = await messenger.chats.create({ name: 'incident 42', description: 'db down', users: [alice, bob], uuid: 'incident-42' });
    const again = await messenger.chats.create({ name: 'incident 42', users: [alice, bob], uuid: 'incident-42' });
    expect(again.chat_id).toBe(created.chat_id);
    const id = created.chat_id;

    const listed: string[] = [];
    for await (const c of messenger.chats.list()) listed.push(c.chat_id);
    expect(listed).toContain(id);
    const found: string[] = [];
    for await (const c of messenger.chats.search('incident')) found.push(c.chat_id);
    expect(found).toEqual([id]);

    await messenger.chats.update(id, { name: 'incident 42 (resolved)' });
    expect((await messenger.chats.get(id)).name).toBe('incident 42 (resolved)');

    const added = await messenger.chats.addMembers(id, [carol, 'ou_nobody']);
    expect(added.invalid.concat(added.notExisting)).toContain('ou_nobody');
    const members = async () => {
      const out: string[] = [];
      for await (const m of messenger.chats.members(id)) out.push(m.member_id);
      return out.sort();
    };
    expect(await members()).toEqual([alice, bob, carol].sort());
    await messenger.chats.removeMembers(id, [bob]);
    expect(await members()).toEqual([alice, carol].sort());

    await messenger.chats.disband(id);
    expect(env.emu.state.chats.get(id)!.status).toBe('dissolved');
  });
});
