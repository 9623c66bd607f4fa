import type * as lark from '@larksuiteoapi/node-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control, sdkClient } from '../helpers/emulator.js';
import { demoChat, sdkFailure } from '../helpers/im.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

describeBrowser('the Developer Console: a person revokes and grants an app’s scopes', () => {
  let emu: EmulatorHandle;
  let browser: Browser;
  let client: lark.Client;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    browser = await launchChromium();
    client = sdkClient(emu);
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  const createBase = () => client.bitable.app.create({ data: { name: 'Scoped' } });
  const sendText = () =>
    client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: demoChat(emu).chat_id, msg_type: 'text', content: JSON.stringify({ text: 'still allowed' }) } });
  const row = (page: Page, scope: string) => page.locator(`[data-testid="scope-row"][data-scope="${scope}"]`);
  const box = (page: Page, scope: string) => row(page, scope).getByTestId('scope-checkbox');
  const granted = async () => (await control(emu).call('GET', `/__emulator/apps/${emu.app.appId}/scopes`)).body.granted;

  it('unchecks the Base scopes and saves: the API answers 99991672, the page lists the refusal; its link grants them back', async () => {
    expect((await createBase()).code).toBe(0);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${emu.url}/#/developer`);
    await page.getByTestId('scopes-panel').waitFor();
    expect(await page.getByTestId('scopes-status').innerText()).toContain('All scopes');
    expect(await page.locator('[data-testid="scope-group"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-product')))).toEqual(['directory', 'im', 'approval', 'bitable']);
    expect(await box(page, 'bitable:app').isChecked()).toBe(true);
    await screenshot(page, 'app-scopes-1-default');

    // Revoke the two scopes that open "create a Base", as a developer unticks them in the console.
    await row(page, 'bitable:app').scrollIntoViewIfNeeded();
    await box(page, 'bitable:app').uncheck();
    await box(page, 'base:app:create').uncheck();
    await page.getByTestId('scopes-dirty').waitFor();
    await page.getByTestId('scopes-save').click();
    await page.locator('.toast', { hasText: 'Scopes saved · 2 revoked' }).waitFor();
    await page.locator('[data-testid="scopes-status"]', { hasText: 'of' }).waitFor();
    const now = await granted();
    expect(now).not.toContain('bitable:app');
    expect(now).not.toContain('base:app:create');
    expect(now).toContain('base:record:create');

    // The API refuses, as the platform does; a call needing a scope still granted goes through.
    const f = await sdkFailure(createBase());
    expect(f.status).toBe(400);
    expect(f.data.code).toBe(99991672);
    expect(f.data.error.permission_violations.map((v: { scope: string }) => v.scope)).toEqual(['base:app:create', 'bitable:app']);
    expect((await sendText()).code).toBe(0);

    // The console shows the refused call (polled).
    const refusal = page.getByTestId('scope-refusal').first();
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('POST /open-apis/bitable/v1/apps');
    expect(await refusal.getAttribute('data-code')).toBe('99991672');
    await page.locator('[data-testid="developer-app"] .dev-app-badge', { hasText: '51/53' }).waitFor();
    expect(await box(page, 'base:app:create').isChecked()).toBe(false);
    await row(page, 'base:app:create').scrollIntoViewIfNeeded();
    await screenshot(page, 'app-scopes-2-revoked-and-refused');

    // The link in the error opens this console with the scopes asked for marked; the person ticks one and saves.
    await page.goto(f.data.error.permission_violations[0].url);
    await row(page, 'bitable:app').locator('.text-tag', { hasText: 'Asked for' }).waitFor();
    expect(await row(page, 'base:app:create').getAttribute('class')).toContain('marked');
    await row(page, 'bitable:app').scrollIntoViewIfNeeded();
    await screenshot(page, 'app-scopes-3-asked-for');
    await box(page, 'bitable:app').check();
    await page.getByTestId('scopes-save').click();
    await page.locator('.toast', { hasText: '1 granted' }).waitFor();
    expect(await granted()).toContain('bitable:app');
    expect((await createBase()).code).toBe(0);

    // Back to the default: every scope, nothing checked.
    await page.getByTestId('scopes-restore').click();
    await page.locator('[data-testid="scopes-status"]', { hasText: 'All scopes' }).waitFor();
    expect(await granted()).toBe('all');
    expect(await box(page, 'base:app:create').isChecked()).toBe(true);
    await screenshot(page, 'app-scopes-4-restored');
    expect(errors).toEqual([]);
  });
});
