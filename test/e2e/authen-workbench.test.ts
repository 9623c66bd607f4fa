import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control } from '../helpers/emulator.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

/**
 * A tiny web app on its own origin: a callback page that shows the code it got, a QR login page
 * (the emulator's QRLogin), and an H5 page that logs in with tt.requestAccess inside the Workbench.
 * Its server side exchanges codes on the emulator with the app secret, as a real app's would.
 */
function startApp(emu: EmulatorHandle): Promise<{ server: Server; url: string }> {
  const app = emu.app;
  const json = async (path: string, init: RequestInit = {}) => (await fetch(`${emu.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } })).json();
  const exchange = async (code: string) => {
    const t = await json('/open-apis/authen/v2/oauth/token', { method: 'POST', body: JSON.stringify({ grant_type: 'authorization_code', client_id: app.appId, client_secret: app.appSecret, code }) });
    if (t.code !== 0) return { error: t };
    const me = await json('/open-apis/authen/v1/user_info', { headers: { authorization: `Bearer ${t.access_token}` } });
    return { name: me.data.en_name, open_id: me.data.open_id };
  };
  const html = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>Tiny app</title><style>body{font:15px sans-serif;margin:24px;color:#1f2329}#who{font-size:20px;font-weight:600}</style></head><body>${body}</body></html>`;
  const server = createServer(async (req, res) => {
    const u = new URL(req.url!, 'http://x');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (u.pathname === '/cb') {
      const code = u.searchParams.get('code');
      const who = code ? await exchange(code) : { error: u.searchParams.get('error') };
      return send(200, 'text/html', html(`<div id="who">${'name' in who ? `Logged in as ${who.name}` : `Failed: ${JSON.stringify(who.error)}`}</div><div id="state">${u.searchParams.get('state')}</div>`));
    }
    if (u.pathname === '/qr') {
      const goto = `${emu.url}/suite/passport/oauth/authorize?client_id=${app.appId}&redirect_uri=${encodeURIComponent(`http://${req.headers.host}/cb`)}&response_type=code&state=qr-state`;
      return send(200, 'text/html', html(`<h3>Log in with Feishu</h3><div id="qr"></div>
<script src="${emu.url}/__emulator/qrlogin.js"></script>
<script>
  var goto = ${JSON.stringify(goto)};
  var obj = QRLogin({ id: 'qr', goto: goto, width: '320', height: '320' });
  window.addEventListener('message', function (event) {
    if (obj.matchOrigin(event.origin) && obj.matchData(event.data)) location.href = goto + '&tmp_code=' + event.data.tmp_code;
  });
</script>`));
    }
    if (u.pathname === '/h5/login') return send(200, 'application/json', JSON.stringify(await exchange(u.searchParams.get('code')!)));
    if (u.pathname === '/h5/config') {
      const tenant = await json('/open-apis/auth/v3/tenant_access_token/internal', { method: 'POST', body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }) });
      const ticket = await json('/open-apis/jssdk/ticket/get', { method: 'POST', headers: { authorization: `Bearer ${tenant.tenant_access_token}` }, body: '{}' });
      const nonceStr = 'n0nce';
      const timestamp = Date.now();
      const pageUrl = u.searchParams.get('url')!;
      const signature = createHash('sha1').update(`jsapi_ticket=${ticket.data.ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${pageUrl}`).digest('hex');
      return send(200, 'application/json', JSON.stringify({ appId: app.appId, timestamp, nonceStr, signature }));
    }
    if (u.pathname === '/h5/playground') {
      return send(200, 'text/html', html(`<h3>JSAPI playground</h3><pre id="log"></pre><div id="done"></div>
<script src="${emu.url}/__emulator/h5sdk.js"></script>
<script>
  var results = {};
  var p = function (name, f) { return new Promise(function (resolve) { f({ success: function (r) { results[name] = { ok: r }; resolve(); }, fail: function (e) { results[name] = { fail: e }; resolve(); } }); }); };
  h5sdk.ready(async function () {
    await p('locationBeforeConfig', function (cb) { tt.getLocation(cb); });
    await p('wrongApp', function (cb) { tt.requestAccess(Object.assign({ appID: 'cli_0000000000000000', scopeList: [] }, cb)); });
    await p('authCode', function (cb) { tt.requestAuthCode(Object.assign({ appId: ${JSON.stringify(app.appId)} }, cb)); });
    await p('badConfig', function (cb) { h5sdk.config({ appId: ${JSON.stringify(app.appId)}, timestamp: Date.now(), nonceStr: 'x', signature: 'f'.repeat(40), jsApiList: [], onSuccess: cb.success, onFail: cb.fail }); });
    var cfg = await (await fetch('/h5/config?url=' + encodeURIComponent(location.href.split('#')[0]))).json();
    await p('config', function (cb) { h5sdk.config(Object.assign(cfg, { jsApiList: ['getUserInfo', 'chooseImage'], onSuccess: cb.success, onFail: cb.fail })); });
    await p('userInfo', function (cb) { tt.getUserInfo(cb); });
    await p('images', function (cb) { tt.chooseImage(Object.assign({ count: 2 }, cb)); });
    document.getElementById('log').textContent = JSON.stringify(results, null, 1);
    document.getElementById('done').textContent = 'done';
  });
</script>`));
    }
    if (u.pathname === '/h5') {
      return send(200, 'text/html', html(`<h3>Tiny H5 app</h3><div id="who">Loading…</div><div id="code"></div><div id="loc"></div>
<script src="${emu.url}/__emulator/h5sdk.js"></script>
<script>
  var out = function (id, t) { document.getElementById(id).textContent = t; };
  if (!window.h5sdk || !window.tt) {
    out('who', 'Not inside Feishu: use the browser login');
  } else {
    window.h5sdk.ready(function () {
      tt.requestAccess({
        appID: ${JSON.stringify(app.appId)},
        scopeList: [],
        success: async function (res) {
          out('code', 'code: ' + res.code.slice(0, 12) + '… (' + res.code.length + ' chars)');
          var me = await (await fetch('/h5/login?code=' + encodeURIComponent(res.code))).json();
          out('who', me.name ? 'Logged in as ' + me.name : 'Failed: ' + JSON.stringify(me));
          var cfg = await (await fetch('/h5/config?url=' + encodeURIComponent(location.href.split('#')[0]))).json();
          h5sdk.config(Object.assign(cfg, {
            jsApiList: ['getLocation'],
            onSuccess: function () {
              tt.getLocation({ success: function (l) { out('loc', 'at ' + l.latitude + ', ' + l.longitude); }, fail: function (e) { out('loc', 'location failed ' + e.errString); } });
              tt.showToast({ title: 'Welcome ' + me.name, icon: 'success' });
            },
            onFail: function (e) { out('loc', 'config failed: ' + e.errString); }
          }));
        },
        fail: function (err) { out('who', 'requestAccess failed: ' + JSON.stringify(err)); }
      });
    });
  }
</script>`));
    }
    send(404, 'text/plain', 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const imagesLoaded = (page: Page) => page.evaluate(() => Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined))));

describeBrowser('Feishu login in the browser: authorize page, QR login, the Workbench', () => {
  let emu: EmulatorHandle;
  let browser: Browser;
  let app: { server: Server; url: string };
  const ou = (key: string) => emu.state.users.find((u) => u.user_id === key)!.open_id;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    app = await startApp(emu);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
    app?.server.close();
  });
  beforeEach(async () => {
    await control(emu).reset();
  });

  async function newPage() {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return Object.assign(page, { errors });
  }

  it('choosing an account and authorizing returns to the app logged in', async () => {
    const page = await newPage();
    await page.goto(`${emu.url}/open-apis/authen/v1/authorize?client_id=${emu.app.appId}&response_type=code&redirect_uri=${encodeURIComponent(`${app.url}/cb`)}&state=s-42&scope=${encodeURIComponent('contact:user.email:readonly offline_access')}`);
    await page.getByTestId('authen-account-picker').waitFor();
    await imagesLoaded(page);
    await screenshot(page, 'authen-1-account-picker');
    await page.getByRole('button', { name: 'Bob Li', exact: true }).click();
    await page.getByTestId('authen-consent').waitFor();
    expect(await page.getByTestId('authen-consent-user').getAttribute('data-open-id')).toBe(ou('bob'));
    expect(await page.getByTestId('authen-scopes').innerText()).toContain('Read your email address');
    await imagesLoaded(page);
    await screenshot(page, 'authen-2-consent');
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL(`${app.url}/cb?**`);
    expect(await page.locator('#who').innerText()).toBe('Logged in as Bob Li');
    expect(await page.locator('#state').innerText()).toBe('s-42');
    expect(page.errors).toEqual([]);
  });

  it('QR login: "Scan as" in the frame, the page follows goto + tmp_code back to the app', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/qr`);
    const frame = page.frameLocator('#qr iframe');
    await frame.getByTestId('qr-frame').waitFor();
    await imagesLoaded(page);
    await screenshot(page, 'authen-3-qr-login');
    await frame.getByRole('button', { name: 'Scan as Carol Wang' }).click();
    await page.waitForURL(`${app.url}/cb?**`);
    expect(await page.locator('#who').innerText()).toBe('Logged in as Carol Wang');
    expect(await page.locator('#state').innerText()).toBe('qr-state');
  });

  it('an H5 app opened in the Workbench logs in with no login page; outside the client it gets no h5sdk', async () => {
    const res = await fetch(`${emu.url}/__emulator/apps/${emu.app.appId}/h5`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ home_url: `${app.url}/h5`, name: 'Tiny H5' }) });
    expect(res.status).toBe(200);

    const page = await newPage();
    await page.goto(`${emu.url}/#/workbench?as=${ou('erin')}`);
    await page.getByTestId('workbench-page').waitFor();
    await page.locator(`[data-testid="workbench-card"][data-app-id="${emu.app.appId}"]`).click();
    const frame = page.frameLocator('[data-testid="workbench-frame"]');
    await frame.locator('#who', { hasText: 'Logged in as' }).waitFor();
    expect(await frame.locator('#who').innerText()).toBe('Logged in as Erin Liu');
    expect(await frame.locator('#code').innerText()).toMatch(/^code: .+\(\d{2,} chars\)$/);
    await frame.locator('#loc', { hasText: 'at ' }).waitFor();
    expect(await frame.locator('#loc').innerText()).toBe('at 40.0017, 116.4841');
    await page.locator('.toast', { hasText: 'Welcome Erin Liu' }).waitFor();
    await imagesLoaded(page);
    await screenshot(page, 'authen-4-workbench-h5');
    expect(page.errors).toEqual([]);

    // The code it used was single use and is gone; the grant is recorded for Erin.
    const state = await control(emu).state();
    expect(state.authen_codes).toEqual([expect.objectContaining({ via: 'jsapi', state: 'used', open_id: ou('erin') })]);

    // The same page in a plain browser tab: no window.h5sdk / window.tt.
    const outside = await newPage();
    await outside.goto(`${app.url}/h5`);
    await outside.locator('#who', { hasText: 'Not inside Feishu' }).waitFor();
    expect(await outside.evaluate(() => typeof (window as unknown as { tt?: unknown }).tt)).toBe('undefined');
  });

  it('the JSAPI bridge: config is checked, JSAPIs that need it wait for it, the answers come from the emulator', async () => {
    await fetch(`${emu.url}/__emulator/apps/${emu.app.appId}/h5`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ home_url: `${app.url}/h5/playground`, name: 'Playground' }) });
    const page = await newPage();
    await page.goto(`${emu.url}/#/workbench?as=${ou('bob')}&app=${emu.app.appId}`);
    const frame = page.frameLocator('[data-testid="workbench-frame"]');
    await frame.locator('#done', { hasText: 'done' }).waitFor();
    const r = JSON.parse(await frame.locator('#log').innerText());
    expect(r.locationBeforeConfig.fail.errno).toBe(104);
    expect(r.wrongApp.fail.errString).toContain('is not this app');
    expect(r.authCode.ok.code).toMatch(/^[A-Za-z0-9_-]{64,}$/);
    expect(r.badConfig.fail.errString).toContain('signature');
    expect(r.config.ok).toBeTruthy();
    expect(r.userInfo.ok.userInfo).toMatchObject({ nickName: 'Bob Li' });
    expect(r.userInfo.ok.userInfo.avatarUrl).toContain('/__emulator/avatars/');
    expect(r.images.ok.tempFilePaths).toHaveLength(2);
    expect((await fetch(r.images.ok.tempFilePaths[0])).headers.get('content-type')).toContain('image/svg+xml');
    await page.locator('.toast', { hasText: 'Playground picked 2 images' }).waitFor();
    await screenshot(page, 'authen-5-workbench-jsapi');
    expect(page.errors).toEqual([]);
  });
});
