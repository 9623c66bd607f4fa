import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawJson, useEmulator } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';
import { tokenV2, userInfo } from './authen-helpers.js';

const env = useEmulator();

const tenantToken = async () =>
  (await rawJson(`${env.emu.url}/open-apis/auth/v3/tenant_access_token/internal`, 'POST', { app_id: env.emu.app.appId, app_secret: env.emu.app.appSecret })).json.tenant_access_token as string;
const ticketGet = async (token: string) => rawJson(`${env.emu.url}/open-apis/jssdk/ticket/get`, 'POST', {}, { authorization: `Bearer ${token}` });
const sign = (ticket: string, nonce: string, ts: number, url: string) => createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonce}&timestamp=${ts}&url=${url}`).digest('hex');

describe('jsapi_ticket and h5sdk.config', () => {
  it('issues a ticket to a tenant token (the same one while it has 30+ minutes left)', async () => {
    const t = await tenantToken();
    const first = await ticketGet(t);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ code: 0, data: { expire_in: 7200 } });
    expect(first.json.data.ticket).toMatch(/^[0-9a-f]{40}$/);
    const again = await ticketGet(t);
    expect(again.json.data.ticket).toBe(first.json.data.ticket);
    expect((await ticketGet('')).json.code).toBe(99991661);
    expect((await ticketGet('t-nope')).json.code).toBe(99991663);
  });

  it('config succeeds with the documented SHA-1 signature, fails for another URL, another ticket or an expired one', async () => {
    const ticket = (await ticketGet(await tenantToken())).json.data.ticket as string;
    const url = 'http://127.0.0.1:4000/h5/index.html?x=1';
    const ts = Date.now();
    const config = (body: Record<string, unknown>) => env.ctl.call('POST', '/__emulator/h5/config', { app_id: env.emu.app.appId, url, timestamp: ts, nonce_str: 'abc', signature: sign(ticket, 'abc', ts, url), ...body });
    expect((await config({})).body).toEqual({ ok: true });
    const wrongUrl = await config({ url: 'http://127.0.0.1:4000/h5/other.html' });
    expect(wrongUrl.status).toBe(400);
    expect(wrongUrl.body.errString).toContain('signature');
    expect((await config({ signature: sign('f'.repeat(40), 'abc', ts, url) })).status).toBe(400);
    await env.ctl.advance(2 * 3600 * 1000 + 1000);
    const expired = await config({});
    expect(expired.status).toBe(400);
    expect(expired.body.errString).toContain('expired');
  });
});

describe('in-client codes (tt.requestAccess / requestAuthCode)', () => {
  it('a code for the signed-in person that the app server exchanges once, on v2 or v1', async () => {
    const r = await env.ctl.call('POST', '/__emulator/h5/code', { app_id: env.emu.app.appId, user: user(env.emu, 'carol').open_id, scopes: [] });
    expect(r.status).toBe(200);
    expect(r.body.code).toMatch(/^[A-Za-z0-9_-]{64,}$/);
    const t = await tokenV2(env.emu, { grant_type: 'authorization_code', code: r.body.code });
    expect(t.json.code).toBe(0);
    expect((await userInfo(env.emu, t.json.access_token)).json.data.user_id).toBe('carol');
    expect((await tokenV2(env.emu, { grant_type: 'authorization_code', code: r.body.code })).json.code).toBe(20065);
    const v1 = await env.ctl.call('POST', '/__emulator/h5/code', { app_id: env.emu.app.appId, user: 'dave' });
    const exchanged = await rawJson(`${env.emu.url}/open-apis/authen/v1/oidc/access_token`, 'POST', { grant_type: 'authorization_code', code: v1.body.code }, { authorization: `Bearer ${await tenantToken()}` });
    expect(exchanged.json.code).toBe(0);
  });

  it('refuses a resigned person, an unknown app or scope', async () => {
    expect((await env.ctl.call('POST', '/__emulator/h5/code', { app_id: env.emu.app.appId, user: 'frank' })).status).toBe(400);
    expect((await env.ctl.call('POST', '/__emulator/h5/code', { app_id: 'cli_0000000000000000', user: 'bob' })).status).toBe(400);
    expect((await env.ctl.call('POST', '/__emulator/h5/code', { app_id: env.emu.app.appId, user: 'bob', scopes: ['bogus'] })).status).toBe(400);
  });
});

describe('Workbench data and settings', () => {
  it('lists the apps with their H5 home page; PUT sets and clears it', async () => {
    const id = env.emu.app.appId;
    expect((await env.ctl.call('PUT', `/__emulator/apps/${id}/h5`, { home_url: 'not a url' })).status).toBe(400);
    expect((await env.ctl.call('PUT', `/__emulator/apps/cli_0000000000000000/h5`, { home_url: 'http://x.test/' })).status).toBe(404);
    const put = await env.ctl.call('PUT', `/__emulator/apps/${id}/h5`, { home_url: 'http://127.0.0.1:4000/h5', name: 'Expenses' });
    expect(put.body).toEqual({ app_id: id, home_url: 'http://127.0.0.1:4000/h5', name: 'Expenses' });
    const wb = (await env.ctl.call('GET', `/__emulator/workbench?user=bob`)).body;
    expect(wb.user).toMatchObject({ open_id: user(env.emu, 'bob').open_id, name: 'Bob Li' });
    expect(wb.apps).toContainEqual({ app_id: id, name: 'Expenses', home_url: 'http://127.0.0.1:4000/h5' });
    expect(wb.users.map((u: { name: string }) => u.name)).not.toContain('Frank Zhao');
    expect(wb.location).toEqual({ latitude: 40.0017, longitude: 116.4841, accuracy: 30 });
    await env.ctl.call('PUT', '/__emulator/h5/location', { latitude: 31.2304, longitude: 121.4737 });
    expect((await env.ctl.call('GET', `/__emulator/workbench`)).body.location).toEqual({ latitude: 31.2304, longitude: 121.4737, accuracy: 30 });
    await env.ctl.call('PUT', `/__emulator/apps/${id}/h5`, { home_url: null });
    expect((await env.ctl.call('GET', `/__emulator/apps/${id}/h5`)).body.home_url).toBeNull();
  });

  it('serves h5sdk.js, which defines its globals only inside the Workbench frame', async () => {
    const res = await fetch(`${env.emu.url}/__emulator/h5sdk.js`);
    expect(res.headers.get('content-type')).toContain('javascript');
    const src = await res.text();
    expect(src).toContain('feishu-emulator-workbench|');
    expect(src).toContain('window.h5sdk =');
    // Run it as a plain page would (no parent frame): nothing is defined.
    const win: Record<string, unknown> = { name: '' };
    win.parent = win;
    new Function('window', 'location', 'document', src)(win, { href: 'http://x/' }, {});
    expect(win.h5sdk).toBeUndefined();
    expect(win.tt).toBeUndefined();
  });
});
