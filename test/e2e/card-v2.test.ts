import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, errorsIn, openClient, screenshot } from './browser.js';
import { useDemoHubInBrowser } from './scenario.js';

describeBrowser('the emulator client: a JSON 2.0 card, a post, images and files', () => {
  const s = useDemoHubInBrowser();
  let page: Page;

  it('renders columns, selects, the date picker, table and panel, and sends their values', async () => {
    const [sent] = await s.t.say('/release-demo');
    page = await openClient(s.browser, s.t.emulator.url, `#chat=${s.t.chatId}&message=${sent.messageId}`);
    const card = page.locator(`[data-message-id="${sent.messageId}"] .card[data-card-schema="2.0"]`);
    await card.waitFor();
    expect(await card.locator('.c-header').getAttribute('data-template')).toBe('indigo');
    expect(await card.locator('.c-header .c-tag').allInnerTexts()).toEqual(['v2.0 card', 'Staging']);
    expect(await card.locator('.c-header-subtitle').innerText()).toBe('Pick the window and the services to ship');
    // Markdown: @all, bold, italic, link, list.
    const intro = card.locator('.c-md').first();
    expect(await intro.locator('.mention-all').innerText()).toBe('@All');
    expect(await intro.locator('strong').innerText()).toBe('release train');
    expect(await intro.locator('a').getAttribute('href')).toBe('https://example.com/runbook');
    expect(await intro.locator('li').allInnerTexts()).toEqual(['Code freeze at 14:00', 'Deploy at 16:00']);
    // Three weighted grey columns side by side.
    const stats = card.locator('.c-colset').first().locator(':scope > .c-col');
    expect(await stats.count()).toBe(3);
    const boxes = await Promise.all([0, 1, 2].map((i) => stats.nth(i).boundingBox()));
    expect(new Set(boxes.map((b) => Math.round(b!.y))).size).toBe(1);
    // Table with people resolved from the directory.
    expect(await card.locator('.c-table tbody tr').first().innerText()).toMatch(/api-gateway\s+Bob Li\s+ready/);
    await screenshot(page, 'card-v2-1-rendered');

    await card.getByRole('button', { name: 'Choose an environment' }).click();
    await screenshot(page, 'card-v2-2-select-open');
    await card.getByRole('option', { name: 'Production' }).click();
    await page.locator('.toast', { hasText: 'Environment: production' }).waitFor();
    expect(s.t.actions.at(-1)).toMatchObject({ key: 'release.env', option: 'production' });
    expect(await card.locator('.select-value').first().innerText()).toBe('Production');

    const day = card.locator('input[data-tag="date_picker"]');
    expect(await day.inputValue()).toBe('2024-06-14');
    await day.fill('2024-06-21');
    await page.locator('.toast', { hasText: 'Release day: 2024-06-21' }).waitFor();
    expect(s.t.actions.at(-1)!.option).toMatch(/^2024-06-21 [+-]\d{4}$/);

    await card.getByRole('button', { name: 'Rollback plan' }).click();
    expect(await card.locator('.c-panel-body').innerText()).toContain('Flip the feature flag');
  });

  it('checks required form fields, then submits form_value', async () => {
    const card = page.locator('.card[data-card-schema="2.0"]').last();
    const before = s.t.actions.length;
    await card.getByRole('button', { name: 'Sign off' }).click();
    await page.locator('.toast[data-toast-type="warning"]', { hasText: 'Please fill in the required fields' }).waitFor();
    expect(await card.locator('.c-input-error').innerText()).toBe('Required');
    expect(s.t.actions.length).toBe(before);

    await card.getByRole('textbox', { name: 'Notes' }).fill('Watch the billing queue');
    await card.getByRole('button', { name: 'Services to ship' }).click();
    await card.getByRole('option', { name: 'api-gateway' }).click();
    await card.getByRole('option', { name: 'search' }).click();
    await page.keyboard.press('Escape');
    expect(await card.locator('.select-multi .select-value').innerText()).toBe('api-gateway, search');
    await card.getByRole('button', { name: 'Sign off' }).click();
    await page.locator('.toast[data-toast-type="success"]', { hasText: 'Signed off' }).waitFor();
    expect(s.t.actions.at(-1)).toMatchObject({ key: 'release.sign_off', formValue: { notes: 'Watch the billing queue', services: ['api-gateway', 'search'] } });
    await screenshot(page, 'card-v2-3-form-submitted');
  });

  it('renders a post: title, styles, link, mention, code block, rule, markdown and image', async () => {
    const [sent] = await s.t.say('/post-demo');
    const post = page.locator(`[data-message-id="${sent.messageId}"] .post-msg`);
    await post.waitFor();
    expect(await post.locator('.post-title').innerText()).toBe('Weekly engineering report');
    expect(await post.locator('strong').first().innerText()).toBe('14');
    expect(await post.locator('a.md-link').first().getAttribute('href')).toBe('https://example.com/dashboard');
    expect(await post.locator('.mention').first().innerText()).toBe('@Alice Zhang');
    expect(await post.locator('pre').innerText()).toBe('npm run deploy -- --env production');
    expect(await post.locator('hr').count()).toBe(1);
    expect(await post.locator('.post-md li').allInnerTexts()).toEqual(['ship the release train', 'retire legacy-auth']);
    const img = post.locator('img.post-img');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(320);
    await screenshot(page, 'card-v2-4-post');
    expect(errorsIn(page)).toEqual([]);
  });

  it('renders an image inline, a file as a chip with a download link, and a group card', async () => {
    const [image, file, share] = await s.t.say('/files-demo');
    const img = page.locator(`[data-message-id="${image.messageId}"] img.image-msg`);
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(480);

    const chip = page.locator(`[data-message-id="${file.messageId}"] [data-testid="file-chip"]`);
    expect(await chip.locator('.file-name').innerText()).toBe('q2-report.pdf');
    expect(await chip.locator('.file-size').innerText()).toBe('13 B');
    const href = await chip.getAttribute('href');
    const download = await fetch(new URL(href!, s.t.emulator.url));
    expect(download.headers.get('content-disposition')).toContain('q2-report.pdf');
    expect(await download.text()).toBe('%PDF-1.4 demo');

    expect(await page.locator(`[data-message-id="${share.messageId}"] .share-card`).innerText()).toMatch(/feishu-hub demo\s+3 members/);
    await screenshot(page, 'card-v2-5-files');
    expect(errorsIn(page)).toEqual([]);
  });
});
