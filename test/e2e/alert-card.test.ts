import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { samplePayload } from '../../src/alerts/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { cardsIn, post, sources, titleOf, until, clearAlertTokens, setAlertTokens } from '../alerts/helpers.js';
import { describeBrowser, errorsIn, launchChromium, openClient, screenshot } from './browser.js';

/**
 * The on-call's view: an Alertmanager alert arrives as a card in the group; Bob acknowledges it in
 * the web client and everyone sees his name on it; he snoozes it; Alice, not linked to the
 * alerting system, is told how to link; Bob resolves it and the card turns green.
 */
describeBrowser('the alert card in the emulator client', () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    setAlertTokens();
    t = await createTestHub({
      sections: {
        alerts: {
          sources: sources(),
          routes: [{ name: 'sre', chats: [DEMO_CHAT_ID], mention: ['schedule:sre'], escalate_to: ['alice'] }],
          schedules: { sre: { users: ['bob'], starts_at: '2026-01-05T09:00:00+08:00' } },
          bindings: { required: true, users: [{ feishu: 'bob', user: 'bob.li' }, { feishu: 'carol', user: 'carol.w' }] },
          card_update_every_ms: 200,
          poll_every_ms: 100,
        },
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    clearAlertTokens();
  });
  const settle = (page: Page) => page.evaluate(() => Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined))));
  const as = async (page: Page, user: string) => {
    await page.getByTestId('user-picker').selectOption(t.users[user].open_id);
  };

  it('Acknowledge shows the clicker for everyone; Snooze; an unbound user is told how to bind; Resolve turns it green', async () => {
    await post(t.hub.url!, 'alertmanager', samplePayload('alertmanager', { alertname: 'CheckoutLatency', instances: 3 }));
    const { message_id: id } = await until(() => cardsIn(t).find((m) => titleOf(m.card).includes('CheckoutLatency')), 10_000, 'the alert card');

    const page = await openClient(browser, t.emulator.url, `#chat=${t.chatId}`);
    await as(page, 'bob');
    const card = page.locator(`[data-message-id="${id}"] .card`);
    await card.waitFor();
    expect(await card.innerText()).toContain('[FIRING:3] CheckoutLatency');
    expect(await card.innerText()).toContain('not acknowledged');
    await card.scrollIntoViewIfNeeded();
    await settle(page);
    await screenshot(page, 'alert-card-1-firing');

    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.toast', { hasText: 'Acknowledged #' }).waitFor();
    await card.getByText('Acknowledged by 李博').waitFor();
    await screenshot(page, 'alert-card-2-acknowledged-by-bob');

    // Carol opens the chat: the same card says Bob acknowledged it.
    const carol = await openClient(browser, t.emulator.url, `#chat=${t.chatId}`);
    await as(carol, 'carol');
    await carol.locator(`[data-message-id="${id}"] .card`).getByText('Acknowledged by 李博').waitFor();

    // Snooze for 1 hour: the card greys and says until when.
    await card.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('option', { name: '1 hour' }).click();
    await page.locator('.toast', { hasText: 'for 1h' }).waitFor();
    await card.getByText('snoozed until').waitFor();
    await screenshot(page, 'alert-card-3-snoozed');

    // Alice is not linked to the alerting system: her Resolve is held, and she is told how to link.
    await as(page, 'alice');
    await card.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Confirm' }).click();
    const toast = page.locator('.toast', { hasText: '/bind' });
    await toast.waitFor();
    expect(await toast.innerText()).toContain('not linked');
    await screenshot(page, 'alert-card-4-unbound-toast');
    expect((await t.hub.alerts.incidents()).find((i) => i.title.startsWith('CheckoutLatency'))!.status).toBe('acknowledged');

    // Bob resolves it: green, no buttons.
    await as(page, 'bob');
    await card.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Confirm' }).click();
    const resolved = page.locator(`[data-message-id="${id}"] .card`);
    await resolved.locator('.c-header', { hasText: '[RESOLVED]' }).waitFor();
    expect(await resolved.innerText()).toContain('Resolved by 李博');
    expect(await resolved.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await settle(page);
    await screenshot(page, 'alert-card-5-resolved');
    expect(errorsIn(page)).toEqual([]);
    expect(errorsIn(carol)).toEqual([]);
  });
});
