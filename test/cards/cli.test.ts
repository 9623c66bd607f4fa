import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { previewFile, registerCardCommand, validateFiles } from '../../src/cli/commands/card.js';

const valid = (name: string) => join(import.meta.dirname, 'corpus', 'valid', `${name}.json`);
const invalid = (name: string) => join(import.meta.dirname, 'corpus', 'invalid', `${name}.json`);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

describe('feishu-hub card validate', () => {
  it('exits 0 and says so when every card is valid', async () => {
    const c = capture();
    expect(await validateFiles([valid('ref-v1-approval'), valid('v2-form-inputs')], {}, c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/valid +.*ref-v1-approval\.json[\s\S]*2 card\(s\) valid/);
  });

  it('exits 1 and prints one path + rule line per problem', async () => {
    const c = capture();
    expect(await validateFiles([valid('ref-v2-approval'), invalid('v2-text-tag-unknown'), invalid('v2-note-module')], {}, c.io)).toBe(1);
    const text = c.out.join('\n');
    expect(text).toContain('invalid  ');
    expect(text).toMatch(/^ {2}body\.elements\[2\]\.text\.tag: enum — /m);
    expect(text).toMatch(/^ {2}body\.elements\[1\]\.tag: unsupported_in_v2 — /m);
    expect(text).toContain('2 of 3 card(s) invalid');
  });

  it('prints machine-readable results with --json, and reports unreadable files', async () => {
    const c = capture();
    const missing = join(import.meta.dirname, 'corpus', 'no-such-card.json');
    expect(await validateFiles([invalid('v2-img-without-alt'), missing], { json: true }, c.io)).toBe(1);
    const results = JSON.parse(c.out.join('\n'));
    expect(results[0]).toMatchObject({ ok: false, errors: [{ path: 'body.elements[0].alt', rule: 'required' }] });
    expect(results[1].ok).toBe(false);
    expect(results[1].errors[0].message).toContain('cannot read the file');
  });

  it('honours --max-bytes through the registered command and sets the exit code', async () => {
    const program = new Command().exitOverride();
    registerCardCommand(program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program.parseAsync(['card', 'validate', '--max-bytes', '500', valid('v2-table')], { from: 'user' });
      expect(process.exitCode).toBe(1);
      expect(log.mock.calls.flat().join('\n')).toContain('max_size');
      process.exitCode = 0;
      await program.parseAsync(['card', 'validate', valid('v2-table')], { from: 'user' });
      expect(process.exitCode).toBe(0);
    } finally {
      log.mockRestore();
      process.exitCode = 0;
    }
  });
});

describe('feishu-hub card preview', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const body = async (req: IncomingMessage) => {
    let s = '';
    for await (const chunk of req) s += chunk;
    return JSON.parse(s) as { card: unknown };
  };

  async function fakeEmulator(withRoute: boolean) {
    const received: unknown[] = [];
    server = createServer(async (req, res) => {
      if (withRoute && req.method === 'POST' && req.url === '/__emulator/cards/preview') {
        received.push((await body(req)).card);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: '/#/cards/preview/1' }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 404, msg: 'not found' }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, received };
  }

  it('posts the card to the emulator and prints the absolute URL it answers', async () => {
    const emu = await fakeEmulator(true);
    const c = capture();
    expect(await previewFile(valid('ref-v1-approval'), { emulator: `${emu.url}/` }, c.io)).toBe(0);
    expect(c.out).toEqual([`${emu.url}/#/cards/preview/1`]);
    expect(emu.received).toHaveLength(1);
    expect(emu.received[0]).toMatchObject({ header: { title: { content: 'Expense approval' } } });
  });

  it('validates first and does not post an invalid card', async () => {
    const emu = await fakeEmulator(true);
    const c = capture();
    expect(await previewFile(invalid('v2-img-without-alt'), { emulator: emu.url }, c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('body.elements[0].alt: required');
    expect(emu.received).toHaveLength(0);
  });

  it('explains that the emulator must be running when the route is missing or nothing listens', async () => {
    const emu = await fakeEmulator(false);
    const c = capture();
    expect(await previewFile(valid('v2-buttons'), { emulator: emu.url }, c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('no card preview route');
    expect(c.err.join('\n')).toContain('the emulator must be running');

    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const d = capture();
    expect(await previewFile(valid('v2-buttons'), { emulator: emu.url }, d.io)).toBe(1);
    expect(d.err.join('\n')).toMatch(/no emulator is answering at http:\/\/127\.0\.0\.1:\d+: the emulator must be running/);
  });
});
