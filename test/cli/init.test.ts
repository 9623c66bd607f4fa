import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, emulatorAt, freePort, portIsFree, run, start } from './process.js';

/**
 * The newcomer's path, as the scaffold's README tells it: `feishu-hub init`, `npm install && npm start`,
 * `npm test` — with npm offline (the feishu-hub dependency is a file: link to this checkout).
 */
const tmp = mkdtempSync(join(tmpdir(), 'feishu-hub-init-'));
const project = join(tmp, 'my-bot');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const npm = (args: string[], env: NodeJS.ProcessEnv = cleanEnv()) => run('npm', args, { cwd: project, env });

describe('feishu-hub init → npm install → npm test → npm start', () => {
  it('init scaffolds the project and says what to run next; a non-empty folder needs --force', async () => {
    const r = await run(process.execPath, [BIN, 'init', project], { cwd: tmp, env: cleanEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('npm install && npm start');
    for (const f of ['package.json', 'app.ts', 'app.test.ts', 'feishu-hub.yaml', 'README.md', '.gitignore', 'tsconfig.json']) expect(existsSync(join(project, f)), f).toBe(true);

    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', scripts: { start: 'feishu-hub dev app.ts', test: 'feishu-hub test' }, dependencies: { 'feishu-hub': `file:${ROOT}` } });
    expect(Object.keys(pkg.dependencies)).toEqual(['feishu-hub']);
    expect(Object.keys(pkg.devDependencies ?? {})).toEqual([]);
    const readme = readFileSync(join(project, 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    expect(readme).toContain(`file:${ROOT}`); // the note on the unpublished dependency
    expect(readFileSync(join(project, 'feishu-hub.yaml'), 'utf8').split('\n').every((l) => l.trim() === '' || l.trimStart().startsWith('#'))).toBe(true);

    const again = await run(process.execPath, [BIN, 'init', project], { cwd: tmp, env: cleanEnv() });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty');
    expect(again.stderr).toContain('--force');
    const forced = await run(process.execPath, [BIN, 'init', project, '--force'], { cwd: tmp, env: cleanEnv() });
    expect(forced.code).toBe(0);
  }, 60_000);

  it('npm install works offline and warns about no engine', async () => {
    const r = await npm(['install', '--offline', '--no-audit', '--no-fund']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain('EBADENGINE');
    expect(existsSync(join(project, 'node_modules/.bin/feishu-hub'))).toBe(true);
  }, 120_000);

  it("npm test passes: node's test runner over app.test.ts, written with createTestHub", async () => {
    const r = await npm(['test']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^(#|ℹ) pass 2$/m);
    expect(r.stdout).toMatch(/^(#|ℹ) fail 0$/m);
  }, 120_000);

  it('npm start runs the bot in the sandbox; @bot /hello is answered; a change to app.ts restarts it; SIGTERM stops it', async () => {
    const hubPort = await freePort();
    const emulatorPort = await freePort();
    const p = start('npm', ['start'], { cwd: project, env: cleanEnv({ HUB_PORT: String(hubPort), FEISHU_EMULATOR_PORT: String(emulatorPort) }) });
    try {
      await p.waitFor(new RegExp(`feishu-hub listening on http://127\\.0\\.0\\.1:${hubPort} .*app: app\\.ts`), 60_000);
      const [, emulatorUrl] = await p.waitFor(/local Feishu +(http:\/\/127\.0\.0\.1:\d+)\//);
      const [, chatId, aliceId] = await p.waitFor(/chats\/(oc_\w+)\/messages[\s\S]*"sender":"(ou_\w+)"/);
      const emulator = emulatorAt(emulatorUrl);

      const first = await emulator.say(chatId, aliceId, '@_bot /hello');
      expect(await emulator.replyTo(first)).toEqual(['Hello from feishu-hub!']);

      // Edit the reply and save: one line, a new run, the new reply.
      const mark = p.output().length;
      const app = join(project, 'app.ts');
      writeFileSync(app, readFileSync(app, 'utf8').replace("reply.text('Hello from feishu-hub!')", "reply.text('Hello again, edited!')"));
      await p.waitFor(/^feishu-hub dev: app\.ts changed, restarting$/m, 30_000, mark);
      await p.waitFor(/feishu-hub listening on/, 60_000, mark);
      expect(p.output().slice(mark).match(/restarting/g)).toHaveLength(1);
      const second = await emulator.say(chatId, aliceId, '@_bot /hello');
      expect(await emulator.replyTo(second)).toEqual(['Hello again, edited!']);

      // Files that are not code or settings (logs, the SQLite data/) do not restart it.
      writeFileSync(join(project, 'notes.txt'), 'not code');
      mkdirSync(join(project, 'data'), { recursive: true });
      writeFileSync(join(project, 'data', 'x.db'), '');
      await new Promise((r) => setTimeout(r, 700));
      expect(p.output().slice(mark).match(/restarting/g)).toHaveLength(1);

      // npm passes SIGTERM to its `sh -c` only; the hub still stops cleanly and frees both ports.
      p.child.kill('SIGTERM');
      await p.closed;
      expect(p.stdout()).toMatch(/^feishu-hub stopped \(npm exited\)$/m);
      expect(p.stderr()).not.toMatch(/^\s+at /m);
      expect(await portIsFree(hubPort)).toBe(true);
      expect(await portIsFree(emulatorPort)).toBe(true);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 180_000);

  it('what npm start runs, `feishu-hub dev app.ts`, exits 0 on SIGTERM; a second npm start on the same ports says which port to change', async () => {
    const hubPort = await freePort();
    const emulatorPort = await freePort();
    const env = cleanEnv({ HUB_PORT: String(hubPort), FEISHU_EMULATOR_PORT: String(emulatorPort) });
    const dev = start(join(project, 'node_modules/.bin/feishu-hub'), ['dev', 'app.ts'], { cwd: project, env });
    try {
      await dev.waitFor(/feishu-hub listening on/, 60_000);
      await dev.waitFor(/local Feishu/);

      const second = await npm(['start'], env);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(`port ${emulatorPort} on 127.0.0.1 is already in use`);
      expect(second.stderr).toContain('FEISHU_EMULATOR_PORT');
      expect(second.output).not.toMatch(/^\s+at /m);

      dev.child.kill('SIGTERM');
      const { code } = await dev.closed;
      expect(code).toBe(0);
      expect(dev.stdout()).toMatch(/^feishu-hub stopped \(SIGTERM\)$/m);
      expect(await portIsFree(hubPort)).toBe(true);
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
    }
  }, 120_000);
});
