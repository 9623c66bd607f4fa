import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type Check } from '../../src/doctor/index.js';
import { BIN, ROOT, cleanEnv, freePort, run } from '../cli/process.js';
import { hubsOnOneDatabase } from '../helpers/hubs.js';

/**
 * `feishu-hub doctor` against the emulator and a real hub: a wrong secret, an event URL nothing
 * listens on, a hub with another encrypt key, and a healthy installation — each in words a newcomer
 * can act on, and the exit code says whether something must be fixed.
 */
describe('feishu-hub doctor', () => {
  let env: Awaited<ReturnType<typeof hubsOnOneDatabase>>;
  let hubUrl: string;
  beforeAll(async () => {
    env = await hubsOnOneDatabase();
    const { hub } = await env.hub();
    hubUrl = hub.url!;
  });
  afterAll(async () => env?.close());

  const check = (checks: Check[], id: string) => checks.find((c) => c.id === id)!;

  it('a healthy installation: the token, the clock, both push URLs answer the challenge, the database; nothing to fix', async () => {
    const report = await runDoctor(() => env.configFor({ HUB_PUBLIC_URL: hubUrl }));
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(check(report.checks, 'credentials')).toMatchObject({ status: 'ok' });
    expect(check(report.checks, 'clock')).toMatchObject({ status: 'ok' });
    expect(check(report.checks, 'event-url')).toMatchObject({ status: 'ok', detail: 'answered the url_verification challenge' });
    expect(check(report.checks, 'card-url')).toMatchObject({ status: 'ok' });
    expect(check(report.checks, 'database')).toMatchObject({ status: 'ok' });
  });

  it('a wrong app secret: exit 1, and it says which variable to fix and where to copy it from', async () => {
    const r = await run(process.execPath, [BIN, 'doctor'], {
      cwd: ROOT,
      env: cleanEnv({ FEISHU_APP_ID: env.emulator.app.appId, FEISHU_APP_SECRET: 'not-the-secret', FEISHU_DOMAIN: env.emulator.url, FEISHU_ENCRYPT_KEY: env.emulator.app.encryptKey ?? '', DATABASE_URL: env.configFor().databaseUrl }),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+Feishu app credentials/);
    expect(r.stdout).toContain('FEISHU_APP_SECRET is wrong: copy the App Secret from the app\'s Credentials & Basic Info page');
    expect(r.stdout).toContain('problem(s) to fix');
    expect(r.stdout).not.toContain('not-the-secret');
  });

  it('an event URL nothing listens on, and a hub with another encrypt key: each named with what to do (--json for scripts)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await run(process.execPath, [BIN, 'doctor', '--json'], {
      cwd: ROOT,
      env: cleanEnv({ FEISHU_APP_ID: env.emulator.app.appId, FEISHU_APP_SECRET: env.emulator.app.appSecret, FEISHU_DOMAIN: env.emulator.url, FEISHU_ENCRYPT_KEY: env.emulator.app.encryptKey ?? '', HUB_PUBLIC_URL: closed, DATABASE_URL: env.configFor().databaseUrl }),
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(false);
    expect(check(report.checks, 'credentials').status).toBe('ok');
    expect(check(report.checks, 'event-url')).toMatchObject({ status: 'fail', detail: 'not reachable from this machine (ECONNREFUSED)' });
    expect(check(report.checks, 'event-url').fix).toContain('make HUB_PUBLIC_URL the address Feishu reaches it at');

    const other = await runDoctor(() => env.configFor({ HUB_PUBLIC_URL: hubUrl, FEISHU_ENCRYPT_KEY: 'another-encrypt-key' }));
    expect(check(other.checks, 'event-url')).toMatchObject({ status: 'fail' });
    expect(check(other.checks, 'event-url').detail).toMatch(/refused the challenge \(HTTP 40[01]/);
    expect(check(other.checks, 'event-url').fix).toContain('another FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN');
  });

  it('a configuration that does not load is a failed check with the problem, not a crash', async () => {
    const report = await runDoctor(() => env.configFor({ FEISHU_APP_ID: 'not-an-app-id' }));
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ title: 'configuration', status: 'fail' });
    expect(report.checks[0].detail).toContain('FEISHU_APP_ID');
  });
});
