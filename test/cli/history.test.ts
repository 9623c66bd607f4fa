import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control } from '../helpers/emulator.js';
import { addGroup } from '../helpers/im.js';
import { BIN, ROOT, cleanEnv, run } from './process.js';

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());
beforeEach(() => control(emu).reset());

const cli = (args: string[]) => run(process.execPath, [BIN, ...args, '--emulator', emu.url], { cwd: ROOT, env: cleanEnv() });
const user = (id: string) => emu.state.users.find((u) => u.user_id === id)!;
const contactCalls = () => emu.state.calls.filter((c) => c.path.startsWith('/open-apis/contact/v3/users'));
/** The SENDER column of `history`'s table (cells are separated by two spaces or more). */
const senders = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s{2,}/)[1]);

describe('feishu-hub history: sender names', () => {
  it('shows people by name (one contact lookup for all their messages) and the bot by its name; --json keeps the ids', async () => {
    const chat = addGroup(emu, { name: 'names' }).chat_id;
    const ctl = control(emu);
    const alice = user('alice');
    const bob = user('bob');
    await ctl.call('POST', `/__emulator/chats/${chat}/messages`, { sender: alice.open_id, text: 'one' });
    await ctl.call('POST', `/__emulator/chats/${chat}/messages`, { sender: bob.open_id, text: 'two' });
    await ctl.call('POST', `/__emulator/chats/${chat}/messages`, { sender: alice.open_id, text: 'three' });
    expect((await cli(['send', '--chat', chat, '--text', 'four'])).code).toBe(0);

    const before = contactCalls().length;
    const h = await cli(['history', chat]);
    expect(h.code, h.stderr).toBe(0);
    const bot = emu.state.defaultApp.botName;
    expect(senders(h.stdout)).toEqual([alice.name, bob.name, alice.name, `${bot} (bot)`]);
    expect(contactCalls().length - before).toBe(1); // one batch for both people

    const j = await cli(['history', chat, '--json']);
    expect((JSON.parse(j.stdout) as { sender: { id: string } }[]).map((m) => m.sender.id)).toEqual([alice.open_id, bob.open_id, alice.open_id, emu.app.appId]);
  }, 60_000);

  it('falls back to the ids when the contact API refuses', async () => {
    const chat = addGroup(emu, { name: 'no contact' }).chat_id;
    const ctl = control(emu);
    const alice = user('alice');
    await ctl.call('POST', `/__emulator/chats/${chat}/messages`, { sender: alice.open_id, text: 'hi' });
    await ctl.call('POST', '/__emulator/faults', { path: '/open-apis/contact/v3/users*', status: 400, code: 99991672, msg: 'Access denied (contact scope)' });
    const h = await cli(['history', chat]);
    expect(h.code, h.stderr).toBe(0);
    expect(senders(h.stdout)).toEqual([`user ${alice.open_id}`]);
    expect(h.stderr).toBe('');
  }, 60_000);
});
