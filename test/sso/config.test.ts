import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, createHub, loadConfig, startEmulator, type EmulatorHandle } from '../../src/index.js';
import { startHub } from '../../src/sandbox/index.js';
import { KvStore } from '../../src/store/index.js';
import { captureLogs } from '../helpers/hubs.js';
import { Jar, loginAs, SECRET } from './helpers.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'feishu-hub-sso-config-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const appConfig = (emu: EmulatorHandle, dir: string, extra: Record<string, string | number> = {}) =>
  loadConfig({
    env: {},
    file: undefined,
    overrides: { FEISHU_APP_ID: emu.app.appId, FEISHU_APP_SECRET: emu.app.appSecret, FEISHU_VERIFICATION_TOKEN: emu.app.verificationToken ?? 'v', FEISHU_DOMAIN: emu.url, HUB_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'silent', ...extra },
  });

describe('sso: configuration and secrets', () => {
  it('Feishu login without HUB_SESSION_SECRET stops the start with what to set; a short one is refused', async () => {
    const emu = await startEmulator({ port: 0 });
    try {
      let err: unknown;
      try {
        createHub({ config: appConfig(emu, tmp()), sections: { sso: { admins: ['alice@example.com'] } } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toMatch(/HUB_SESSION_SECRET is required for Feishu login .*openssl rand -hex 32/);
      expect(() => appConfig(emu, tmp(), { HUB_SESSION_SECRET: 'too-short' })).toThrow(/HUB_SESSION_SECRET must be at least 32 characters/);
      expect(() => createHub({ config: appConfig(emu, tmp(), { HUB_SESSION_SECRET: SECRET }), sections: { sso: { bind_claim: 'nickname' } } })).toThrow(/sso\.bind_claim must be one of email_local, email, user_id, employee_no, none/);
    } finally {
      await emu.close();
    }
  });

  it('without an sso section (outside the sandbox) there is no login and no secret is needed', async () => {
    const emu = await startEmulator({ port: 0 });
    const hub = createHub({ config: appConfig(emu, tmp()) });
    try {
      await hub.start();
      expect(hub.sso.enabled).toBe(false);
      expect((await fetch(`${hub.url}/login/feishu`)).status).toBe(404);
      await hub.accounts.bind({ feishu: 'ou_x1', system: 'x1', source: 'cli' }); // the binding service works anyway
      expect(await hub.accounts.systemUserOf('ou_x1')).toBe('x1');
    } finally {
      await hub.stop();
      await emu.close();
    }
  });

  it('under an https HUB_PUBLIC_URL the cookies are Secure (and only sent back over https: X-Forwarded-Proto with HUB_TRUST_PROXY)', async () => {
    const emu = await startEmulator({ port: 0 });
    const hub = createHub({ config: appConfig(emu, tmp(), { HUB_SESSION_SECRET: SECRET, HUB_PUBLIC_URL: 'https://hub.example.com', HUB_TRUST_PROXY: 'true' }), sections: { sso: { admins: [] } } });
    try {
      await hub.start();
      await fetch(`${emu.url}/__emulator/apps/${emu.app.appId}/redirect-urls`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_urls: ['https://hub.example.com/callback/feishu'] }) });
      const jar = new Jar();
      const start = await jar.fetch(`${hub.url}/login/feishu?return_to=/me`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(start.headers.getSetCookie().join('\n')).toMatch(/feishu_hub_login=.*; Secure/i);
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.searchParams.get('redirect_uri')).toBe('https://hub.example.com/callback/feishu');
      authorize.searchParams.set('login_as', emu.state.users[1].open_id);
      const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
      const callback = await jar.fetch(`${hub.url}/callback/feishu${back.search}`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(callback.status).toBe(302);
      expect(callback.headers.getSetCookie().find((c) => c.startsWith('feishu_hub_session='))).toMatch(/; Secure/i);
    } finally {
      await hub.stop();
      await emu.close();
    }
  });

  it('sandbox: the generated session secret is kept in the database (sessions survive a restart) and never logged', async () => {
    const dir = tmp();
    const config = () => ({ ...loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, FEISHU_EMULATOR_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'debug' } }), sandbox: true, app: { encryptKeys: [], verificationTokens: [] } });
    const logs = captureLogs();
    const first = await startHub(config(), { logger: logs.logger });
    const jar = new Jar();
    await loginAs(jar, first.hub.url!, first.emulator!.state.users[0].open_id);
    // A tampered state is refused with a log line saying why.
    const start = await jar.fetch(`${first.hub.url}/login/feishu`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state');
    expect((await jar.fetch(`${first.hub.url}/callback/feishu?code=x&state=${state}tampered`)).status).toBe(403);
    expect(logs.lines.some((l) => l.msg === 'Feishu login refused at the callback' && l.reason === 'unknown_state')).toBe(true);
    const secret = await new KvStore(first.hub.store!).get('sso', 'sandbox_session_secret');
    expect(secret?.length).toBeGreaterThanOrEqual(32);
    await first.stop();
    const second = await startHub(config(), { logger: logs.logger });
    try {
      const me = await fetch(`${second.hub.url}/me.json`, { headers: { cookie: jar.header() } });
      expect(me.status).toBe(200);
      expect(JSON.stringify(logs.lines)).not.toContain(secret);
    } finally {
      await second.stop();
    }
  });
});
