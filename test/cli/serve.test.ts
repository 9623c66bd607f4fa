import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, emulatorAt, eventually, freePort, portIsFree, run, start, type Running } from './process.js';

const FIXTURES = resolve(ROOT, 'test/fixtures/events');
const APP = resolve(ROOT, 'templates/app/app.ts'); // the app `feishu-hub init` scaffolds: /hello, /card, hello.wave
const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `feishu-hub serve` in sandbox mode on free ports, its own database, and the listening line awaited. */
async function serve(args: string[] = [], extraEnv: Record<string, string> = {}) {
  const hubPort = await freePort();
  const emulatorPort = await freePort();
  const env = cleanEnv({ HUB_PORT: String(hubPort), FEISHU_EMULATOR_PORT: String(emulatorPort), DATABASE_URL: `sqlite:${join(dir, `hub-${hubPort}.db`)}`, FEISHU_HUB_CONFIG: '', ...extraEnv });
  const p = start(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env });
  await p.waitFor(/feishu-hub listening on http:\/\/127\.0\.0\.1:\d+/);
  await p.waitFor(/local Feishu +http:\/\/127\.0\.0\.1:\d+/);
  return { p, hubPort, emulatorPort, env, hub: `http://127.0.0.1:${hubPort}`, emulator: emulatorAt(`http://127.0.0.1:${emulatorPort}`) };
}

const cli = (args: string[], env: NodeJS.ProcessEnv) => run(process.execPath, [BIN, ...args], { cwd: ROOT, env });

describe('feishu-hub serve', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve(['--app', APP]);
  }, 60_000);
  afterAll(async () => {
    if (s.p.child.exitCode === null) s.p.child.kill('SIGKILL');
  });

  it('a clash on either port names the port, its role and the variable to change, in one line, exit 3', async () => {
    const emulatorClash = await cli(['serve'], { ...s.env, HUB_PORT: String(await freePort()) });
    expect(emulatorClash.code).toBe(3);
    expect(emulatorClash.stderr.trim().split('\n')).toHaveLength(1);
    expect(emulatorClash.stderr).toContain(`port ${s.emulatorPort} on 127.0.0.1 is already in use`);
    expect(emulatorClash.stderr).toContain('local Feishu (sandbox emulator)');
    expect(emulatorClash.stderr).toContain('set FEISHU_EMULATOR_PORT');

    const hubClash = await cli(['serve'], { ...s.env, FEISHU_EMULATOR_PORT: String(await freePort()) });
    expect(hubClash.code).toBe(3);
    expect(hubClash.stderr.trim().split('\n')).toHaveLength(1);
    expect(hubClash.stderr).toContain(`port ${s.hubPort} on 127.0.0.1 is already in use, so the hub cannot listen there`);
    expect(hubClash.stderr).toContain('set HUB_PORT (or --port)');
    expect(hubClash.stderr).not.toMatch(/^\s+at /m);

    const standalone = await cli(['emulator', '--port', String(s.emulatorPort)], s.env);
    expect(standalone.code).toBe(3);
    expect(standalone.stderr.trim()).toBe(
      `feishu-hub: port ${s.emulatorPort} on 127.0.0.1 is already in use, so the local Feishu emulator cannot listen there (is another feishu-hub running?). Stop the other process, or set --port to a free port.`,
    );
  }, 60_000);

  it('runs the app given with --app: @bot /hello gets its reply', async () => {
    const { chats, users } = await s.emulator.state();
    const demo = chats.find((c) => c.name === 'feishu-hub demo')!;
    const id = await s.emulator.say(demo.chat_id, users[0].open_id, '@_bot /hello');
    expect(await s.emulator.replyTo(id)).toEqual(['Hello from feishu-hub!']);
  });

  it('receive posts the message fixture the help cites; the hub runs /ping for it', async () => {
    const help = await cli(['receive', '--help'], s.env);
    const cited = [...help.stdout.matchAll(/-p (test\/fixtures\/\S+\.json)/g)].map((m) => m[1]);
    expect(cited).toEqual(['test/fixtures/events/im.message.receive_v1.json', 'test/fixtures/events/card.action.trigger.json']);

    const r = await cli(['receive', '-e', 'im.message.receive_v1', '-p', cited[0]], s.env);
    expect(r.stdout).toContain(`POST ${s.hub}/webhook/event  im.message.receive_v1`);
    expect(r.stdout).toContain('(encrypted, signed)');
    expect(r.stdout).toContain('HTTP 200');
    expect(r.code).toBe(0);
    // The fixture's message is not in the emulator, so the /ping answer is refused; that the hub tried is the point.
    await eventually(async () => (await s.emulator.state()).calls.find((c) => c.method === 'POST' && c.path.includes('om_f17e5a2d0c94b3e8a6f1d2c3b4a59687/reply')), 10_000, 'the /ping reply');
  });

  it('receive posts the card click fixture to /webhook/card; the app toasts and updates the card', async () => {
    const r = await cli(['receive', '-e', 'card.action.trigger', '-p', join(FIXTURES, 'card.action.trigger.json')], s.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`POST ${s.hub}/webhook/card  card.action.trigger`);
    expect(r.stdout).toContain('HTTP 200');
    const answer = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(answer.toast).toMatchObject({ content: 'You waved back!' });
    expect(answer.card).toMatchObject({ type: 'raw' });
  });

  it('SIGTERM drains and stops: one line, exit 0, both ports free', async () => {
    s.p.child.kill('SIGTERM');
    const { code } = await s.p.closed;
    expect(code).toBe(0);
    expect(s.p.stdout()).toMatch(/^feishu-hub stopped \(SIGTERM\)$/m);
    expect(await portIsFree(s.hubPort)).toBe(true);
    expect(await portIsFree(s.emulatorPort)).toBe(true);
  }, 30_000);
});

