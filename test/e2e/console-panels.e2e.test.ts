import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../cli/process.js';
import { ssoTestHub } from '../sso/helpers.js';
import { approvalsSection, approvedExpense, downstream } from '../console/helpers.js';
import { samplePayload, type AlertsApi } from '../../src/alerts/index.js';
import type { SyncApi } from '../../src/sync/index.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

/**
 * The capability panels in Chromium, as Alice (an admin, signed in with Feishu): the sync panel
 * verifies the demo job, an incident is opened and acknowledged from its page, a failed approval
 * action is retried once the downstream system is back.
 */
describeBrowser('console e2e: sync, incidents and approvals panels', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  let hub: string;
  let browser: Browser;
  let page: Page;
  let down: Awaited<ReturnType<typeof downstream>>;
  const errors: string[] = [];
  const open = async (panel: string) => {
    await page.locator(`[data-testid="nav-item"][data-panel="${panel}"]`).click();
  };

  beforeAll(async () => {
    process.env.PANELS_HOOK_SECRET = 'panels-hook-secret-0123456789abcdef';
    down = await downstream();
    t = await ssoTestHub({ sections: { approvals: approvalsSection(down.url, down.host) } });
    hub = t.hub.url!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${hub}/login/feishu?return_to=${encodeURIComponent('/console')}`);
    await page.getByTestId('authen-account-picker').waitFor();
    await page.getByRole('button', { name: 'Alice Zhang', exact: true }).click();
    const authorize = page.getByRole('button', { name: 'Authorize' });
    await Promise.race([page.waitForURL(`${hub}/console**`), authorize.waitFor().then(() => authorize.click())]);
    await page.waitForURL(`${hub}/console**`);
    await page.getByTestId('console-nav').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await down?.close();
    delete process.env.PANELS_HOOK_SECRET;
  });

  it('the sync panel shows the demo job; Verify says both sides are equal with their checksums', async () => {
    const sync = (t.hub as unknown as { sync: SyncApi }).sync;
    await eventually(async () => ((await sync.job('orders').status()).lastRunAt ? true : undefined), 15_000, 'the demo job\'s first run');
    await open('sync');
    const row = page.locator('[data-testid="sync-job"][data-job="orders"]');
    await row.getByTestId('job-state').filter({ hasText: 'in step' }).waitFor();
    expect(await row.getByTestId('job-rows').innerText()).toBe('12');
    await row.getByTestId('job-verify').click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.getByTestId('verify-equal').innerText()).toBe('equal');
    const [a, b] = [await result.getByTestId('checksum-database').innerText(), await result.getByTestId('checksum-bitable').innerText()];
    expect(a).toBe(b);
    await row.getByTestId('job-conflicts').click();
    await page.getByTestId('conflicts').waitFor();
    await screenshot(page, 'console-panels-1-sync-verified');
  });

  it('an incident opens on the Incidents page; Alice acknowledges it there and the timeline says so', async () => {
    const alerts = (t.hub as unknown as { alerts: AlertsApi }).alerts;
    await alerts.submit('generic', samplePayload('generic', { alertname: 'CheckoutLatency', severity: 'critical' }));
    const incident = await eventually(async () => (await alerts.incidents({ open: true })).find((i) => i.title.includes('CheckoutLatency')), 10_000, 'the incident');
    await open('incidents');
    const row = page.locator(`[data-testid="incident-row"][data-incident-id="${incident.id}"]`);
    await row.waitFor();
    expect(await row.getByTestId('incident-status').innerText()).toBe('triggered');
    await row.click();
    const detail = page.getByTestId('incident-detail');
    await detail.waitFor();
    await screenshot(page, 'console-panels-2-incident');
    await detail.getByTestId('incident-ack').click();
    await detail.getByTestId('incident-status').filter({ hasText: 'acknowledged' }).waitFor({ timeout: 10_000 });
    expect(await detail.getByTestId('incident-ackers').innerText()).toBe(t.users.alice.name);
    expect((await alerts.incident(incident.id))!.ackedBy.map((a) => a.open_id)).toEqual([t.users.alice.open_id]);
    await screenshot(page, 'console-panels-3-incident-acknowledged');
  });

  it('a failed approval action shows with its error; Retry after the fix delivers it', async () => {
    const code = await approvedExpense(t.hub, 'e2e');
    const id = `${code}:APPROVED:erp`;
    await open('approvals');
    const row = page.locator(`[data-testid="approval-run"][data-run-id="${id}"]`);
    await row.getByTestId('run-state').filter({ hasText: 'failed' }).waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('run-error').innerText()).toBeTruthy();
    await screenshot(page, 'console-panels-4-approval-failed');
    down.state.broken = false;
    await row.getByTestId('run-retry').click();
    await page.getByTestId('toast').filter({ hasText: '1 run queued again' }).waitFor();
    await row.getByTestId('run-state').filter({ hasText: 'done' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'console-panels-5-approval-retried');
    await open('audit');
    const audit = page.getByTestId('audit-row').first();
    await audit.waitFor();
    expect(await audit.innerText()).toContain('retry');
  }, 40_000);

  it('the Directory and Bindings pages show the mirror and who is bound to whom (read-only)', async () => {
    await (t.hub as unknown as { accounts: { bind(b: { feishu: string; system: string; source: 'cli' }): Promise<unknown> } }).accounts.bind({ feishu: t.users.bob.open_id, system: 'bob.li', source: 'cli' });
    await open('directory');
    await page.getByTestId('directory-people').waitFor({ timeout: 15_000 });
    await page.getByTestId('directory-search').fill('Alice');
    await page.getByTestId('directory-search').press('Enter');
    await page.getByTestId('directory-person').filter({ hasText: t.users.alice.name }).waitFor();
    await screenshot(page, 'console-panels-7-directory');
    await open('bindings');
    await page.getByTestId('binding-row').filter({ hasText: 'bob.li' }).waitFor();
    await screenshot(page, 'console-panels-8-bindings');
  });

  it('the Doctor page runs feishu-hub doctor\'s checks and lists them', async () => {
    await open('doctor');
    await page.getByTestId('doctor-run').click();
    await page.getByTestId('doctor-checks').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="doctor-check"][data-check="config"]').innerText()).toContain('ok');
    await screenshot(page, 'console-panels-6-doctor');
    expect(errors).toEqual([]);
  }, 40_000);
});
