import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { PNG_1x1, addGroup, demoChat } from '../helpers/im.js';
import { control } from '../helpers/emulator.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-'));
let emu: EmulatorHandle;

/** Runs `node bin/feishu-hub.js …` with a clean environment (no FEISHU_* from the developer's shell). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(FEISHU_|HUB_|REDIS_URL|DATABASE_URL)/.test(k)));
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['bin/feishu-hub.js', ...args], { cwd: ROOT, env: { ...clean, FEISHU_HUB_CONFIG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}
const emuFlag = () => ['--emulator', emu.url];
const messages = () => [...emu.state.messages.values()];

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

describe('feishu-hub messaging commands', () => {
  it('every command has --help with examples', async () => {
    const top = await cli(['--help']);
    for (const c of ['chats', 'send', 'history', 'recall', 'webhook']) expect(top.stdout).toContain(c);
    const helps = await Promise.all(['chats', 'send', 'history', 'recall', 'webhook'].map((c) => cli([c, '--help'])));
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('Examples:');
    }
    expect(helps[1].stdout).toContain('--emulator <url>');
  }, 60_000);

  it('without credentials it says how to configure an app or use the emulator', async () => {
    const r = await cli(['chats']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FEISHU_APP_ID');
    expect(r.stderr).toContain('--emulator http://127.0.0.1:9000');
  }, 30_000);

  it('chats: a table by default, JSON with --json; credentials from the environment work too', async () => {
    const table = await cli(['chats', ...emuFlag()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CHAT ID\s+NAME/);
    expect(table.stdout).toContain(demoChat(emu).chat_id);
    const fromEnv = await cli(['chats', '--json'], { FEISHU_APP_ID: emu.app.appId, FEISHU_APP_SECRET: emu.app.appSecret, FEISHU_DOMAIN: emu.url });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout).map((c: { chat_id: string }) => c.chat_id)).toContain(demoChat(emu).chat_id);
  }, 30_000);

  it('send: text to a chat and to a person by email, a card, an image, a file', async () => {
    const chat = demoChat(emu).chat_id;
    const t = await cli(['send', '--chat', chat, '--text', 'hello from the CLI', ...emuFlag()]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^Sent text message om_\w+ to oc_/);
    expect(messages().some((m) => m.chat_id === chat && m.content.includes('hello from the CLI'))).toBe(true);

    const u = await cli(['send', '--user', 'alice@example.com', '--text', 'psst', '--json', ...emuFlag()]);
    expect(u.code).toBe(0);
    const sent = JSON.parse(u.stdout);
    expect(emu.state.chats.get(sent.chat_id)!.chat_mode).toBe('p2p');

    const cardPath = join(dir, 'card.json');
    writeFileSync(cardPath, JSON.stringify({ header: { title: { tag: 'plain_text', content: 'CLI card' } }, elements: [] }));
    const imagePath = join(dir, 'dot.png');
    writeFileSync(imagePath, PNG_1x1);
    const filePath = join(dir, 'notes.pdf');
    writeFileSync(filePath, '%PDF-1.4 notes');
    const [c, i, f] = await Promise.all([
      cli(['send', '--chat', chat, '--card', cardPath, ...emuFlag()]),
      cli(['send', '--chat', chat, '--image', imagePath, ...emuFlag()]),
      cli(['send', '--chat', chat, '--file', filePath, ...emuFlag()]),
    ]);
    expect([c.code, i.code, f.code]).toEqual([0, 0, 0]);
    expect(c.stdout).toContain('Sent interactive message');
    expect(i.stdout).toContain('Sent image message');
    expect(f.stdout).toContain('Sent file message');
  }, 60_000);

  it('send: errors give the Feishu code, what it means and what to do, exit 1', async () => {
    const outside = addGroup(emu, { name: 'no bot here', bots: [] }).chat_id;
    const r = await cli(['send', '--chat', outside, '--text', 'hi', ...emuFlag()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Feishu error 230002');
    expect(r.stderr).toContain('what it means: The bot is not in the chat.');
    expect(r.stderr).toMatch(/what to do: +Add the bot to the chat/);
    expect(r.stderr).toMatch(/log id: +\d{14}/);
    const j = await cli(['send', '--chat', outside, '--text', 'hi', '--json', ...emuFlag()]);
    expect(JSON.parse(j.stderr).error).toMatchObject({ code: 230002, retryable: false, action: expect.stringMatching(/Add the bot/) });

    const usage = await cli(['send', '--chat', outside, '--user', 'ou_x', '--text', 'hi', ...emuFlag()]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('exactly one of --chat');
    const noContent = await cli(['send', '--chat', outside, ...emuFlag()]);
    expect(noContent.stderr).toContain('exactly one of --text, --card, --image, --file');
  }, 60_000);

  it('history: the latest messages oldest first, with --limit and --since; recall removes one', async () => {
    const chat = addGroup(emu, { name: 'cli history' }).chat_id;
    for (const t of ['one', 'two', 'three']) await cli(['send', '--chat', chat, '--text', t, ...emuFlag()]);
    const h = await cli(['history', chat, '--limit', '2', ...emuFlag()]);
    expect(h.code).toBe(0);
    const lines = h.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SENDER\s+MESSAGE ID\s+CONTENT/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).at(-1))).toEqual(['two', 'three']);

    const j = await cli(['history', chat, '--since', '1h', '--json', ...emuFlag()]);
    const all = JSON.parse(j.stdout) as { message_id: string; body: { content: string } }[];
    expect(all.map((m) => JSON.parse(m.body.content).text)).toEqual(['one', 'two', 'three']);
    const bad = await cli(['history', chat, '--since', 'yesterday-ish', ...emuFlag()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--since must be an ISO time');

    const r = await cli(['recall', all[0].message_id, ...emuFlag()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Recalled ${all[0].message_id}`);
    expect(emu.state.messages.get(all[0].message_id)!.deleted).toBe(true);
    const h2 = await cli(['history', chat, ...emuFlag()]);
    expect(h2.stdout).toContain('(recalled)');
  }, 60_000);

  it('webhook: signed sends through a custom bot; a wrong secret exits 1 with 19021', async () => {
    const ctl = control(emu);
    const { body } = await ctl.call('POST', '/__emulator/webhook-bots', { chat_id: demoChat(emu).chat_id, secret: 'cli-secret' });
    const ok = await cli(['webhook', body.url, '--secret', 'cli-secret', '--text', 'from a custom bot']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Sent through the custom bot');
    expect(messages().some((m) => m.content.includes('from a custom bot'))).toBe(true);
    const fromEnv = await cli(['webhook', body.url, '--text', 'env secret'], { FEISHU_WEBHOOK_SECRET: 'cli-secret' });
    expect(fromEnv.code).toBe(0);
    const bad = await cli(['webhook', body.url, '--secret', 'bad-secret-777', '--text', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Feishu error 19021');
    expect(bad.stderr).not.toContain('bad-secret-777');
  }, 60_000);
});
