import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually } from '../cli/process.js';
import { ssoTestHub } from '../sso/helpers.js';
import { text } from '../../src/bot/index.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

const deployCard = (title: string) => ({
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Approve' }, type: 'primary', value: { action: 'overview.approve' } }] }],
});

/**
 * The Overview in Chromium after traffic (messages, a card and its click, a send Feishu refuses):
 * the success metrics with their targets and colours, the by-API table with the refusal's code,
 * and the uPlot charts drawn.
 */
describeBrowser('console e2e: the overview', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await ssoTestHub({
      setup: (h) => {
        h.command('/ping', ({ reply }) => reply.text('pong'));
        h.command('/deploy', ({ reply }) => reply.card(deployCard('Deploy api?')));
        h.action('overview.approve', async ({ updateCard }) => updateCard(deployCard('Approved')));
      },
    });
    browser = await launchChromium();
    for (let i = 0; i < 3; i++) await t.say('/ping');
    const [card] = await t.say('/deploy');
    await t.click(card!.messageId, { action: 'overview.approve' }, { as: 'carol' });
    await fetch(`${t.emulator.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'POST', path: '/open-apis/im/v1/messages', status: 400, code: 230002, msg: 'Bot/User can NOT be out of the chat.' }) });
    await t.hub.messenger.send(t.chatId, text('refused')).catch(() => undefined);
    await fetch(`${t.emulator.url}/__emulator/faults`, { method: 'DELETE' });
    await eventually(async () => ((await t.hub.inbox!.stats()).done >= 4 ? true : undefined), 10_000, 'the events to be done');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the success metrics against their targets, the APIs and the charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${t.hub.url}/console`); // the sandbox signs the demo admin in; the Overview is first
    await page.getByTestId('overview-panel').waitFor();
    expect((await page.getByTestId('nav-item').allInnerTexts())[0]).toBe('Overview');

    const target = (id: string) => page.locator(`[data-testid="target"][data-target="${id}"]`);
    expect(await target('api_success').getAttribute('data-ok')).toBe('false'); // one refusal in a few calls
    expect(await target('api_success').innerText()).toContain('target > 99.5 %');
    expect(await target('event_p99').getAttribute('data-ok')).toBe('true');
    expect(await target('card_valid').getByTestId('target-value').innerText()).toBe('100 %');
    expect(await target('token_cache_hit').getAttribute('data-ok')).not.toBe('null');
    expect(Number(await page.getByTestId('stat-api-calls').locator('.stat-value').innerText())).toBeGreaterThan(0);
    expect(await page.getByTestId('stat-events').locator('.stat-value').innerText()).toMatch(/^[1-9]\d* \/ 0$/);

    const refused = page.locator('[data-testid="api-row"][data-api="POST /open-apis/im/v1/messages"]');
    expect(await refused.getByTestId('api-code').innerText()).toContain('230002');

    // uPlot drew its canvases, one per chart.
    await page.locator('[data-testid="chart-api"] canvas').waitFor();
    expect(await page.locator('[data-testid="overview-charts"] canvas').count()).toBe(6);
    await screenshot(page, 'console-overview-1-after-traffic');
    await page.getByTestId('api-table').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-overview-2-apis');
    expect(errors).toEqual([]);
  });
});
