import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

let t: TestHub;

const control = (path: string, method: string, body?: unknown) =>
  fetch(`${t.emulator.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json());

/** Waits until the hub's inbox has handled (done or dead) every event of `type`, at least `count`. */
async function handled(type: string, count = 1) {
  for (let i = 0; i < 200; i++) {
    const rows = await t.hub.store!.db.selectFrom('inbox').select(['status', 'last_error']).where('event_type', '=', type).execute();
    const finished = rows.filter((r) => r.status === 'done' || r.status === 'dead');
    if (finished.length >= count) return finished;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${type} event was handled`);
}

beforeAll(async () => {
  t = await createTestHub({ setup: (hub) => void hub.command('/status', ({ reply }) => reply.text('all green')) });
});
afterAll(() => t?.close());

describe('the bot capability', () => {
  it('does not welcome a chat that its own bot created (a war room), but does welcome one a person adds it to', async () => {
    const room = await t.hub.messenger.chats.create({ name: 'war room', users: [t.users.alice.open_id] });
    const [event] = await handled('im.chat.member.bot.added_v1');
    expect(event.status).toBe('done');
    expect(t.messages(room.chat_id).filter((m) => m.sender.sender_type === 'app')).toEqual([]);

    const { chat_id } = (await control('/__emulator/chats', 'POST', { name: 'ops', members: [t.users.bob.open_id], bot: true })) as { chat_id: string };
    await handled('im.chat.member.bot.added_v1', 2);
    const welcome = t.messages(chat_id).find((m) => m.sender.sender_type === 'app');
    expect(welcome && JSON.parse(welcome.content).text).toMatch(/Type \/help/);
  });

  it('when the chat refuses the answer for good (230002), the user is told in p2p and the dead letter says so', async () => {
    await control('/__emulator/faults', 'POST', { method: 'POST', path: '/open-apis/im/v1/messages/:message_id/reply', status: 400, code: 230002, msg: 'Bot/User can NOT be out of the chat.' });
    try {
      const replies = await t.say('/status', { waitMs: 500 });
      expect(replies).toEqual([]); // nothing reached the group
      const [dead] = await handled('im.message.receive_v1', 1).then((rows) => rows.filter((r) => r.status === 'dead'));
      expect(dead.last_error).toMatch(/note: the chat refused the answer \(230002 .*\); the user was told in p2p/);
      const p2p = [...t.emulator.state.chats.values()].find((c) => c.chat_mode === 'p2p' && c.members.includes(t.users.alice.open_id))!;
      const apology = t.messages(p2p.chat_id).filter((m) => m.sender.sender_type === 'app');
      expect(apology).toHaveLength(1);
      expect(JSON.parse(apology[0].content).text).toMatch(/^Sorry, something went wrong while handling that\. The team can look it up with reference /);
    } finally {
      await control('/__emulator/faults', 'DELETE');
    }
  });
});
