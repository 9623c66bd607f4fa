/**
 * Feishu login round trip: `node bin/run-ts.js bench/sso.bench.ts [logins]` (or `npm run bench -- sso`;
 * `--quick` → 40 logins, default 300).
 *
 * One local emulator (127.0.0.1, real HTTP) and one sandbox hub on a SQLite file, both in this
 * process; logins one after another (latency, not throughput). Each login is a fresh browser
 * (cookie jar) and takes turns among the seeded people.
 *   feishu-hub  GET /login/feishu (state + PKCE stored) → the emulator's authorize with login_as
 *               (302 with a code) → GET /callback/feishu (state check, v2 code exchange with the
 *               verifier, user_info, user + binding + encrypted tokens stored, session) → GET /me
 *               with the session cookie (200)
 *   bare        what any app must do at the least, with no hub: authorize with login_as and a PKCE
 *               challenge → POST /open-apis/authen/v2/oauth/token (code + verifier) → GET
 *               /open-apis/authen/v1/user_info with the new token
 * Ratio = feishu-hub ÷ bare, for p50 and p99 (what the hub adds: its database writes, session, page).
 * Rate limits are off on both sides (the emulator's and the hub's client-side ones): the v2 token
 * endpoint is tier 4 (50/s per app), which sequential logins exceed; this measures latency.
 * Floor: feishu-hub p99 < 100 ms. The rest is informational.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { startEmulator } from '../src/emulator/index.js';
import { createPlatform } from '../src/platform/index.js';
import { startHub } from '../src/sandbox/index.js';
import { quick, reportResult } from './result.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0] ?? (quick ? 40 : 300));
const WARMUP = 10;
const FLOOR_MS = 100;

class Jar {
  private readonly cookies = new Map<string, string>();
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }
}

const expect = (res: Response, status: number, what: string) => {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status}, expected ${status}`);
  return res;
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-sso-bench-'));
const emulator = await startEmulator({ port: 0 });
await fetch(`${emulator.url}/__emulator/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }) });
const config = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'silent' } });
const platform = createPlatform({ appId: emulator.app.appId, appSecret: emulator.app.appSecret, domain: emulator.url, limits: false });
const running = await startHub({ ...config, sandbox: true }, { emulatorUrl: emulator.url, platform });
const hub = running.hub.url!;
const people = emulator.state.users.filter((u) => !u.resigned).map((u) => u.open_id);

async function hubLogin(i: number): Promise<number> {
  const jar = new Jar();
  const started = performance.now();
  const start = expect(await jar.fetch(`${hub}/login/feishu?return_to=%2Fme`), 302, '/login/feishu');
  const authorize = new URL(start.headers.get('location')!);
  authorize.searchParams.set('login_as', people[i % people.length]);
  const code = expect(await fetch(authorize, { redirect: 'manual' }), 302, 'authorize');
  expect(await jar.fetch(code.headers.get('location')!), 302, 'callback');
  const me = expect(await jar.fetch(`${hub}/me`), 200, '/me');
  await me.arrayBuffer();
  return performance.now() - started;
}

async function bareLogin(i: number): Promise<number> {
  const started = performance.now();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = `${hub}/bare-callback`;
  const q = new URLSearchParams({ client_id: emulator.app.appId, response_type: 'code', redirect_uri: redirect, scope: 'offline_access', state: randomBytes(16).toString('base64url'), code_challenge: challenge, code_challenge_method: 'S256', login_as: people[i % people.length] });
  const back = expect(await fetch(`${emulator.url}/open-apis/authen/v1/authorize?${q}`, { redirect: 'manual' }), 302, 'authorize');
  const codeParam = new URL(back.headers.get('location')!).searchParams.get('code')!;
  const token = expect(await fetch(`${emulator.url}/open-apis/authen/v2/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'authorization_code', client_id: emulator.app.appId, client_secret: emulator.app.appSecret, code: codeParam, code_verifier: verifier, redirect_uri: redirect }) }), 200, 'token');
  const { access_token } = (await token.json()) as { access_token: string };
  const info = expect(await fetch(`${emulator.url}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${access_token}` } }), 200, 'user_info');
  await info.arrayBuffer();
  return performance.now() - started;
}

try {
  for (let i = 0; i < WARMUP; i++) {
    await hubLogin(i);
    await bareLogin(i);
  }
  const hubTimes: number[] = [];
  const bareTimes: number[] = [];
  // Interleaved, so both see the same machine state (GC, the emulator's growing maps).
  for (let i = 0; i < N; i++) {
    hubTimes.push(await hubLogin(i));
    bareTimes.push(await bareLogin(i));
  }
  const [h50, h99, b50, b99] = [pct(hubTimes, 50), pct(hubTimes, 99), pct(bareTimes, 50), pct(bareTimes, 99)];
  console.log(`sso login round trip, ${N} logins each (after ${WARMUP} warm-up), sequential`);
  console.log(`  feishu-hub  p50 ${ms(h50)}  p99 ${ms(h99)}   (/login/feishu → authorize → /callback/feishu → /me)`);
  console.log(`  bare        p50 ${ms(b50)}  p99 ${ms(b99)}   (authorize → v2 token → user_info)`);
  console.log(`  ratio       p50 ${(h50 / b50).toFixed(2)}×  p99 ${(h99 / b99).toFixed(2)}×`);
  reportResult({
    name: 'sso',
    rows: [
      { figure: `login round trip p50 (${N} logins): feishu-hub vs bare authorize+token+user_info`, value: ms(h50), reference: ms(b50), ratio: Number((h50 / b50).toFixed(2)), floor: null, pass: null },
      { figure: `login round trip p99: feishu-hub vs bare`, value: ms(h99), reference: ms(b99), ratio: Number((h99 / b99).toFixed(2)), floor: `< ${FLOOR_MS} ms`, pass: h99 < FLOOR_MS },
    ],
  });
} finally {
  await running.stop();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
