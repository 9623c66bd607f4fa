import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { describeBrowser, errorsIn, launchChromium, openPage, screenshot } from './browser.js';
import { headerCard, HEADER_TEMPLATES, incidentCard, templateCard } from './fixtures/gallery.js';

async function preview(emu: EmulatorHandle, card: unknown): Promise<{ url: string; message_id: string; platform_error?: { code: number; msg: string } }> {
  const res = await fetch(`${emu.url}/__emulator/cards/preview`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card }) });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describeBrowser('the emulator client: card preview', () => {
  let emu: EmulatorHandle;
  let browser: Browser;

  beforeAll(async () => {
    // A bare emulator: no app is listening, as with `feishu-hub card preview` on its own.
    emu = await startEmulator({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  it('draws every header colour, templates and unknown elements without breaking', async () => {
    for (const template of HEADER_TEMPLATES) await preview(emu, headerCard(template));
    const tpl = await preview(emu, templateCard);
    const page = await openPage(browser, tpl.url);
    const headers = page.locator('.c-header');
    await expect.poll(() => headers.count()).toBe(HEADER_TEMPLATES.length);
    expect(await headers.evaluateAll((hs) => hs.map((h) => h.getAttribute('data-template')))).toEqual(HEADER_TEMPLATES);
    expect(await page.locator('.c-header[data-template="blue"]').evaluate((h) => getComputedStyle(h).backgroundColor)).toBe('rgb(51, 112, 255)');
    expect(await page.locator('.chat-item.selected .chat-item-name').innerText()).toBe('Card preview');
    const template = page.locator(`[data-message-id="${tpl.message_id}"]`);
    expect(await template.getAttribute('class')).toContain('msg-focused');
    expect(await template.locator('.c-template-id').innerText()).toBe('template_id AAqkz9BVkCXxs · version 1.0.3');
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.locator('.message-list').evaluate((el) => (el.scrollTop = 0));
    await screenshot(page, 'card-preview-1-header-colours');
    expect(errorsIn(page)).toEqual([]);
    await page.close();
  });

  it('opens the preview link on the card, shows what Feishu would refuse, and explains a click nobody answers', async () => {
    const alice = emu.state.findUser('alice', 'user_id')!;
    const shown = await preview(emu, incidentCard('img_v2_not_uploaded', alice.open_id));
    expect(shown.platform_error?.msg).toContain('invalid image key');

    const page = await openPage(browser, shown.url, { width: 1280, height: 900 });
    const card = page.locator(`[data-message-id="${shown.message_id}"] .card`);
    await card.waitFor();
    expect(await card.locator('.c-unsupported').innerText()).toBe('unsupported element: sparkle_chart');
    expect(await card.locator('img.c-img').getAttribute('alt')).toBe('p99 latency chart');
    expect(await card.locator('.c-person').innerText()).toBe('Alice Zhang');
    expect(await card.getByRole('button', { name: 'Escalate' }).isDisabled()).toBe(true);
    expect(await card.locator('input[data-tag="picker_time"]').inputValue()).toBe('18:30');
    expect(await card.locator('.c-note').innerText()).toContain('Alert rule checkout-latency-p99');

    await card.getByRole('button', { name: 'More' }).click();
    expect(await card.locator('.dropdown-menu .dropdown-item').allInnerTexts()).toEqual(['Silence 1 h', 'Open dashboard']);
    await screenshot(page, 'card-preview-2-incident');
    await page.keyboard.press('Escape');

    // No app has a card URL or long connection here: the client says so, as Feishu does (200340).
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    const toast = page.locator('.toast[data-toast-type="error"]');
    await toast.waitFor();
    expect(await toast.innerText()).toContain('(200340)');
    expect(errorsIn(page)).toEqual([]);
    await page.close();
  });

  it('shows markup in card JSON as text and never follows javascript: links', async () => {
    const hostile = {
      elements: [
        { tag: 'markdown', content: '<img src=x onerror="window.__pwned=1"> **bold** <script>window.__pwned=2</script> [link](javascript:window.__pwned=3)' },
        { tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Open' }, url: 'javascript:window.__pwned=4' }] },
      ],
    };
    const shown = await preview(emu, hostile);
    const page = await openPage(browser, shown.url);
    const card = page.locator(`[data-message-id="${shown.message_id}"] .card`);
    await card.waitFor();
    const md = card.locator('.c-md');
    expect(await md.innerText()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await md.innerText()).toContain('<script>window.__pwned=2</script>');
    expect(await md.locator('img, script, a').count()).toBe(0);
    expect(await md.locator('strong').innerText()).toBe('bold');
    expect(await card.getByRole('button', { name: 'Open' }).getAttribute('data-url')).toBeNull();
    await card.getByRole('button', { name: 'Open' }).click();
    await page.locator('.toast').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errorsIn(page)).toEqual([]);
    await page.close();
  });
});
