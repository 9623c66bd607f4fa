import { describe, expect, it } from 'vitest';
import { useEmulator, rawJson } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';
import { authorizeUrl, codeFor, errorCodeOf, open, pkcePair, REDIRECT, tokenV2, userInfo } from './authen-helpers.js';

const env = useEmulator();

describe('authorize page', () => {
  it('lists the directory users to sign in as, then asks for consent with the app and the scopes', async () => {
    const picker = await open(authorizeUrl(env.emu, { state: 'st', scope: 'contact:user.email:readonly offline_access' }));
    expect(picker.status).toBe(200);
    expect(picker.type).toContain('text/html');
    const bob = user(env.emu, 'bob');
    expect(picker.text).toContain(`data-open-id="${bob.open_id}"`);
    expect(picker.text).toMatch(new RegExp(`data-open-id="${bob.open_id}"[^>]*>.*<span class="au-account-name">Bob Li</span></button>`));
    // A resigned person cannot sign in, so is not offered.
    expect(picker.text).not.toContain(user(env.emu, 'frank').open_id);
    expect(picker.text).toContain('feishu-hub bot');

    const consent = await open(`${authorizeUrl(env.emu, { state: 'st', scope: 'contact:user.email:readonly offline_access' })}&account=${bob.open_id}`);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('data-action="authorize"');
    expect(consent.text).toContain('data-action="deny"');
    expect(consent.text).toContain('data-scope="contact:user.email:readonly"');
    expect(consent.text).toContain('data-scope="offline_access"');
  });

  it('Authorize redirects with code and state, Deny with error=access_denied; a #fragment comes after the query', async () => {
    const bob = user(env.emu, 'bob');
    const form = (decision: string) =>
      new URLSearchParams({ client_id: env.emu.app.appId, redirect_uri: `${REDIRECT}?x=1#/after`, state: 'abc', account: bob.open_id, decision });
    const ok = await open(`${env.emu.url}/open-apis/authen/v1/authorize`, { method: 'POST', body: form('authorize') });
    expect(ok.status).toBe(302);
    const loc = ok.location!;
    expect(loc.startsWith(`${REDIRECT}?x=1&code=`)).toBe(true);
    expect(loc.endsWith('&state=abc#/after')).toBe(true);
    const code = new URL(loc).searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{64,}$/);

    const denied = await open(`${env.emu.url}/open-apis/authen/v1/authorize`, { method: 'POST', body: form('deny') });
    expect(denied.status).toBe(302);
    expect(denied.location).toBe(`${REDIRECT}?x=1&error=access_denied&state=abc#/after`);
  });

  it('skips the consent once the user granted those scopes (grants accumulate)', async () => {
    const carol = user(env.emu, 'carol');
    await codeFor(env.emu, 'carol', { scope: 'contact:user.email:readonly' });
    const again = await open(`${authorizeUrl(env.emu, { state: 'z', scope: 'contact:user.email:readonly' })}&account=${carol.open_id}`);
    expect(again.status).toBe(302);
    expect(again.location).toContain('code=');
    const forced = await open(`${authorizeUrl(env.emu, { scope: 'contact:user.email:readonly', prompt: 'consent' })}&account=${carol.open_id}`);
    expect(forced.status).toBe(200);
    expect(forced.text).toContain('name="prompt" value="consent"');
    const more = await open(`${authorizeUrl(env.emu, { scope: 'contact:user.phone:readonly' })}&account=${carol.open_id}`);
    expect(more.status).toBe(200);
    expect(more.text).toContain('data-action="authorize"');
  });

  it('accepts app_id instead of client_id, on the v1 index page and the passport path too', async () => {
    for (const path of ['/open-apis/authen/v1/authorize', '/open-apis/authen/v1/index', '/suite/passport/oauth/authorize']) {
      const url = `${env.emu.url}${path}?app_id=${env.emu.app.appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=p&login_as=alice`;
      const r = await open(url);
      expect(r.status, path).toBe(302);
      expect(new URL(r.location!).searchParams.get('state')).toBe('p');
    }
  });

  it('shows an error page, never a redirect, for an unregistered redirect_uri, an unknown app, an unknown scope', async () => {
    const evil = await open(authorizeUrl(env.emu, { redirect_uri: 'https://evil.example.com/cb', login_as: 'alice' }));
    expect(evil.status).toBe(400);
    expect(evil.location).toBeUndefined();
    expect(errorCodeOf(evil.text)).toBe(20029);
    expect(evil.text).toContain('redirect_uri');

    const app = await open(authorizeUrl(env.emu, { client_id: 'cli_0000000000000000' }));
    expect(errorCodeOf(app.text)).toBe(20028);
    const scope = await open(authorizeUrl(env.emu, { scope: 'contact:user.email:readonly not-a-scope' }));
    expect(scope.status).toBe(400);
    expect(errorCodeOf(scope.text)).toBe(20027);
    expect(scope.text).toContain('not-a-scope');
    const method = await open(authorizeUrl(env.emu, { code_challenge: pkcePair().challenge, code_challenge_method: 'S512' }));
    expect(errorCodeOf(method.text)).toBe(20001);
    const resigned = await open(authorizeUrl(env.emu, { login_as: 'frank' }));
    expect(errorCodeOf(resigned.text)).toBe(20021);
    const nobody = await open(authorizeUrl(env.emu, { login_as: 'nobody' }));
    expect(errorCodeOf(nobody.text)).toBe(20008);
  });

  it('checks the allow-list exactly once one is set, and goes back to loopback-any on DELETE', async () => {
    const id = env.emu.app.appId;
    expect((await env.ctl.call('GET', `/__emulator/apps/${id}/redirect-urls`)).body).toMatchObject({ default: true });
    const put = await env.ctl.call('PUT', `/__emulator/apps/${id}/redirect-urls`, { redirect_urls: ['https://hub.example.com/callback/feishu'] });
    expect(put.body).toEqual({ app_id: id, redirect_urls: ['https://hub.example.com/callback/feishu'], default: false });
    expect((await open(authorizeUrl(env.emu, { redirect_uri: 'https://hub.example.com/callback/feishu', login_as: 'alice' }))).status).toBe(302);
    expect(errorCodeOf((await open(authorizeUrl(env.emu, { redirect_uri: 'https://hub.example.com/callback/feishu/', login_as: 'alice' }))).text)).toBe(20029);
    expect(errorCodeOf((await open(authorizeUrl(env.emu, { login_as: 'alice' }))).text)).toBe(20029);
    // A reset keeps app settings (as it keeps the apps' URLs).
    await env.ctl.reset();
    expect((await env.ctl.call('GET', `/__emulator/apps/${id}/redirect-urls`)).body.redirect_urls).toEqual(['https://hub.example.com/callback/feishu']);
    await env.ctl.call('DELETE', `/__emulator/apps/${id}/redirect-urls`);
    expect((await open(authorizeUrl(env.emu, { login_as: 'alice' }))).status).toBe(302);
    expect((await env.ctl.call('PUT', `/__emulator/apps/${id}/redirect-urls`, { redirect_urls: ['not a url'] })).status).toBe(400);
  });
});

