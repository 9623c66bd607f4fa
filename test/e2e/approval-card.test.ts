import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { describeBrowser, errorsIn, launchChromium, openClient, screenshot } from './browser.js';

/**
 * The sandbox demo's approvals (what `npm start` shows, with no feishu-hub.yaml): the approver gets
 * the hub's approval card in their chat with the bot, decides on it, and the outcome is posted in
 * the demo group. Deciding in the approval centre page instead updates the card too.
 */
describeBrowser('approval cards in the emulator client (the sandbox demo)', () => {
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

  /** The bot's p2p chat with a user, and the approval card it sent there for an instance. */
  async function cardIn(user: string, instance: string) {
    const openId = t.users[user].open_id;
    const end = Date.now() + 5000;
    for (;;) {
      const m = [...t.emulator.state.messages.values()].find((x) => x.msg_type === 'interactive' && x.sender.id === t.emulator.app.appId && x.content.includes(instance) && t.emulator.state.chats.get(x.chat_id)?.chat_mode === 'p2p' && t.emulator.state.chats.get(x.chat_id)!.members.includes(openId));
      if (m) return { chatId: m.chat_id, messageId: m.message_id };
      if (Date.now() > end) throw new Error(`no approval card for ${user}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const settle = (page: Page) => page.evaluate(() => Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined))));

  it('Approve on the card in chat, then in the approval centre: both cards turn into the outcome, and the group is told once', async () => {
    const { instance_code: code } = await t.hub.approvals.create({ code: EXPENSE_APPROVAL_CODE, user: 'bob', form: { amount: '860 CNY', reason: 'Team offsite dinner', date: '2026-11-28T19:00:00+08:00' } });

    // Alice (first node) has the card in her chat with the bot: the form's values, a comment box, Approve / Reject.
    const alice = await cardIn('alice', code);
    const page = await openClient(browser, t.emulator.url, `#chat=${alice.chatId}`);
    await page.getByTestId('user-picker').selectOption(t.users.alice.open_id);
    const card = page.locator(`[data-message-id="${alice.messageId}"] .card`);
    await card.waitFor();
    expect(await card.innerText()).toContain('Team offsite dinner');
    expect(await card.innerText()).toContain('860');
    await card.locator('input').first().fill('Within budget');
    await settle(page);
    await screenshot(page, 'approval-card-1-in-chat');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.toast', { hasText: 'Approved' }).waitFor();
    const updated = page.locator(`[data-message-id="${alice.messageId}"] .card`);
    await updated.locator('.c-header', { hasText: 'Approved' }).waitFor();
    expect(await updated.innerText()).toContain('Within budget');
    expect(await updated.getByRole('button').count()).toBe(0);
    await screenshot(page, 'approval-card-2-approved-in-chat');

    // Erin (Finance) got hers; she decides in the approval centre page instead.
    const erin = await cardIn('erin', code);
    const centre = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await centre.goto(`${t.emulator.url}/#/approval/pending?as=${t.users.erin.open_id}&instance=${code}`);
    await centre.getByTestId('approval-detail').waitFor();
    await centre.getByTestId('approval-approve').click();
    await centre.getByTestId('approval-comment').fill('Paid on Friday');
    await centre.getByTestId('approval-confirm').click();
    await centre.getByTestId('approval-detail').getByTestId('approval-status').filter({ hasText: 'Approved' }).waitFor();
    await screenshot(centre, 'approval-card-3-approved-in-centre');

    // Her card follows: it says who approved and why, with no buttons left.
    await page.goto(`${t.emulator.url}/#chat=${erin.chatId}`);
    const erinCard = page.locator(`[data-message-id="${erin.messageId}"] .card`);
    await erinCard.locator('.c-header', { hasText: 'Approved' }).waitFor({ timeout: 10_000 });
    expect(await erinCard.innerText()).toContain('Paid on Friday');
    expect(await erinCard.getByRole('button').count()).toBe(0);
    await settle(page);
    await screenshot(page, 'approval-card-4-card-followed-centre');

    // The demo rule posted the outcome in the group, once.
    await page.goto(`${t.emulator.url}/#chat=${t.chatId}`);
    const posted = page.getByTestId('message-list').getByText('was approved', { exact: false });
    await posted.first().waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(t.messages().filter((m) => m.content.includes('Team offsite dinner') && m.content.includes('was approved'))).toHaveLength(1);
    await settle(page);
    await screenshot(page, 'approval-card-5-group-told');
    expect(errorsIn(page)).toEqual([]);
  });

  it('someone else clicking a forwarded card gets a toast saying why; a reject without a comment asks for one; nothing is decided', async () => {
    const { instance_code: code } = await t.hub.approvals.create({ code: EXPENSE_APPROVAL_CODE, user: 'carol', form: { amount: '42 CNY', reason: 'Taxi', date: '2026-11-30T08:00:00+08:00' } });
    const alice = await cardIn('alice', code);
    // Alice forwards her card into the demo group, where Bob clicks it.
    const copy = await t.hub.messenger.send(t.chatId, { msgType: 'interactive', content: JSON.parse(t.emulator.state.messages.get(alice.messageId)!.content) });
    const page = await openClient(browser, t.emulator.url, `#chat=${t.chatId}`);
    await page.getByTestId('user-picker').selectOption(t.users.bob.open_id);
    const card = page.locator(`[data-message-id="${copy.message_id}"] .card`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.toast', { hasText: 'Only the approver this task is assigned to can decide it.' }).waitFor();
    await screenshot(page, 'approval-card-6-not-yours');
    expect((await t.hub.approvals.get(code)).status).toBe('PENDING');
    // Reject without a comment, as Alice on her own card: she is asked for one.
    await page.goto(`${t.emulator.url}/#chat=${alice.chatId}`);
    await page.getByTestId('user-picker').selectOption(t.users.alice.open_id);
    await page.locator(`[data-message-id="${alice.messageId}"] .card`).getByRole('button', { name: 'Reject' }).click();
    await page.locator('.toast', { hasText: 'Please write why you reject it' }).waitFor();
    expect((await t.hub.approvals.get(code)).status).toBe('PENDING');
  });
});