describe('feishu-hub serve: stopping', () => {
  it('SIGINT stops it the same way', async () => {
    const { p, hubPort } = await serve();
    p.child.kill('SIGINT');
    expect((await p.closed).code).toBe(0);
    expect(p.stdout()).toMatch(/^feishu-hub stopped \(SIGINT\)$/m);
    expect(await portIsFree(hubPort)).toBe(true);
  }, 60_000);

  it('a second signal exits at once while the first is still waiting for a request in flight', async () => {
    const { p, emulatorPort } = await serve();
    // A request whose body never ends keeps the emulator's server from closing.
    const socket = connect(emulatorPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /__emulator/reset HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 800));
    expect(p.child.exitCode).toBe(null); // still draining
    p.child.kill('SIGTERM');
    const { code } = await p.closed;
    socket.destroy();
    expect(code).toBe(130);
    expect(p.stderr()).toContain('SIGTERM again, exiting without waiting');
  }, 60_000);

  it("under npm, a SIGTERM that npm's sh -c does not pass on still stops it (its parent went away)", async () => {
    // What `npm start` does: npm → sh -c "node bin/feishu-hub.js serve"; npm forwards SIGTERM to the sh only.
    const hubPort = await freePort();
    const emulatorPort = await freePort();
    const env = cleanEnv({ HUB_PORT: String(hubPort), FEISHU_EMULATOR_PORT: String(emulatorPort), DATABASE_URL: `sqlite:${join(dir, 'npm.db')}`, FEISHU_HUB_CONFIG: '', npm_lifecycle_event: 'start' });
    const sh = start('sh', ['-c', `"${process.execPath}" "${BIN}" serve; echo "sh: serve exited $?"`], { cwd: ROOT, env });
    await sh.waitFor(/feishu-hub listening on/);
    sh.child.kill('SIGTERM'); // the shell dies; node, its child, is left without a parent
    await sh.closed; // every holder of the output pipe (node too) has gone
    expect(sh.stdout()).toMatch(/^feishu-hub stopped \(npm exited\)$/m);
    expect(await portIsFree(hubPort)).toBe(true);
    expect(await portIsFree(emulatorPort)).toBe(true);
  }, 60_000);
});
