import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { defaultProducts, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { describeBrowser, errorsIn, launchChromium, openClient, openPage, screenshot } from './browser.js';
import { useDemoHubInBrowser } from './scenario.js';
import { broken, notes } from './fixtures/notes-page/index.js';

const railLabels = (page: Page) => page.locator('nav.rail a.rail-item .rail-label').allInnerTexts();
/** Avatars are drawn before a screenshot. */
const imagesLoaded = (page: Page) => page.evaluate(() => Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined))));
const memberNames = (page: Page) => page.locator('[data-testid="directory-member"] .dir-person-name').evaluateAll((els) => els.map((e) => e.firstChild?.textContent ?? ''));

describeBrowser('the emulator client: the app rail and the directory page', () => {
  const s = useDemoHubInBrowser();

  it('opens the Directory from the rail, keeps it on reload, and goes back to the Messenger and its chat', async () => {
    const page = await openClient(s.browser, s.t.emulator.url);
    // The rail: the Messenger first, then the products' pages; the Messenger is the page shown.
    expect(await railLabels(page)).toEqual(['Messenger', 'Directory', 'Workbench', 'Approval', 'Base', 'Developer']);
    expect(await page.getByTestId('rail-messenger').getAttribute('aria-current')).toBe('page');
    await page.locator('.chat-item.selected', { hasText: 'feishu-hub demo' }).waitFor();

    await page.getByTestId('rail-directory').click();
    await page.getByTestId('directory-page').waitFor();
    expect(new URL(page.url()).hash).toBe('#/directory');
    expect(await page.getByTestId('rail-directory').getAttribute('aria-current')).toBe('page');
    expect(await page.title()).toBe('Directory · feishu-hub emulator');
    expect(await page.locator('.chat-item').count()).toBe(0);

    // Everyone, with email, department and status; the departments in the tree and as rows.
    expect(await memberNames(page)).toEqual(['Alice Zhang', 'Bob Li', 'Carol Wang', 'Dave Chen', 'Erin Liu', 'Frank Zhao']);
    const bob = page.locator('[data-testid="directory-member"][data-user-id="bob"]');
    expect(await bob.locator('td').allInnerTexts()).toEqual([expect.stringContaining('Bob Li'), 'bob@example.com', 'Engineering / SRE', 'Active']);
    expect(await bob.locator('img.avatar').getAttribute('src')).toBe(`/__emulator/avatars/${s.t.users.bob.open_id}?size=96`);
    expect(await page.locator('[data-testid="directory-member"][data-user-id="frank"] .dir-status').innerText()).toBe('Resigned');
    expect(await page.locator('.dir-nav .dir-nav-name').allInnerTexts()).toEqual(['Organization', 'Engineering', 'SRE', 'Sales', 'Finance']);
    expect(await page.locator('[data-testid="directory-department"] .dir-dept-name').allInnerTexts()).toEqual(['Engineering', 'Sales', 'Finance']);
    expect(await page.locator('[data-testid="directory-department"][data-department-id="engineering"] .dir-dept-meta').innerText()).toBe('3 members · Leader Alice Zhang');
    await imagesLoaded(page);
    await screenshot(page, 'app-rail-1-directory');

    // Into a department, then a person's profile card: each step is a route of its own.
    await page.locator('[data-testid="directory-department"][data-department-id="engineering"]').click();
    await page.locator('[data-testid="directory-department"][data-department-id="sre"]').click();
    // The click changes the route; the page renders the department after it, so wait for that render.
    await expect.poll(() => page.locator('.dir-crumbs').innerText()).toMatch(/Organization\s*Engineering\s*SRE/);
    expect(await memberNames(page)).toEqual(['Bob Li', 'Carol Wang']);
    await page.locator('[data-testid="directory-member"][data-user-id="bob"] .dir-person').click();
    const profile = page.getByTestId('directory-profile');
    await profile.waitFor();
    expect(new URL(page.url()).hash).toBe('#/directory/sre?user=bob');
    expect(await profile.innerText()).toContain(s.t.users.bob.open_id);
    expect(await profile.locator('.dir-profile-row', { hasText: 'Department' }).innerText()).toContain('Engineering / SRE');

    // The deep link survives a reload.
    await page.reload();
    await page.getByTestId('directory-profile').waitFor();
    expect(await memberNames(page)).toEqual(['Bob Li', 'Carol Wang']);
    expect(await page.locator('.dir-nav-item.selected .dir-nav-name').innerText()).toBe('SRE');
    await imagesLoaded(page);
    await screenshot(page, 'app-rail-2-department-profile');

    // Back to the Messenger: the demo chat is open again, its messages and composer as before.
    await page.getByTestId('rail-messenger').click();
    await page.locator('.chat-item.selected', { hasText: 'feishu-hub demo' }).waitFor();
    expect(await page.locator('.chat-header-title').innerText()).toBe('feishu-hub demo');
    expect(new URL(page.url()).hash).toBe(`#chat=${s.t.chatId}`);
    expect(await page.getByTestId('composer-input').isVisible()).toBe(true);
    expect(await page.getByTestId('rail-messenger').getAttribute('aria-current')).toBe('page');
    expect(await page.title()).toBe('feishu-hub emulator');
    await screenshot(page, 'app-rail-3-messenger');

    // The browser's back button returns to the profile.
    await page.goBack();
    await page.getByTestId('directory-profile').waitFor();
    expect(errorsIn(page)).toEqual([]);
  });

  it('shows an unknown page route as such, with the rail still there', async () => {
    const page = await openPage(s.browser, `${s.t.emulator.url}/#chat=${s.t.chatId}`);
    await page.evaluate(() => (location.hash = '#/nowhere'));
    await page.locator('.page-status', { hasText: 'No page at #/nowhere' }).waitFor();
    await page.locator('.page-status a', { hasText: 'Back to the Messenger' }).click();
    await page.locator('.chat-item.selected', { hasText: 'feishu-hub demo' }).waitFor();
    expect(errorsIn(page)).toEqual([]);
  });
});

