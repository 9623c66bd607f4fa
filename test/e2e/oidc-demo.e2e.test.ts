import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

/**
 * The sandbox's "Log in to an internal app via the hub's OIDC" in Chromium: the demo app (a relying
 * party written with openid-client) → the hub's OpenID Provider → the hub's Feishu login → the
 * emulator's authorize page (pick a person, consent) → back in the app with the id_token's claims;
 * then its Sign out, through the provider's confirmation page.
 */
describeBrowser('oidc e2e: the sandbox demo app logs in through the hub', () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestHub();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in as Alice, shows her claims, signs out of the app and the hub', async () => {
    const hub = t.hub.url!;
    const alice = t.users.alice;
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${hub}/oidc/demo`);
    await screenshot(page, 'oidc-1-demo-app');
    await page.locator('#login').click();
    await page.waitForURL(`${t.emulator.url}/open-apis/authen/v1/authorize?**`);
    await page.getByRole('button', { name: alice.en_name, exact: true }).click();
    await page.getByTestId('authen-consent').waitFor();
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL(`${hub}/oidc/demo/callback?**`);
    expect(await page.locator('#hello').innerText()).toBe(`Hello, ${alice.name}`);
    const claims = await page.locator('#claims').innerText();
    expect(claims).toContain(alice.union_id);
    expect(claims).toContain(alice.email);
    expect(await page.locator('#kid').innerText()).toMatch(/^[\w-]{40,}$/);
    await screenshot(page, 'oidc-2-claims');

    await page.locator('#logout').click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await screenshot(page, 'oidc-3-sign-out');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${hub}/oidc/demo`);
    // Signed out of the hub too: its own page asks for a login again.
    expect((await page.context().cookies(hub)).map((c) => c.name)).not.toContain('feishu_hub_session');
    await page.goto(`${hub}/me`);
    await page.waitForURL(`${t.emulator.url}/open-apis/authen/v1/authorize?**`);
    await page.close();
  });
});
