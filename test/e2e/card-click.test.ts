import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, errorsIn, openClient, screenshot } from './browser.js';
import { useDemoHubInBrowser } from './scenario.js';

describeBrowser('the emulator client: clicking a card the hub sent', () => {
  const s = useDemoHubInBrowser();
  let page: Page;

  it('shows the 1.0 approval card, and after Approve the toast and the updated card', async () => {
    const [sent] = await s.t.say('/approve-demo');
    expect(sent.msgType).toBe('interactive');

    page = await openClient(s.browser, s.t.emulator.url, `#chat=${s.t.chatId}`);
    const card = page.locator(`[data-message-id="${sent.messageId}"] .card`);
    await card.waitFor();
    await expect.poll(() => card.locator('.c-header').getAttribute('data-template')).toBe('orange');
    expect(await card.locator('.c-header-title-text').textContent()).toBe('Expense approval');
    const fields = card.locator('.c-field.short');
    expect(await fields.allInnerTexts()).toEqual(['Applicant\nAlice Zhang', 'Amount\n¥ 1,280.00']);
    expect(await card.locator('.c-md', { hasText: 'Reason' }).innerText()).toContain('Team offsite in Hangzhou');
    await expect.poll(() => card.locator('hr.c-hr').count()).toBe(1);
    expect(await card.locator('.c-actions .btn').allInnerTexts()).toEqual(['Approve', 'Reject', 'View Details']);
    expect(await card.getByRole('button', { name: 'View Details' }).getAttribute('data-url')).toBe('https://example.com/expenses/EXP-1024');
    await screenshot(page, 'card-click-1-approval-card');

    await card.getByRole('button', { name: 'Approve' }).click();
    const toast = page.locator('.toast');
    await toast.waitFor();
    expect(await toast.getAttribute('data-toast-type')).toBe('success');
    expect(await toast.innerText()).toBe('Approved EXP-1024');
    await screenshot(page, 'card-click-2-toast');

    const updated = page.locator(`[data-message-id="${sent.messageId}"] .card`);
    await updated.locator('.c-header[data-template="green"]').waitFor();
    expect(await updated.locator('.c-header-title-text').textContent()).toBe('Expense approved');
    expect(await updated.locator('.c-note').innerText()).toBe('Approved by @Alice Zhang');
    expect(await updated.locator('.btn').count()).toBe(0);
    expect(await page.locator(`[data-message-id="${sent.messageId}"] .msg-edited`).innerText()).toBe('Updated');
    await screenshot(page, 'card-click-3-updated-card');

    // The click went to the hub as the user writing in the composer (Alice by default).
    expect(s.t.actions.at(-1)).toMatchObject({ key: 'approval.approve', user: s.t.users.alice.open_id });
    expect(JSON.parse(s.t.emulator.state.messages.get(sent.messageId)!.content).header.template).toBe('green');
  });

  it('asks for confirmation before Reject and sends nothing when cancelled', async () => {
    const [sent] = await s.t.say('/approve-demo', { as: 'bob' });
    const card = page.locator(`[data-message-id="${sent.messageId}"] .card`);
    await card.waitFor();
    const before = s.t.actions.length;

    await card.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('Reject this request?');
    await screenshot(page, 'card-click-4-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(s.t.actions.length).toBe(before);

    // Clicking as another user: the callback's operator follows the composer's picker.
    await page.getByTestId('user-picker').selectOption(s.t.users.carol.open_id);
    await card.getByRole('button', { name: 'Reject' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('.toast[data-toast-type="warning"]', { hasText: 'Rejected EXP-1024' }).waitFor();
    await page.locator(`[data-message-id="${sent.messageId}"] .c-header[data-template="red"]`).waitFor();
    expect(s.t.actions.at(-1)).toMatchObject({ key: 'approval.reject', user: s.t.users.carol.open_id });
    expect(errorsIn(page)).toEqual([]);
  });
});
