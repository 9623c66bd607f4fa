import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, emulatorAt, freePort, run, start } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-dev-'));
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // as in a project made by feishu-hub init
const cjsDir = mkdtempSync(join(tmpdir(), 'feishu-hub-dev-cjs-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cjsDir, { recursive: true, force: true });
});

const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
async function env() {
  return cleanEnv({ HUB_PORT: String(await freePort()), FEISHU_EMULATOR_PORT: String(await freePort()), FEISHU_HUB_CONFIG: '' });
}
const cli = async (args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, env: await env() });

describe('feishu-hub dev / serve --app: clear errors about the app module', () => {
  it('a missing file', async () => {
    const r = await cli(['dev', './nope.ts']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('./nope.ts not found');
    expect(r.stderr).toContain('feishu-hub dev ./app.ts');
  });

  it('no default export (naming what it does export)', async () => {
    file('named.ts', "export function app(hub: unknown) {}\nexport const x = 1;\n");
    const r = await cli(['serve', '--app', 'named.ts']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "feishu-hub: named.ts has no default export (it exports app, x; make the app the default export). Write for example: export default function app(hub) { hub.command('/hello', ({ reply }) => reply.text('hi')); }",
    );
  });

  it('a default export that is neither a function nor a capability', async () => {
    file('number.ts', 'export default 42;\n');
    file('object.ts', 'export default { commands: [] };\n');
    const n = await cli(['serve', '--app', 'number.ts']);
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('the default export of number.ts must be a function of the hub');
    expect(n.stderr).toContain('it is a number');
    const o = await cli(['serve', '--app', 'object.ts']);
    expect(o.stderr).toContain('it is an object without a "name" (keys: commands)');
  });

  it('a .ts app with import/export in a folder that is not "type": "module" says what to add', async () => {
    writeFileSync(join(cjsDir, 'app.ts'), 'export default () => {};\n');
    const r = await run(process.execPath, [BIN, 'serve', '--app', join(cjsDir, 'app.ts')], { cwd: cjsDir, env: await env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('uses import/export, but it is in a CommonJS package');
    expect(r.stderr).toContain('Add "type": "module" to package.json');
  });

  it("an app that throws while loading shows the app's own error and stack", async () => {
    file('throws.ts', "throw new Error('boom at load');\nexport default () => {};\n");
    const r = await cli(['serve', '--app', 'throws.ts']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the app failed to start');
    expect(r.stderr).toContain('boom at load');
    expect(r.stderr).toContain('throws.ts');
  });

  it('a capability object as the default export is registered like a function', async () => {
    const cap = file('cap.ts', "export default { name: 'greeter', setup: ({ hub }: any) => { hub.command('/greet', ({ reply }: any) => reply.text('hi from a capability')); } };\n");
    const p = start(process.execPath, [BIN, 'serve', '--app', cap], { cwd: dir, env: await env() });
    try {
      const [, url] = await p.waitFor(/local Feishu +(http:\/\/\S+)\//);
      const emulator = emulatorAt(url);
      const { chats, users } = await emulator.state();
      const id = await emulator.say(chats.find((c) => c.name === 'feishu-hub demo')!.chat_id, users[0].open_id, '@_bot /greet');
      expect(await emulator.replyTo(id)).toEqual(['hi from a capability']);
      p.child.kill('SIGTERM');
      expect((await p.closed).code).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);

  it('dev keeps watching an app that fails, and starts it once it is fixed', async () => {
    const app = file('app.ts', 'export default 42;\n');
    const e = await env();
    const dev = start(process.execPath, [BIN, 'dev', app], { cwd: dir, env: e });
    try {
      await dev.waitFor(/the app stopped \(exit code 1\); waiting for a change in .+ to start it again/);
      writeFileSync(app, "export default (hub: any) => hub.command('/hi', ({ reply }: any) => reply.text('fixed'));\n");
      await dev.waitFor(/^feishu-hub dev: app\.ts changed, restarting$/m);
      await dev.waitFor(/feishu-hub listening on/);
      const [, url] = await dev.waitFor(/local Feishu +(http:\/\/\S+)\//);
      const emulator = emulatorAt(url);
      const { chats, users } = await emulator.state();
      const id = await emulator.say(chats.find((c) => c.name === 'feishu-hub demo')!.chat_id, users[0].open_id, '@_bot /hi');
      expect(await emulator.replyTo(id)).toEqual(['fixed']);
      dev.child.kill('SIGINT');
      expect((await dev.closed).code).toBe(0);
      expect(dev.stdout()).toMatch(/^feishu-hub stopped \(SIGINT\)$/m);
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
    }
  }, 90_000);

  it('dev keeps one local Feishu across restarts: the chat in the browser survives a save', async () => {
    const app = file('keep.ts', "export default (hub: any) => hub.command('/v', ({ reply }: any) => reply.text('v1'));\n");
    const dev = start(process.execPath, [BIN, 'dev', app], { cwd: dir, env: await env() });
    try {
      const [, url] = await dev.waitFor(/local Feishu +(http:\/\/\S+)\//);
      const emulator = emulatorAt(url);
      const { chats, users } = await emulator.state();
      const demo = chats.find((c) => c.name === 'feishu-hub demo')!.chat_id;
      const first = await emulator.say(demo, users[0].open_id, '@_bot /v');
      expect(await emulator.replyTo(first)).toEqual(['v1']);
      const mark = dev.output().length;
      writeFileSync(app, "export default (hub: any) => hub.command('/v', ({ reply }: any) => reply.text('v2'));\n");
      await dev.waitFor(/feishu-hub listening on/, 30_000, mark);
      const second = await emulator.say(demo, users[0].open_id, '@_bot /v');
      expect(await emulator.replyTo(second)).toEqual(['v2']);
      // Same emulator, same tenant: the first exchange is still there.
      expect(await emulator.replyTo(first)).toEqual(['v1']);
      dev.child.kill('SIGTERM');
      expect((await dev.closed).code).toBe(0);
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
    }
  }, 90_000);
});
