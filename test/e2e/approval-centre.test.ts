import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { control, sdkClient } from '../helpers/emulator.js';
import { describeBrowser, errorsIn, launchChromium, screenshot } from './browser.js';

/** Avatars are drawn before a screenshot. */
const imagesLoaded = (page: Page) => page.evaluate(() => Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined))));

describeBrowser('the approval centre page', () => {
  let emu: EmulatorHandle;
  let browser: Browser;
  let client: lark.Client;
  const ou = (key: string) => emu.state.users.find((u) => u.user_id === key)!.open_id;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });
  beforeEach(async () => {
    await control(emu).reset();
    client = sdkClient(emu);
  });

  async function openAs(key: string, route = 'pending'): Promise<Page & { errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${emu.url}/#/approval/${route}?as=${ou(key)}`);
    await page.getByTestId('approval-page').waitFor();
    return Object.assign(page, { errors });
  }

  it('shows the approver an instance created through the SDK; approving it moves it on, then to APPROVED', async () => {
    const res = await client.approval.v4.instance.create({
      data: {
        approval_code: EXPENSE_APPROVAL_CODE,
        user_id: 'bob',
        title: 'Offsite dinner',
        form: JSON.stringify([
          { id: 'amount', type: 'amount', value: '860.00' },
          { id: 'reason', type: 'textarea', value: 'Team offsite dinner in Hangzhou' },
          { id: 'date', type: 'date', value: '2026-11-28T19:00:00+08:00' },
        ]),
      },
    });
    const code = res.data!.instance_code;

    // Alice (the manager) finds it in Pending, opens it: form values, progress, the applicant.
    const page = await openAs('alice');
    expect(await page.getByTestId('approval-viewer').inputValue()).toBe(ou('alice'));
    expect(await page.locator('.apv-tab.selected .apv-tab-name').innerText()).toBe('Pending');
    const row = page.locator(`[data-testid="approval-row"][data-instance="${code}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Offsite dinner');
    await row.click();
    const detail = page.getByTestId('approval-detail');
    await detail.waitFor();
    expect(new URL(page.url()).hash).toBe(`#/approval/pending?as=${ou('alice')}&instance=${code}`);
    expect(await detail.locator('.apv-form-row').allInnerTexts()).toEqual(['Amount\n860.00', 'Reason\nTeam offsite dinner in Hangzhou', 'Date\n2026-11-28']);
    expect(await detail.getByTestId('approval-status').innerText()).toBe('Pending');
    await imagesLoaded(page);
    await screenshot(page, 'approval-centre-1-pending');

    // Approve with a comment, in the dialog.
    await detail.getByTestId('approval-approve').click();
    await page.getByTestId('approval-comment').fill('Within budget');
    await screenshot(page, 'approval-centre-2-approve-dialog');
    await page.getByTestId('approval-confirm').click();
    await page.locator('.toast', { hasText: 'Approved' }).waitFor();
    // Still pending for the instance (Finance is next), but no longer Alice's to act on.
    await detail.locator('.apv-step.current', { hasText: 'Finance' }).waitFor();
    expect(await detail.getByTestId('approval-approve').count()).toBe(0);
    expect(await detail.getByTestId('approval-timeline').innerText()).toContain('Within budget');
    await page.locator(`[data-testid="approval-row"][data-instance="${code}"]`).waitFor({ state: 'detached' });
    const inst = (await client.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    expect(inst.task_list.map((t) => [t.user_id, t.status])).toEqual([
      ['alice', 'APPROVED'],
      ['erin', 'PENDING'],
    ]);

    // Erin (finance) approves from her own view: the status turns Approved, here and through the API.
    await page.getByTestId('approval-viewer').selectOption(ou('erin'));
    await page.locator(`[data-testid="approval-row"][data-instance="${code}"]`).click();
    await page.getByTestId('approval-approve').click();
    await page.getByTestId('approval-confirm').click();
    await page.getByTestId('approval-detail').getByTestId('approval-status').filter({ hasText: 'Approved' }).waitFor();
    expect((await client.approval.v4.instance.get({ path: { instance_id: code } })).data!.status).toBe('APPROVED');

    // Bob sees it approved under Initiated, and the Approval bot told him in the Messenger.
    await page.getByTestId('approval-viewer').selectOption(ou('bob'));
    await page.getByTestId('approval-tab-initiated').click();
    const mine = page.locator(`[data-testid="approval-row"][data-instance="${code}"]`);
    await mine.getByTestId('approval-status').filter({ hasText: 'Approved' }).waitFor();
    await mine.click();
    await page.getByTestId('approval-detail').waitFor();
    await imagesLoaded(page);
    await screenshot(page, 'approval-centre-3-approved');
    expect(page.errors).toEqual([]);
    expect(errorsIn(page)).toEqual([]);
  });

  it('rejects with a comment and transfers, as the person picked', async () => {
    const create = async () =>
      (
        await client.approval.v4.instance.create({
          data: {
            approval_code: EXPENSE_APPROVAL_CODE,
            user_id: 'carol',
            form: JSON.stringify([
              { id: 'amount', type: 'amount', value: '42' },
              { id: 'reason', type: 'textarea', value: 'Taxi' },
              { id: 'date', type: 'date', value: '2026-11-30T08:00:00+08:00' },
            ]),
          },
        })
      ).data!.instance_code;
    const [first, second] = [await create(), await create()];
    const page = await openAs('alice', `pending`);
    await page.locator(`[data-testid="approval-row"][data-instance="${first}"]`).click();
    await page.getByTestId('approval-reject').click();
    await page.getByTestId('approval-comment').fill('No receipt');
    await page.getByTestId('approval-confirm').click();
    await page.getByTestId('approval-detail').getByTestId('approval-status').filter({ hasText: 'Rejected' }).waitFor();

    await page.locator(`[data-testid="approval-row"][data-instance="${second}"]`).click();
    await page.getByTestId('approval-transfer').click();
    await page.getByTestId('approval-transfer-to').selectOption(ou('dave'));
    await page.getByTestId('approval-confirm').click();
    await page.locator('.toast', { hasText: 'Transferred' }).waitFor();
    const inst = (await client.approval.v4.instance.get({ path: { instance_id: second } })).data!;
    expect(inst.task_list.map((t) => [t.user_id, t.status])).toEqual([
      ['alice', 'TRANSFERRED'],
      ['dave', 'PENDING'],
    ]);
    expect((await client.approval.v4.instance.get({ path: { instance_id: first } })).data!.timeline.at(-1)).toMatchObject({ type: 'REJECT', comment: 'No receipt' });
    expect(page.errors).toEqual([]);
  });

  it('shows the Approval bot’s card in the approver’s Messenger', async () => {
    await client.approval.v4.instance.create({
      data: {
        approval_code: EXPENSE_APPROVAL_CODE,
        user_id: 'bob',
        form: JSON.stringify([
          { id: 'amount', type: 'amount', value: '120' },
          { id: 'reason', type: 'textarea', value: 'Books' },
          { id: 'date', type: 'date', value: '2026-11-30T08:00:00+08:00' },
        ]),
      },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${emu.url}/`);
    const chat = page.locator('.chat-item', { hasText: 'Alice Zhang' });
    await chat.click();
    await page.getByTestId('message-list').getByText("Bob Li's Expense request needs your approval").waitFor();
    expect(await page.locator('.chat-header').innerText()).toContain('Approval');
    await imagesLoaded(page);
    await screenshot(page, 'approval-centre-4-bot-card');
  });
});
