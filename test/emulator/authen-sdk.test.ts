import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { rawJson, useEmulator } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';
import { sdkFailure } from '../helpers/im.js';
import { codeFor, errorCodeOf, open, REDIRECT, tokenV2 } from './authen-helpers.js';

const env = useEmulator();

describe('v1 OIDC endpoints through the official SDK', () => {
  it('oidcAccessToken.create, userInfo.get with the user token, oidcRefreshAccessToken.create', async () => {
    const { code } = await codeFor(env.emu, 'bob');
    const got = await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
    expect(got.code).toBe(0);
    expect(got.data).toMatchObject({ token_type: 'Bearer', expires_in: 7199, refresh_expires_in: 2591999, scope: 'auth:user.id:read' });
    expect(got.data!.access_token!.startsWith('u-')).toBe(true);
    expect(got.data!.refresh_token!.startsWith('ur-')).toBe(true);

    const info = await env.client.authen.v1.userInfo.get({}, lark.withUserAccessToken(got.data!.access_token!));
    expect(info.code).toBe(0);
    expect(info.data).toMatchObject({ open_id: user(env.emu, 'bob').open_id, union_id: user(env.emu, 'bob').union_id, name: '李博', en_name: 'Bob Li', user_id: 'bob' });

    const refreshed = await env.client.authen.v1.oidcRefreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: got.data!.refresh_token! } });
    expect(refreshed.code).toBe(0);
    expect(refreshed.data!.access_token).not.toBe(got.data!.access_token);
    const again = await env.client.authen.v1.oidcRefreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: got.data!.refresh_token! } });
    expect(again.code).toBe(20026);
  });

  it('answers v1 errors as HTTP 200 with the v1 codes', async () => {
    const { code } = await codeFor(env.emu, 'bob');
    expect((await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } })).code).toBe(0);
    expect((await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } })).code).toBe(20003);
    expect((await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: 'nope' } })).code).toBe(20003);
    expect((await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'client_credentials', code: 'nope' } })).code).toBe(20036);
    const late = await codeFor(env.emu, 'bob');
    await env.ctl.advance(5 * 60 * 1000 + 1000);
    expect((await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: late.code } })).code).toBe(20004);
    expect((await env.client.authen.v1.oidcRefreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: 'ur-unknown' } })).code).toBe(20038);
    // Without an app_access_token.
    const raw = await rawJson(`${env.emu.url}/open-apis/authen/v1/oidc/access_token`, 'POST', { grant_type: 'authorization_code', code: 'x' });
    expect(raw.status).toBe(200);
    expect(raw.json.code).toBe(20014);
    const info = await env.client.authen.v1.userInfo.get({}, lark.withUserAccessToken('u-bogus'));
    expect(info.code).toBe(20005);
  });

  it('the older access_token endpoint returns the profile with the tokens', async () => {
    const { code } = await codeFor(env.emu, 'carol');
    const r = await env.client.authen.v1.accessToken.create({ data: { grant_type: 'authorization_code', code } });
    expect(r.code).toBe(0);
    expect(r.data).toMatchObject({ open_id: user(env.emu, 'carol').open_id, en_name: 'Carol Wang', email: 'carol@example.com', tenant_key: env.emu.state.tenantKey, token_type: 'Bearer' });
    const rr = await env.client.authen.v1.refreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: r.data!.refresh_token! } });
    expect(rr.code).toBe(0);
    expect(rr.data!.user_id).toBe('carol');
  });

  it('the SDK\u2019s userAccessToken helper: initWithCode, get, and a refresh once the token expired', async () => {
    const { code } = await codeFor(env.emu, 'dave');
    const info = await env.client.userAccessToken.initWithCode({ dave: code });
    const first = info.dave!.token;
    expect(await env.client.userAccessToken.get('dave')).toBe(first);
    // The helper caches by wall-clock time; make it believe the token is stale.
    await env.client.userAccessToken.update({ dave: { expiredTime: Date.now() - 1 } });
    const second = await env.client.userAccessToken.get('dave');
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    const me = await env.client.authen.v1.userInfo.get({}, lark.withUserAccessToken(second!));
    expect(me.data!.user_id).toBe('dave');
  });

  it('v2 refuses v1 refresh tokens (20026), as larksuite/cli documents', async () => {
    const { code } = await codeFor(env.emu, 'bob');
    const got = await env.client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
    const r = await tokenV2(env.emu, { grant_type: 'refresh_token', refresh_token: got.data!.refresh_token });
    expect(r.json.code).toBe(20026);
  });

  it('user tokens work on the SDK\u2019s contact calls', async () => {
    const { code } = await codeFor(env.emu, 'bob');
    const t = (await tokenV2(env.emu, { grant_type: 'authorization_code', code })).json.access_token;
    const u = await env.client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }, lark.withUserAccessToken(t));
    expect(u.data!.user!.en_name).toBe('Alice Zhang');
    await env.ctl.call('POST', '/__emulator/authen/expire', { access_token: t });
    const f = await sdkFailure(env.client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }, lark.withUserAccessToken(t)));
    expect(f.data.code).toBe(99991668);
  });
});

