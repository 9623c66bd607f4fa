import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../cli/process.js';
import { ssoTestHub } from '../sso/helpers.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

const TYPE = 'console_demo.widget_changed_v1';

/**
 * The console in Chromium: Feishu login through the emulator's authorize page (Bob is refused,
 * Alice is an admin), an event whose listener fails dead-letters, shows on the Events page, and
 * succeeds when replayed from the page after the fix; the replay is in the audit log.
 */
describeBrowser('console e2e: events, dead letters and replay', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let hub: string;
  let browser: Browser;
  let broken = true;
  const handled: string[] = [];
  const errors: string[] = [];
  const newPage = async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => errors.push(err.message));
    return page;
  };
  const logIn = async (page: Page, name: string) => {
    await page.goto(`${hub}/login/feishu?return_to=${encodeURIComponent('/console')}`);
    await page.getByTestId('authen-account-picker').waitFor();
    await page.getByRole('button', { name, exact: true }).click();
    const authorize = page.getByRole('button', { name: 'Authorize' });
    await Promise.race([page.waitForURL(`${hub}/console**`), authorize.waitFor().then(() => authorize.click())]);
    await page.waitForURL(`${hub}/console**`);
  };

  beforeAll(async () => {
    t = await ssoTestHub({
      inbox: { maxAttempts: 3, backoff: { baseMs: 50, maxMs: 100 } },
      setup: (h) =>
        h.event(TYPE, async (ctx) => {
          if (broken) throw new Error('widget service answered 503 Service Unavailable');
          handled.push(ctx.eventId);
        }),
    });
    hub = t.hub.url!;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a signed-in non-admin is refused with a page that says why', async () => {
    const page = await newPage();
    await logIn(page, 'Bob Li');
    const refused = page.getByTestId('console-refused');
    await refused.waitFor();
    expect(await page.locator('h1').innerText()).toBe('Admins only');
    expect(await refused.innerText()).toContain(t.users.bob.name);
    await screenshot(page, 'console-1-non-admin-refused');
  });

  it('an admin sees a dead letter on the Events page, replays it after the fix, and it succeeds', async () => {
    const page = await newPage();
    await logIn(page, 'Alice Zhang');
    await page.getByTestId('console-nav').waitFor();
    expect(await page.getByTestId('console-user').innerText()).toContain(t.users.alice.name);
    expect(await page.getByTestId('sandbox-banner').count()).toBe(0);
    expect(await page.getByTestId('nav-item').allInnerTexts()).toEqual(expect.arrayContaining(['Overview', 'Events', 'Audit log']));
    await page.locator('[data-testid="nav-item"][data-panel="events"]').click(); // the Overview comes first
    await page.getByTestId('events-panel').waitFor();

    const res = await fetch(`${t.emulator.url}/__emulator/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event_type: TYPE, event: { widget_id: 'w-42', change: 'price' } }) });
    const { event_id: id } = (await res.json()) as { event_id: string };
    await eventually(async () => ((await t.hub.inbox!.get(id))?.status === 'dead' ? true : undefined), 15_000, 'the event to dead-letter');

    await page.getByTestId('tab-dead').click();
    const row = page.locator(`[data-testid="event-row"][data-event-id="${id}"]`);
    // The list refreshes every 2 s: wait for the dead-letter view's answer, not an older poll's.
    await row.getByTestId('event-status').filter({ hasText: 'dead' }).waitFor();
    expect(await row.innerText()).toContain('3 / 3');
    expect(await row.getByTestId('event-error').innerText()).toContain('widget service answered 503');
    expect(await page.getByTestId('stat-dead').innerText()).toContain('1');
    await screenshot(page, 'console-2-dead-letter');

    await row.click();
    await page.getByTestId('event-detail').waitFor();
    const payload = await page.getByTestId('event-payload').innerText();
    expect(payload).toContain('"widget_id": "w-42"');
    expect(payload).toContain(`"event_id": "${id}"`);
    await screenshot(page, 'console-3-event-detail');

    broken = false; // the fix
    await page.getByTestId('detail-replay').click();
    await page.getByTestId('toast').filter({ hasText: '1 event queued again' }).waitFor();
    await eventually(() => (handled.includes(id) ? true : undefined), 10_000, 'the replayed event to be handled');
    await page.getByTestId('tab-recent').click();
    await page.locator(`[data-testid="event-row"][data-event-id="${id}"] [data-testid="event-status"]`, { hasText: 'done' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('stat-dead').innerText()).toContain('0');
    await screenshot(page, 'console-4-replayed-done');

    await page.locator('[data-testid="nav-item"][data-panel="audit"]').click();
    const audit = page.getByTestId('audit-row').first();
    await audit.waitFor();
    expect(await audit.innerText()).toContain('replay');
    expect(await audit.innerText()).toContain(t.users.alice.name);
    expect(await audit.innerText()).toContain(id);
    await screenshot(page, 'console-5-audit-log');
  });

  it('in the sandbox, a browser with no session is the demo admin, and a banner says so', async () => {
    const page = await newPage();
    await page.goto(`${hub}/console`);
    const banner = page.getByTestId('sandbox-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain(`signed in automatically as the demo admin ${t.users.alice.name}`); // she logged in above, so her name is known
    await page.getByTestId('overview-panel').waitFor(); // the first panel
    await screenshot(page, 'console-6-sandbox-banner');
    expect(errors).toEqual([]);
  });
});
