import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { openDatabase } from '../../src/store/index.js';
import { TokenCipher } from '../../src/sso/index.js';
import type { SsoDb } from '../../src/sso/tables.js';
import { BIN, cleanEnv, freePort, start, type Running } from '../cli/process.js';
import { dropSchema, PG_URL, postgresAvailable } from '../helpers/stores.js';
import { Jar, loginAs, SECRET } from './helpers.js';

const TOKEN_PATH = '/open-apis/authen/v2/oauth/token';
const pgUp = await postgresAvailable();
if (!pgUp && process.env.CI !== 'true') console.warn(`[sso replicas] PostgreSQL is not reachable at ${PG_URL}: skipping the PostgreSQL case (CI=true makes this an error)`);

/**
 * Two hub processes (`feishu-hub serve`) on one database: a person logged in on one is logged in
 * on both (the session is in the database), and when their token expires both refresh at once —
 * exactly one spends the single-use refresh token, the other waits for it and uses the new token.
 */
describe.each([
  { name: 'SQLite file', skip: false, url: (dir: string) => `sqlite:${join(dir, 'hub.db')}` },
  { name: 'PostgreSQL', skip: !pgUp && process.env.CI !== 'true', url: () => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=sso_${process.pid}_${Date.now().toString(36)}` },
])('sso: two hub processes on one database ($name)', ({ skip, url }) => {
  let emulator: EmulatorHandle;
  let dir: string;
  let databaseUrl: string;
  const hubs: { proc: Running; url: string }[] = [];

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'feishu-hub-sso-replicas-'));
    databaseUrl = url(dir);
    emulator = await startEmulator({ port: 0 });
    const yaml = join(dir, 'feishu-hub.yaml');
    writeFileSync(yaml, 'sso:\n  admins: [alice@example.com]\n');
    const env = (port: number) =>
      cleanEnv({
        FEISHU_APP_ID: emulator.app.appId,
        FEISHU_APP_SECRET: emulator.app.appSecret,
        FEISHU_VERIFICATION_TOKEN: emulator.app.verificationToken ?? 'v',
        FEISHU_ENCRYPT_KEY: emulator.app.encryptKey ?? '',
        FEISHU_DOMAIN: emulator.url,
        FEISHU_HUB_CONFIG: yaml,
        HUB_PORT: String(port),
        HUB_SESSION_SECRET: SECRET,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
      });
    // One after the other: the first runs the migrations.
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = start(process.execPath, [BIN, 'serve'], { env: env(port) });
      await proc.waitFor(/feishu-hub listening on/, 30_000);
      hubs.push({ proc, url: `http://127.0.0.1:${port}` });
    }
  }, 90_000);

  afterAll(async () => {
    for (const h of hubs) {
      h.proc.child.kill('SIGTERM');
      await h.proc.closed;
    }
    await emulator?.close();
    if (databaseUrl?.startsWith('postgres')) await dropSchema(new URL(databaseUrl).searchParams.get('schema')!);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('concurrent refreshes leave the person logged in on both; the token is refreshed once', async () => {
    const [a, b] = hubs;
    const jar = new Jar();
    const { callback } = await loginAs(jar, a.url, emulator.state.users[0].open_id);
    expect(callback.status).toBe(302);
    // Logged in on the other replica too (same cookie, same database).
    expect(await (await jar.fetch(`${b.url}/me`)).text()).toContain('Signed in as');
    expect((await jar.fetch(`${a.url}/me/feishu`)).status).toBe(200);

    const store = await openDatabase(databaseUrl, { migrate: false });
    const db = store.db as unknown as SsoDb;
    const cipher = new TokenCipher(SECRET);
    try {
      const row = (await db.selectFrom('sso_user_tokens').selectAll().executeTakeFirst())!;
      const oldRefresh = cipher.open(row.refresh_token!, row.user_id);
      const mark = emulator.state.calls.at(-1)?.id ?? 0;
      await fetch(`${emulator.url}/__emulator/authen/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ open_id: emulator.state.users[0].open_id }) });

      const answers = await Promise.all([a, b, a, b].map((h) => jar.fetch(`${h.url}/me/feishu`)));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const refreshes = emulator.state.calls.filter((c) => c.id > mark && c.path === TOKEN_PATH);
      expect(refreshes).toHaveLength(1);
      // Each process asked for a refresh (Feishu refused the old token on both); one spent the refresh token.
      const made = await Promise.all([a, b].map(async (h) => Number(/^feishu_hub_sso_token_refreshes_total (\d+)/m.exec(await (await fetch(`${h.url}/metrics`)).text())?.[1] ?? NaN)));
      expect(made.sort()).toEqual([0, 1]);
      const refused = emulator.state.calls.filter((c) => c.id > mark && c.path === '/open-apis/authen/v1/user_info' && (c.status !== 200 || (c.code ?? 0) !== 0));
      expect(refused.length).toBeGreaterThanOrEqual(2);
      const after = (await db.selectFrom('sso_user_tokens').selectAll().executeTakeFirst())!;
      expect(after.version).toBe(row.version + 1);
      expect(after.lock_owner).toBeNull();
      // The old refresh token was spent; the new pair works on both.
      const reuse = await fetch(`${emulator.url}${TOKEN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token', client_id: emulator.app.appId, client_secret: emulator.app.appSecret, refresh_token: oldRefresh }) });
      expect(((await reuse.json()) as { code: number }).code).toBe(20073);
      for (const h of [a, b]) {
        expect(await (await jar.fetch(`${h.url}/me`)).text()).toContain('Signed in as');
        expect((await jar.fetch(`${h.url}/me/feishu`)).status).toBe(200);
      }
    } finally {
      await store.close();
    }
  });
});