describe('v2 token endpoint', () => {
  it('exchanges a PKCE code for 1–2 KB tokens that work as Bearer on user_info and contact', async () => {
    const { verifier, challenge } = pkcePair();
    const { code, state } = await codeFor(env.emu, 'bob', { scope: 'contact:user.email:readonly offline_access', code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz' });
    expect(state).toBe('xyz');
    const r = await tokenV2(env.emu, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(Object.keys(r.json).sort()).toEqual(['access_token', 'code', 'expires_in', 'refresh_token', 'refresh_token_expires_in', 'scope', 'token_type']);
    expect(r.json).toMatchObject({ code: 0, expires_in: 7200, refresh_token_expires_in: 604800, token_type: 'Bearer' });
    expect(r.json.scope.split(' ').sort()).toEqual(['auth:user.id:read', 'contact:user.email:readonly', 'offline_access']);
    for (const [t, prefix] of [[r.json.access_token, 'u-'], [r.json.refresh_token, 'ur-']] as const) {
      expect(t.startsWith(prefix)).toBe(true);
      expect(t.length).toBeGreaterThanOrEqual(1024);
      expect(t.length).toBeLessThanOrEqual(2048);
      expect(t.slice(prefix.length).split('.')).toHaveLength(3);
    }
    const info = await userInfo(env.emu, r.json.access_token);
    expect(info.json).toMatchObject({ code: 0, data: { open_id: user(env.emu, 'bob').open_id, en_name: 'Bob Li', email: 'bob@example.com', user_id: 'bob', tenant_key: env.emu.state.tenantKey } });
    expect(Object.keys(info.json.data).sort()).toEqual(
      ['avatar_big', 'avatar_middle', 'avatar_thumb', 'avatar_url', 'email', 'employee_no', 'en_name', 'enterprise_email', 'mobile', 'name', 'open_id', 'tenant_key', 'union_id', 'user_id'].sort(),
    );
    const contact = await rawJson(`${env.emu.url}/open-apis/contact/v3/users/${user(env.emu, 'carol').open_id}`, 'GET', undefined, { authorization: `Bearer ${r.json.access_token}` });
    expect(contact.json.code).toBe(0);
    expect(contact.json.data.user.en_name).toBe('Carol Wang');
  });

  it('returns no refresh token without offline_access', async () => {
    const { code } = await codeFor(env.emu, 'alice');
    const r = await tokenV2(env.emu, { grant_type: 'authorization_code', code });
    expect(r.status).toBe(200);
    expect(r.json.refresh_token).toBeUndefined();
    expect(r.json.refresh_token_expires_in).toBeUndefined();
    expect(r.json.scope).toBe('auth:user.id:read');
  });

  it('accepts the client credentials as HTTP Basic, but not both ways at once', async () => {
    const basic = `Basic ${Buffer.from(`${env.emu.app.appId}:${env.emu.app.appSecret}`).toString('base64')}`;
    const { code } = await codeFor(env.emu, 'alice');
    const r = await rawJson(`${env.emu.url}/open-apis/authen/v2/oauth/token`, 'POST', { grant_type: 'authorization_code', code }, { authorization: basic });
    expect(r.json.code).toBe(0);
    const both = await tokenV2(env.emu, { grant_type: 'authorization_code', code: (await codeFor(env.emu, 'alice')).code }, { authorization: basic });
    expect(both.json.code).toBe(20070);
  });

  it('answers every documented failure with HTTP 4xx and {code, error, error_description}', async () => {
    const { verifier, challenge } = pkcePair();
    const fresh = (p: Record<string, string> = {}) => codeFor(env.emu, 'bob', { code_challenge: challenge, code_challenge_method: 'S256', ...p }).then((c) => c.code);
    const cases: [string, () => Promise<Record<string, unknown>>, number, string][] = [
      ['missing grant_type', async () => ({ code: await fresh() }), 20001, 'invalid_request'],
      ['wrong secret', async () => ({ grant_type: 'authorization_code', code: await fresh(), client_secret: 'nope' }), 20002, 'invalid_client'],
      ['unknown app', async () => ({ grant_type: 'authorization_code', code: await fresh(), client_id: 'cli_0000000000000000' }), 20048, 'invalid_client'],
      ['unknown code', async () => ({ grant_type: 'authorization_code', code: 'x'.repeat(64), code_verifier: verifier }), 20003, 'invalid_grant'],
      ['redirect_uri mismatch', async () => ({ grant_type: 'authorization_code', code: await fresh(), code_verifier: verifier, redirect_uri: `${REDIRECT}/other` }), 20071, 'invalid_grant'],
      ['no verifier for a PKCE code', async () => ({ grant_type: 'authorization_code', code: await fresh() }), 20049, 'invalid_grant'],
      ['wrong verifier', async () => ({ grant_type: 'authorization_code', code: await fresh(), code_verifier: pkcePair().verifier }), 20049, 'invalid_grant'],
      ['verifier too short', async () => ({ grant_type: 'authorization_code', code: await fresh(), code_verifier: 'a'.repeat(42) }), 20063, 'invalid_request'],
      ['verifier too long', async () => ({ grant_type: 'authorization_code', code: await fresh(), code_verifier: 'a'.repeat(129) }), 20063, 'invalid_request'],
      ['verifier charset', async () => ({ grant_type: 'authorization_code', code: await fresh(), code_verifier: `${'a'.repeat(50)}+/=` }), 20063, 'invalid_request'],
      ['duplicate scope', async () => ({ grant_type: 'authorization_code', code: await fresh({ scope: 'offline_access' }), code_verifier: verifier, scope: 'offline_access offline_access' }), 20067, 'invalid_scope'],
      ['scope not granted', async () => ({ grant_type: 'authorization_code', code: await fresh(), code_verifier: verifier, scope: 'contact:user.phone:readonly' }), 20068, 'invalid_scope'],
      ['unsupported grant', async () => ({ grant_type: 'password' }), 20036, 'unsupported_grant_type'],
      ['unknown refresh token', async () => ({ grant_type: 'refresh_token', refresh_token: 'ur-nope' }), 20026, 'invalid_grant'],
    ];
    for (const [name, body, code, error] of cases) {
      const r = await tokenV2(env.emu, await body());
      expect(r.status, name).toBeGreaterThanOrEqual(400);
      expect(r.status, name).toBeLessThan(500);
      expect(r.json, name).toMatchObject({ code, error });
      expect(typeof r.json.error_description, name).toBe('string');
      expect(r.json.access_token, name).toBeUndefined();
    }
  });

  it('narrows the scope on request', async () => {
    const { code } = await codeFor(env.emu, 'bob', { scope: 'contact:user.email:readonly offline_access' });
    const r = await tokenV2(env.emu, { grant_type: 'authorization_code', code, scope: 'contact:user.email:readonly' });
    expect(r.json.scope).toBe('contact:user.email:readonly');
    expect(r.json.refresh_token).toBeUndefined();
  });

  it('codes are single use (20065) and live 5 minutes of emulator time (20004); another app cannot redeem them (20024)', async () => {
    const { code } = await codeFor(env.emu, 'bob');
    expect((await tokenV2(env.emu, { grant_type: 'authorization_code', code })).json.code).toBe(0);
    const replay = await tokenV2(env.emu, { grant_type: 'authorization_code', code });
    expect(replay.status).toBe(400);
    expect(replay.json.code).toBe(20065);

    const late = await codeFor(env.emu, 'bob');
    await env.ctl.advance(4 * 60 * 1000 + 50 * 1000);
    const early = await codeFor(env.emu, 'bob');
    await env.ctl.advance(11 * 1000);
    expect((await tokenV2(env.emu, { grant_type: 'authorization_code', code: late.code })).json.code).toBe(20004);
    expect((await tokenV2(env.emu, { grant_type: 'authorization_code', code: early.code })).json.code).toBe(0);
  });

  it('refresh tokens are single use: the new pair works, the old refresh token is 20073, the old access token has a minute of grace', async () => {
    const { code } = await codeFor(env.emu, 'dave', { scope: 'offline_access' });
    const first = (await tokenV2(env.emu, { grant_type: 'authorization_code', code })).json;
    const second = await tokenV2(env.emu, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.json.access_token).not.toBe(first.access_token);
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    expect(second.json.scope).toBe('auth:user.id:read offline_access');

    const reused = await tokenV2(env.emu, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reused.status).toBe(400);
    expect(reused.json).toMatchObject({ code: 20073, error: 'invalid_grant' });
    // Feishu documents no revocation of the newer tokens on reuse: they keep working.
    expect((await userInfo(env.emu, second.json.access_token)).json.code).toBe(0);

    expect((await userInfo(env.emu, first.access_token)).json.code).toBe(0);
    await env.ctl.advance(61 * 1000);
    expect((await userInfo(env.emu, first.access_token)).json.code).toBe(20005);
    expect((await userInfo(env.emu, second.json.access_token)).json.code).toBe(0);

    // The refresh token expires after 7 days.
    await env.ctl.advance(7 * 24 * 3600 * 1000);
    expect((await tokenV2(env.emu, { grant_type: 'refresh_token', refresh_token: second.json.refresh_token })).json.code).toBe(20037);
  });
});

describe('user_info and expiry', () => {
  it('says 20005 for a bad, expired or tenant token; 20021 once the user resigned', async () => {
    const { code } = await codeFor(env.emu, 'erin');
    const t = (await tokenV2(env.emu, { grant_type: 'authorization_code', code })).json.access_token;
    expect((await userInfo(env.emu, 'u-nonsense')).json.code).toBe(20005);
    const tenant = (await rawJson(`${env.emu.url}/open-apis/auth/v3/tenant_access_token/internal`, 'POST', { app_id: env.emu.app.appId, app_secret: env.emu.app.appSecret })).json.tenant_access_token;
    expect((await userInfo(env.emu, tenant)).json.code).toBe(20005);
    expect((await rawJson(`${env.emu.url}/open-apis/authen/v1/user_info`, 'GET')).json.code).toBe(20001);
    user(env.emu, 'erin').resigned = true;
    expect((await userInfo(env.emu, t)).json.code).toBe(20021);
    user(env.emu, 'erin').resigned = false;
    await env.ctl.advance(2 * 3600 * 1000);
    expect((await userInfo(env.emu, t)).json.code).toBe(20005);
  });

  it('POST /__emulator/authen/expire ends one token or all of a user\u2019s, and the refresh token still works', async () => {
    const a = (await tokenV2(env.emu, { grant_type: 'authorization_code', code: (await codeFor(env.emu, 'bob', { scope: 'offline_access' })).code })).json;
    const b = (await tokenV2(env.emu, { grant_type: 'authorization_code', code: (await codeFor(env.emu, 'bob')).code })).json;
    const c = (await tokenV2(env.emu, { grant_type: 'authorization_code', code: (await codeFor(env.emu, 'carol')).code })).json;
    expect((await env.ctl.call('POST', '/__emulator/authen/expire', { access_token: a.access_token })).body).toEqual({ expired: 1 });
    expect((await userInfo(env.emu, a.access_token)).json.code).toBe(20005);
    expect((await userInfo(env.emu, b.access_token)).json.code).toBe(0);
    // The gateway refuses it on the other APIs too.
    const contact = await rawJson(`${env.emu.url}/open-apis/contact/v3/users/${user(env.emu, 'carol').open_id}`, 'GET', undefined, { authorization: `Bearer ${a.access_token}` });
    expect(contact.json.code).toBe(99991668);
    expect((await env.ctl.call('POST', '/__emulator/authen/expire', { open_id: user(env.emu, 'bob').open_id })).body).toEqual({ expired: 1 });
    expect((await userInfo(env.emu, b.access_token)).json.code).toBe(20005);
    expect((await userInfo(env.emu, c.access_token)).json.code).toBe(0);
    const refreshed = await tokenV2(env.emu, { grant_type: 'refresh_token', refresh_token: a.refresh_token });
    expect((await userInfo(env.emu, refreshed.json.access_token)).json.data.user_id).toBe('bob');
    expect((await env.ctl.call('POST', '/__emulator/authen/expire', { nope: 1 })).status).toBe(400);
  });

  it('keeps codes, grants and refresh tokens in snapshots; a reset forgets them', async () => {
    const { code } = await codeFor(env.emu, 'bob', { scope: 'offline_access' });
    const snap = await env.ctl.call('GET', '/__emulator/snapshot');
    expect(snap.body.authen.codes).toHaveLength(1);
    const state = await env.ctl.state();
    expect(state.authen_grants).toEqual([expect.objectContaining({ open_id: user(env.emu, 'bob').open_id, scopes: ['auth:user.id:read', 'offline_access'] })]);
    expect(state.authen_codes[0]).toMatchObject({ state: 'live', via: 'authorize' });
    await env.ctl.reset();
    expect((await tokenV2(env.emu, { grant_type: 'authorization_code', code })).json.code).toBe(20003);
    expect((await env.ctl.call('PUT', '/__emulator/snapshot', snap.body)).status).toBe(200);
    expect((await tokenV2(env.emu, { grant_type: 'authorization_code', code })).json.code).toBe(0);
  });

  it('rate limits the token endpoint per app at tier 4 (50/s)', async () => {
    await env.ctl.rateLimits({ scale: 0.1 });
    const results: number[] = [];
    for (let i = 0; i < 8; i++) results.push((await tokenV2(env.emu, { grant_type: 'refresh_token', refresh_token: 'ur-x' })).status);
    await env.ctl.rateLimits({ scale: 1 });
    expect(results).toContain(429);
  });
});