describe('passport flow (the QR SDK goto)', () => {
  it('form-encoded token request and userinfo', async () => {
    const r = await open(`${env.emu.url}/suite/passport/oauth/authorize?client_id=${env.emu.app.appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&state=q&login_as=erin`);
    const code = new URL(r.location!).searchParams.get('code')!;
    const res = await fetch(`${env.emu.url}/suite/passport/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: env.emu.app.appId, client_secret: env.emu.app.appSecret, code, redirect_uri: REDIRECT }),
    });
    const tok = await res.json();
    expect(res.status).toBe(200);
    expect(Object.keys(tok).sort()).toEqual(['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type']);
    const info = await rawJson(`${env.emu.url}/suite/passport/oauth/userinfo`, 'GET', undefined, { authorization: `Bearer ${tok.access_token}` });
    expect(info.json).toMatchObject({ sub: user(env.emu, 'erin').open_id, open_id: user(env.emu, 'erin').open_id, en_name: 'Erin Liu', user_id: 'erin' });
    expect(info.json.picture).toContain('/__emulator/avatars/');
    expect((await rawJson(`${env.emu.url}/suite/passport/oauth/userinfo`, 'GET', undefined, { authorization: 'Bearer u-x' })).status).toBe(401);
  });
});

describe('QR login', () => {
  it('serves QRLogin, a frame with scan choices; the scan\u2019s tmp_code on goto redirects with a code, once', async () => {
    const js = await fetch(`${env.emu.url}/__emulator/qrlogin.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    const src = await js.text();
    expect(src).toContain('window.QRLogin');
    expect(src).toContain('matchOrigin');
    const goto = `${env.emu.url}/suite/passport/oauth/authorize?client_id=${env.emu.app.appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&state=qr1`;
    const frame = await open(`${env.emu.url}/__emulator/qrlogin/frame?goto=${encodeURIComponent(goto)}`);
    expect(frame.status).toBe(200);
    expect(frame.text).toContain('aria-label="QR code"');
    expect(frame.text).toContain('Scan as Alice Zhang');
    const scan = await env.ctl.call('POST', '/__emulator/qrlogin/scan', { open_id: user(env.emu, 'alice').open_id });
    const tmp = scan.body.tmp_code as string;
    const r = await open(`${goto}&tmp_code=${tmp}`);
    expect(r.status).toBe(302);
    const loc = new URL(r.location!);
    expect(loc.searchParams.get('state')).toBe('qr1');
    const t = await tokenV2(env.emu, { grant_type: 'authorization_code', code: loc.searchParams.get('code') });
    expect(t.json.code).toBe(0);
    const replay = await open(`${goto}&tmp_code=${tmp}`);
    expect(replay.status).toBe(400);
    expect(errorCodeOf(replay.text)).toBe(20003);
    const badGoto = await open(`${env.emu.url}/__emulator/qrlogin/frame?goto=${encodeURIComponent(goto.replace(encodeURIComponent(REDIRECT), encodeURIComponent('https://evil.example.com/')))}`);
    expect(errorCodeOf(badGoto.text)).toBe(20029);
  });
});
