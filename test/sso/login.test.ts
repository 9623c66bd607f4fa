import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../../src/testing/index.js';
import { Jar, loginAs, ssoTestHub } from './helpers.js';

/** The login flow over real HTTP against the emulator's authorize page and v2 token endpoint. */
describe('sso: Feishu login', () => {
  let t: TestHub & { service: Awaited<ReturnType<typeof ssoTestHub>>['service'] };
  let hub: string;
  beforeAll(async () => {
    t = await ssoTestHub({ sso: { admins: ['alice@example.com'], bindings: { 'bob@example.com': 'bli' }, return_to_hosts: ['grafana.example.com'] } });
    hub = t.hub.url!;
  });
  afterAll(() => t?.close());

  it('a protected page sends a browser to log in, and an API call gets 401 JSON', async () => {
    const html = await fetch(`${hub}/me`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toBe('/login/feishu?return_to=%2Fme');
    const api = await fetch(`${hub}/me.json`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'login_required', login_url: '/login/feishu?return_to=%2Fme.json' });
  });

  it('/login/feishu asks the authorize page with state and an S256 PKCE challenge', async () => {
    const res = await new Jar().fetch(`${hub}/login/feishu?return_to=/me`);
    const url = new URL(res.headers.get('location')!);
    expect(url.origin + url.pathname).toBe(`${t.emulator.url}/open-apis/authen/v1/authorize`);
    expect(url.searchParams.get('client_id')).toBe(t.emulator.app.appId);
    expect(url.searchParams.get('redirect_uri')).toBe(`${hub}/callback/feishu`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('scope')!.split(' ')).toContain('offline_access');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('feishu_hub_login='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('logs in: the callback sets a signed HttpOnly SameSite=Lax session cookie and returns to return_to', async () => {
    const jar = new Jar();
    const { callback } = await loginAs(jar, hub, t.users.alice.open_id, '/me?tab=tokens');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/me?tab=tokens');
    const session = callback.headers.getSetCookie().find((c) => c.startsWith('feishu_hub_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).not.toMatch(/Secure/i); // http hub: a Secure cookie would never come back
    const me = await jar.fetch(`${hub}/me`);
    expect(me.status).toBe(200);
    const page = await me.text();
    expect(page).toContain('Signed in as 张爱丽');
    expect(page).toContain('alice@example.com');
    const json = (await (await jar.fetch(`${hub}/me.json`)).json()) as { user: Record<string, unknown> };
    expect(json.user).toMatchObject({ open_id: t.users.alice.open_id, union_id: t.users.alice.union_id, email: 'alice@example.com', admin: true, system_user: 'alice', tenant_key: t.emulator.tenantKey });
  });

  it('a tampered state is refused with 403 and a log line; so is a state from another browser', async () => {
    const jar = new Jar();
    const start = await jar.fetch(`${hub}/login/feishu?return_to=/me`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_as', t.users.bob.open_id);
    const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const res = await jar.fetch(tampered.toString());
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not valid');
    expect(jar.cookies.has('feishu_hub_session')).toBe(false);
    // The real state, but from a browser without the login cookie: refused too (login CSRF).
    const other = await new Jar().fetch(back.toString());
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('another browser');
  });

  it('a replayed callback is refused, and the code cannot be used again with a fresh state either', async () => {
    const jar = new Jar();
    const { callbackUrl, callback } = await loginAs(jar, hub, t.users.carol.open_id);
    expect(callback.status).toBe(302);
    const again = await jar.fetch(callbackUrl.toString());
    expect(again.status).toBe(403);
    // A new login's state with the old code: Feishu refuses the code (single use).
    const start = await jar.fetch(`${hub}/login/feishu?return_to=/me`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const replay = await new Jar().fetch(`${hub}/callback/feishu?code=${callbackUrl.searchParams.get('code')}&state=${state}`, { headers: { cookie: jar.header() } });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/Feishu refused the login \(code 20\d{3}\)/);
  });

  it('return_to on another host is refused with 400; an allowed host and this hub are fine', async () => {
    for (const bad of ['https://evil.example/steal', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'http://grafana.example.com.evil.example/']) {
      const res = await fetch(`${hub}/login/feishu?return_to=${encodeURIComponent(bad)}`, { redirect: 'manual' });
      expect(res.status, bad).toBe(400);
      expect(await res.text()).toMatch(/return_to/);
    }
    const ok = await fetch(`${hub}/login/feishu?return_to=${encodeURIComponent('https://grafana.example.com/d/1')}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
    const own = await fetch(`${hub}/login/feishu?return_to=${encodeURIComponent(`${hub}/me`)}`, { redirect: 'manual' });
    expect(own.status).toBe(302);
  });

  it('access_denied on the consent page ends on a page saying so', async () => {
    const jar = new Jar();
    const start = await jar.fetch(`${hub}/login/feishu?return_to=/me`);
    const authorize = new URL(start.headers.get('location')!);
    const q = Object.fromEntries(authorize.searchParams);
    const denied = await fetch(`${authorize.origin}${authorize.pathname}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...q, account: t.users.dave.open_id, decision: 'deny' }) });
    const back = denied.headers.get('location')!;
    expect(back).toContain('error=access_denied');
    const res = await jar.fetch(back);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('You declined');
    expect(jar.cookies.has('feishu_hub_session')).toBe(false);
  });

  it('admins only: requireUser({ admin: true }) answers 403 to a signed-in non-admin', async () => {
    const probe = await ssoTestHub({
      sso: { admins: ['alice@example.com'] },
      setup: (h) => h.register({ name: 'probe', routes: (app) => void app.get('/admin-only', { preHandler: h.sso.requireUser({ admin: true }) }, async (req) => ({ who: (await h.sso.currentUser(req))?.name })) }),
    });
    try {
      const bob = new Jar();
      await loginAs(bob, probe.hub.url!, probe.users.bob.open_id);
      expect((await bob.fetch(`${probe.hub.url}/admin-only`)).status).toBe(403);
      const alice = new Jar();
      await loginAs(alice, probe.hub.url!, probe.users.alice.open_id);
      const res = await alice.fetch(`${probe.hub.url}/admin-only`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ who: '张爱丽' }); // currentUser works from another capability's routes
    } finally {
      await probe.close();
    }
  });

  it('logout needs the page\'s CSRF token or a same-origin request, and ends the session', async () => {
    const jar = new Jar();
    await loginAs(jar, hub, t.users.erin.open_id);
    const forged = await jar.fetch(`${hub}/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: 'x=1' });
    expect(forged.status).toBe(403);
    expect((await jar.fetch(`${hub}/me.json`)).status).toBe(200);
    const page = await (await jar.fetch(`${hub}/me`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
    const confirm = await jar.fetch(`${hub}/logout`);
    expect(await confirm.text()).toContain('Log out?');
    const out = await jar.fetch(`${hub}/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: `csrf=${csrf}` });
    expect(out.status).toBe(303);
    expect((await jar.fetch(`${hub}/me.json`)).status).toBe(401);
  });

  it('the session lives in the database: a new hub process on the same file knows the cookie', async () => {
    const jar = new Jar();
    await loginAs(jar, hub, t.users.alice.open_id);
    const sid = t.service.sessionIdOf({ headers: { cookie: jar.header() } } as never)!;
    const row = await t.service.db().selectFrom('sso_sessions').selectAll().where('id', '=', sid).executeTakeFirst();
    expect(row?.user_id).toMatch(/^u_/);
  });

  it('user tokens are encrypted at rest (the token is not in the table) and bound to their row', async () => {
    const rows = await t.service.db().selectFrom('sso_user_tokens').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.access_token.startsWith('v1.')).toBe(true);
      const plain = t.service.cipher.open(r.access_token, r.user_id);
      expect(plain).toMatch(/^u-/);
      expect(r.access_token).not.toContain(plain.slice(2, 40));
      expect(() => t.service.cipher.open(r.access_token, 'u_someone_else')).toThrow();
    }
  });

  it('accounts: config binding by email, login claim (email local part), by hand, and lookups by any id', async () => {
    const bob = new Jar();
    await loginAs(bob, hub, t.users.bob.open_id);
    const me = (await (await bob.fetch(`${hub}/me.json`)).json()) as { user: { system_user?: string } };
    expect(me.user.system_user).toBe('bli'); // sso.bindings, not the claim
    expect(await t.hub.accounts.systemUserOf(t.users.bob.union_id)).toBe('bli');
    expect(await t.hub.accounts.systemUserOf('bob@example.com')).toBe('bli');
    expect((await t.hub.accounts.feishuUserOf('bli'))?.open_id).toBe(t.users.bob.open_id);
    expect(await t.hub.accounts.systemUserOf(t.users.carol.open_id)).toBe('carol'); // bound at her login
    await t.hub.accounts.bind({ feishu: t.users.carol.open_id, system: 'cwang', source: 'cli' });
    expect(await t.hub.accounts.systemUserOf(t.users.carol.open_id)).toBe('cwang');
    // A later login keeps a binding made by hand.
    await loginAs(new Jar(), hub, t.users.carol.open_id);
    expect(await t.hub.accounts.systemUserOf(t.users.carol.open_id)).toBe('cwang');
    // Someone who never logged in: by directory email when asked.
    expect(await t.hub.accounts.systemUserOf(t.users.dave.open_id)).toBe('dave');
    const list = await t.hub.accounts.list();
    expect(list.find((b) => b.open_id === t.users.dave.open_id)?.source).toBe('email');
  });
});
