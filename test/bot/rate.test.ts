import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messenger, text } from '../../src/bot/index.js';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { user } from '../helpers/im.js';
import { calls, emulatorWithPlatform, platformFor } from '../helpers/platform.js';

let emu: EmulatorHandle;

beforeAll(async () => {
  ({ emu } = await emulatorWithPlatform()); // the platform's limits are on: 5/s per chat, 50/s & 1000/min per API
});
afterAll(() => emu.close());

describe('never exceed the platform limits', () => {
  it('500 messages to 5 chats, all at once: every one delivered, 0 × 429 seen by the emulator', async () => {
    const messenger = new Messenger(platformFor(emu));
    const alice = user(emu, 'alice').open_id;
    const chats: string[] = [];
    for (let i = 0; i < 5; i++) chats.push((await messenger.chats.create({ name: `load ${i}`, users: [alice] })).chat_id);

    const sent = await Promise.all(Array.from({ length: 500 }, (_, i) => messenger.sendText(chats[i % 5], `load ${i}`)));
    expect(new Set(sent.map((m) => m.message_id)).size).toBe(500);
    for (const chat of chats) expect([...emu.state.messages.values()].filter((m) => m.chat_id === chat)).toHaveLength(100);
    expect(calls(emu).filter((c) => c.status === 429)).toEqual([]);
  }, 60_000);

  it('replies count against the chat of the message they answer', async () => {
    const messenger = new Messenger(platformFor(emu));
    const chat = (await messenger.chats.create({ name: 'replies' })).chat_id;
    const root = await messenger.sendText(chat, 'root');
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? messenger.sendText(chat, `direct ${i}`) : messenger.reply(root.message_id, text(`reply ${i}`)))));
    expect(calls(emu).filter((c) => c.status === 429)).toEqual([]);
  }, 30_000);

  it('a person reached by open_id and by email shares one 5/s budget once the p2p chat is known', async () => {
    const messenger = new Messenger(platformFor(emu));
    const bob = user(emu, 'bob');
    const first = await messenger.sendText(bob.open_id, 'first'); // learns Bob's p2p chat…
    await messenger.sendText(bob.email, 'second'); // …and that this email is the same person
    const keyOf = (type: string, id: string) => messenger.platform.recipients.limitsFor('POST', '/open-apis/im/v1/messages', { receive_id_type: type }, { receive_id: id })[0].key;
    expect(keyOf('email', bob.email)).toBe(`chat:${first.chat_id}`);
    expect(keyOf('open_id', bob.open_id)).toBe(`chat:${first.chat_id}`);
    // (Before that, two aliases sent within the same second could each take a full budget.)
    await new Promise((r) => setTimeout(r, 1100));
    await Promise.all(Array.from({ length: 12 }, (_, i) => messenger.sendText(i % 2 ? bob.open_id : bob.email, `mixed ${i}`)));
    expect(calls(emu).filter((c) => c.status === 429)).toEqual([]);
  }, 30_000);
});