describeBrowser('the emulator client: a product page from the product\'s own folder', () => {
  let emu: EmulatorHandle;
  const s = {} as { browser: Browser };
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, products: [...defaultProducts, notes, broken] });
    s.browser = await launchChromium();
  });
  afterAll(async () => {
    await s.browser?.close();
    await emu?.close();
  });

  it('puts an extra product\'s page on the rail and renders its module, with its sub-routes', async () => {
    const page = await openClient(s.browser, emu.url);
    expect(await railLabels(page)).toEqual(['Messenger', 'Directory', 'Workbench', 'Approval', 'Base', 'Developer', 'Notes', 'Broken']);
    await page.getByTestId('rail-notes').click();
    await page.getByTestId('notes-page').waitFor();
    await page.locator('.note', { hasText: 'second note' }).waitFor();
    expect(await page.getByTestId('notes-route').innerText()).toBe('sub=(none) tab=(none)');
    await page.getByTestId('notes-link').click();
    await page.getByTestId('notes-route').filter({ hasText: 'sub=/archive tab=old' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/notes/archive?tab=old');

    // A module that does not load says so in place; the other pages still open.
    await page.getByTestId('rail-broken').click();
    await page.locator('.page-error', { hasText: 'Could not load the Broken page' }).waitFor();
    await page.getByTestId('rail-directory').click();
    await page.getByTestId('directory-page').waitFor();
    expect(errorsIn(page)).toEqual([]);
  });

  it('serves only the files of a page\'s folder', async () => {
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: emu.port, path, method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status('/__emulator/web/pages/notes/notes.js')).toBe(200);
    expect(await status('/__emulator/web/pages/directory/directory.css')).toBe(200);
    expect(await status('/__emulator/web/pages/notes/../index.ts')).toBe(404);
    expect(await status('/__emulator/web/pages/notes/..%2findex.ts')).toBe(404);
    expect(await status('/__emulator/web/pages/directory/%2e%2e/page.ts')).toBe(404);
    expect(await status('/__emulator/web/pages/directory/..%2f..%2fweb%2fclient%2fmain.js')).toBe(404);
    expect(await status('/__emulator/web/pages/im/anything.js')).toBe(404);
    const state = (await (await fetch(`${emu.url}/__emulator/web/state`)).json()) as { pages: unknown[] };
    expect(state.pages).toEqual([
      { product: 'directory', title: 'Directory', path: '/#/directory', icon: 'contacts', module: '/__emulator/web/pages/directory/directory.js' },
      { product: 'authen', title: 'Workbench', path: '/#/workbench', icon: 'workbench', module: '/__emulator/web/pages/authen/workbench.js' },
      { product: 'im', title: 'Messenger', path: '/' },
      { product: 'approval', title: 'Approval', path: '/#/approval', icon: 'approval', module: '/__emulator/web/pages/approval/approval.js' },
      { product: 'bitable', title: 'Base', path: '/#/base', icon: 'base', module: '/__emulator/web/pages/bitable/base.js' },
      { product: 'developer', title: 'Developer', path: '/#/developer', icon: 'console', module: '/__emulator/web/pages/developer/developer.js' },
      { product: 'notes', title: 'Notes', path: '/#/notes', icon: 'docs', module: '/__emulator/web/pages/notes/notes.js' },
      { product: 'broken', title: 'Broken', path: '/#/broken', module: '/__emulator/web/pages/broken/missing.js' },
    ]);
  });
});
