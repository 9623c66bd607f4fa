import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../cli/process.js';
import { ssoTestHub } from '../sso/helpers.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

/**
 * Feishu login in Chromium: the hub (sandbox, emulator in-process) protects /me; the browser goes
 * through the emulator's authorize page, the QR login, and the Workbench's in-client H5 flow.
 */
describeBrowser('sso e2e: log in with Feishu', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let hub: string;
  let browser: Browser;
  const pages: Page[] = [];
  const newPage = async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    t = await ssoTestHub();
    hub = t.hub.url!;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opening /me goes to the authorize page; choosing a person comes back logged in', async () => {
    const page = await newPage();
    await page.goto(`${hub}/me`);
    await page.waitForURL(`${t.emulator.url}/open-apis/authen/v1/authorize?**`);
    await page.getByTestId('authen-account-picker').waitFor();
    await screenshot(page, 'sso-1-authorize-picker');
    await page.getByRole('button', { name: 'Alice Zhang', exact: true }).click();
    await page.getByTestId('authen-consent').waitFor();
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL(`${hub}/me`);
    expect(await page.locator('#signed-in').innerText()).toBe('Signed in as 张爱丽');
    expect(await page.locator('#system-user').innerText()).toBe('alice');
    await page.locator('#call-feishu').click();
    await page.locator('#feishu-answer', { hasText: 'HTTP 200' }).waitFor();
    expect(await page.locator('#feishu-answer').innerText()).toContain('"email": "alice@example.com"');
    await screenshot(page, 'sso-2-me');
    const cookies = await page.context().cookies(hub);
    const session = cookies.find((c) => c.name === 'feishu_hub_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Lax');
    expect(await page.evaluate(() => document.cookie)).not.toContain('feishu_hub_session');
  });

  it('an expired user token: the next call refreshes it once, on the page', async () => {
    const page = await newPage();
    await page.goto(`${hub}/me`);
    await page.getByRole('button', { name: 'Dave Chen', exact: true }).click();
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL(`${hub}/me`);
    const mark = t.emulator.state.calls.at(-1)?.id ?? 0;
    await fetch(`${t.emulator.url}/__emulator/authen/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ open_id: t.users.dave.open_id }) });
    await page.locator('#call-feishu').click();
    await page.locator('#feishu-answer', { hasText: 'HTTP 200' }).waitFor();
    expect(await page.locator('#feishu-answer').innerText()).toContain('"version": 2');
    const paths = t.emulator.state.calls.filter((c) => c.id > mark).map((c) => `${c.status} ${c.path}`);
    expect(paths.filter((p) => p.endsWith('/open-apis/authen/v2/oauth/token'))).toEqual(['200 /open-apis/authen/v2/oauth/token']);
    expect(paths.filter((p) => p.endsWith('/open-apis/authen/v1/user_info')).length).toBe(2); // refused once, then fine
  });

  it('a tampered state and a replayed code are refused; a return_to to another host too', async () => {
    const page = await newPage();
    await page.goto(`${hub}/logout`);
    let callback = '';
    page.on('request', (r) => {
      if (r.url().startsWith(`${hub}/callback/feishu`)) callback = r.url();
    });
    await page.goto(`${hub}/me`);
    await page.getByRole('button', { name: 'Bob Li', exact: true }).click();
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL(`${hub}/me`);
    expect(callback).toContain('code=');
    const replay = await page.goto(callback);
    expect(replay!.status()).toBe(403);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'forged-state-value');
    const forged = await page.goto(tampered.toString());
    expect(forged!.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('Login refused');
    await screenshot(page, 'sso-3-tampered-state');
    const open = await page.goto(`${hub}/login/feishu?return_to=${encodeURIComponent('https://evil.example/phish')}`);
    expect(open!.status()).toBe(400);
    expect(await page.locator('main').innerText()).toContain('evil.example, which is not this hub');
    await screenshot(page, 'sso-4-foreign-return-to');
  });

  it('Log out, then QR login on /login: "Scan as" in the frame signs in as that person', async () => {
    const page = await newPage();
    await page.goto(`${hub}/me`);
    await page.getByRole('button', { name: 'Alice Zhang', exact: true }).click();
    await page.waitForURL(`${hub}/me`);
    await page.locator('#logout').click();
    await page.waitForURL(`${hub}/login?logged_out=1`);
    const frame = page.frameLocator('#qr iframe');
    await frame.getByTestId('qr-frame').waitFor();
    await screenshot(page, 'sso-5-login-qr');
    await frame.getByRole('button', { name: 'Scan as Carol Wang' }).click();
    await page.waitForURL(`${hub}/me`);
    expect(await page.locator('#signed-in').innerText()).toBe('Signed in as 王卡罗');
  });

  it('an H5 page opened in the Workbench is signed in with no login page', async () => {
    await eventually(async () => ((await (await fetch(`${t.emulator.url}/__emulator/apps/${t.emulator.app.appId}/h5`)).json()) as { home_url?: string }).home_url === `${hub}/me/h5`, 10_000, 'the sandbox to set the H5 home page');
    const page = await newPage();
    let sawLogin = false;
    page.on('request', (r) => {
      if (/\/login|authen\/v1\/authorize/.test(r.url())) sawLogin = true;
    });
    await page.goto(`${t.emulator.url}/#/workbench?as=${t.users.erin.open_id}`);
    await page.getByTestId('workbench-page').waitFor();
    await page.locator(`[data-testid="workbench-card"][data-app-id="${t.emulator.app.appId}"]`).click();
    const frame = page.frameLocator('[data-testid="workbench-frame"]');
    await frame.locator('#signed-in').waitFor();
    expect(await frame.locator('#signed-in').innerText()).toBe('Signed in as 刘艾琳');
    expect(sawLogin).toBe(false);
    await screenshot(page, 'sso-6-workbench-h5');
  });
});
