import { expect, it } from 'vitest';
import { describeBrowser, errorsIn, openClient, screenshot } from './browser.js';
import { useDemoHubInBrowser } from './scenario.js';

describeBrowser('the emulator client: writing as a user', () => {
  const s = useDemoHubInBrowser();

  it('sends "@bot /help" from the composer and shows the bot\'s reply without a reload', async () => {
    const page = await openClient(s.browser, s.t.emulator.url, `#chat=${s.t.chatId}`);
    await page.getByTestId('user-picker').selectOption(s.t.users.bob.open_id);
    const input = page.getByTestId('composer-input');
    await input.fill('@bot /help');
    await input.press('Enter');

    const mine = page.locator('.msg.msg-self[data-msg-type="text"]').last();
    await mine.waitFor();
    expect(await mine.locator('.mention').innerText()).toBe('@feishu-hub bot');
    expect(await input.inputValue()).toBe('');

    // The hub answers through the API; the page polls and shows it.
    const reply = page.locator('.msg[data-sender="feishu-hub bot"][data-msg-type="text"]').last();
    await reply.waitFor();
    expect(await reply.locator('.chip-bot').innerText()).toBe('Bot');
    expect(await reply.locator('.reply-quote').innerText()).toContain('Bob Li:');
    const text = await reply.locator('.text-msg').innerText();
    expect(text).toContain('/approve-demo');
    expect(text).toContain('/ping');
    expect(await page.locator('.chat-item.selected .chat-item-preview').innerText()).toMatch(/^feishu-hub bot: /);

    // The message went through the platform path: stored with Bob as sender and a mention of the bot.
    const stored = s.t.messages().find((m) => m.sender.id === s.t.users.bob.open_id)!;
    expect(stored.mentions.map((m) => m.name)).toEqual(['feishu-hub bot']);

    // The request log shows the bot's reply call and the event delivery.
    await page.getByTestId('header-toggle-log').click();
    const log = page.getByTestId('request-log');
    await log.locator('.log-row', { hasText: '/reply' }).first().waitFor();
    expect(await log.locator('.log-row', { hasText: '/reply' }).first().innerText()).toMatch(/POST[\s\S]*200 · code 0/);
    await screenshot(page, 'composer-1-help-reply');
    await log.getByRole('tab', { name: /Events/ }).click();
    await log.locator('.log-row', { hasText: 'im.message.receive_v1' }).first().waitFor();
    expect(await log.locator('.log-row', { hasText: 'im.message.receive_v1' }).first().innerText()).toContain('delivered');
    expect(errorsIn(page)).toEqual([]);
  });

  it('suggests mentions after "@" and will not write as someone outside the chat', async () => {
    const page = await openClient(s.browser, s.t.emulator.url, `#chat=${s.t.chatId}`);
    const input = page.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('hi @car');
    await page.locator('.mention-suggest li', { hasText: 'Carol Wang' }).waitFor();
    await input.press('Enter');
    expect(await input.inputValue()).toBe('hi @Carol Wang ');

    // Dave is not a member of the demo group: the composer says so and stays disabled.
    await page.getByTestId('user-picker').selectOption(s.t.users.dave.open_id);
    expect(await page.locator('.composer-warn').innerText()).toBe('Dave Chen is not a member of this chat');
    expect(await input.isDisabled()).toBe(true);
    expect(errorsIn(page)).toEqual([]);
  });
});
