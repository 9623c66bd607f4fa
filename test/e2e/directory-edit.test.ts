import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control } from '../helpers/emulator.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

/** Avatars are drawn before a screenshot. */
const imagesLoaded = (page: Page) => page.evaluate(() => Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined))));
const memberNames = (page: Page) => page.locator('[data-testid="directory-member"] .dir-person-name').evaluateAll((els) => els.map((e) => e.firstChild?.textContent ?? ''));
const treeNames = (page: Page) => page.locator('.dir-nav .dir-nav-name').allInnerTexts();

describeBrowser('the Directory page: an administrator edits the organisation', () => {
  let emu: EmulatorHandle;
  let browser: Browser;
  const od = (key: string) => emu.state.departments.find((d) => d.department_id === key)!.open_department_id;
  const ou = (key: string) => emu.state.users.find((u) => u.user_id === key)!.open_id;
  /** The contact events the emulator pushed to its app, oldest first. */
  async function contactEvents() {
    const log = (await control(emu).call('GET', `/__emulator/events?app_id=${emu.app.appId}`)).body.events as { type: string; envelope: any }[];
    return log.filter((r) => r.type.startsWith('contact.')).map((r) => ({ type: r.type, ...r.envelope.event }));
  }

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  /** The client at a Directory route, recording the page's own errors (a test expects none). */
  async function open(hash: string): Promise<Page & { errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${emu.url}/${hash}`);
    await page.getByTestId('directory-page').waitFor();
    return Object.assign(page, { errors });
  }

  it('adds a person, renames and moves them, removes them; each change is pushed as its contact event', async () => {
    const page = await open('#/directory/sre');
    expect(await memberNames(page)).toEqual(['Bob Li', 'Carol Wang']);

    // Add: the dialog starts in the department on screen.
    await page.getByTestId('directory-add-person').click();
    const dialog = page.getByTestId('directory-person-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('select[name="department"]').inputValue()).toBe('sre');
    await dialog.locator('input[name="name"]').fill('孙小梅');
    await dialog.locator('input[name="en_name"]').fill('Grace Sun');
    await dialog.locator('input[name="email"]').fill('grace@example.com');
    await dialog.locator('input[name="job_title"]').fill('SRE');
    await screenshot(page, 'directory-edit-1-add-person');
    await dialog.getByTestId('directory-dialog-submit').click();
    await page.locator('.toast', { hasText: 'Added Grace Sun' }).waitFor();
    await page.getByTestId('directory-profile').waitFor();
    expect(new URL(page.url()).hash).toBe('#/directory/sre?user=grace');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="directory-member"]').length === 3);
    expect(await memberNames(page)).toEqual(['Bob Li', 'Carol Wang', 'Grace Sun']);
    expect(await page.getByTestId('directory-profile').locator('.dir-profile-row', { hasText: 'Leader' }).innerText()).toContain('Bob Li');
    await imagesLoaded(page);
    await screenshot(page, 'directory-edit-2-person-added');

    const grace = emu.state.users.find((u) => u.user_id === 'grace')!;
    let events = await contactEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'contact.user.created_v3', object: { open_id: grace.open_id, name: '孙小梅', en_name: 'Grace Sun', email: 'grace@example.com', department_ids: [od('sre')] } });

    // Rename and move to Sales in one edit.
    await page.getByTestId('directory-edit-person').click();
    const edit = page.getByTestId('directory-person-dialog');
    await edit.locator('input[name="en_name"]').fill('Grace Sun-Li');
    await edit.locator('select[name="department"]').selectOption('sales');
    await screenshot(page, 'directory-edit-3-move-person');
    await edit.getByTestId('directory-dialog-submit').click();
    await page.locator('.toast', { hasText: 'Saved Grace Sun-Li' }).waitFor();
    await page.waitForURL((u) => u.hash === '#/directory/sales?user=grace');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.dir-person-name')).some((e) => e.textContent?.startsWith('Grace Sun-Li')));
    expect(await memberNames(page)).toEqual(['Dave Chen', 'Grace Sun-Li']);
    expect(await page.getByTestId('directory-profile').locator('.dir-profile-row', { hasText: 'Department' }).innerText()).toContain('Sales');

    events = await contactEvents();
    expect(events[1]).toMatchObject({ type: 'contact.user.updated_v3', object: { en_name: 'Grace Sun-Li', department_ids: [od('sales')], leader_user_id: ou('dave') } });
    expect(events[1].old_object).toEqual({
      en_name: 'Grace Sun',
      department_ids: [od('sre')],
      leader_user_id: ou('bob'),
      orders: [{ department_id: od('sre'), user_order: 0, department_order: 0, is_primary_dept: true }],
    });

    // Remove: confirmed, then resigned.
    await page.getByTestId('directory-remove-person').click();
    const confirm = page.getByTestId('directory-remove-dialog');
    expect(await confirm.innerText()).toContain('Remove Grace Sun-Li?');
    await screenshot(page, 'directory-edit-4-remove-person');
    await confirm.getByTestId('directory-dialog-submit').click();
    await page.locator('.toast', { hasText: 'Grace Sun-Li removed' }).waitFor();
    const row = page.locator('[data-testid="directory-member"][data-user-id="grace"]');
    await row.locator('.dir-status', { hasText: 'Resigned' }).waitFor();
    events = await contactEvents();
    expect(events[2]).toMatchObject({ type: 'contact.user.deleted_v3', object: { open_id: grace.open_id, status: { is_resigned: true }, department_ids: [] }, old_object: { department_ids: [od('sales')], open_id: grace.open_id } });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('adds, renames and deletes a department; a department with people cannot be deleted', async () => {
    await control(emu).reset();
    const page = await open('#/directory/engineering');

    await page.getByTestId('directory-add-department').click();
    const dialog = page.getByTestId('directory-department-dialog');
    expect(await dialog.locator('select[name="parent"]').inputValue()).toBe('engineering');
    await dialog.locator('input[name="name"]').fill('Security');
    await dialog.getByTestId('directory-dialog-submit').click();
    await page.locator('.toast', { hasText: 'Added Security' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.dir-crumbs')?.textContent?.includes('Security'));
    expect(await treeNames(page)).toEqual(['Organization', 'Engineering', 'SRE', 'Security', 'Sales', 'Finance']);
    const security = emu.state.departments.find((d) => d.name === 'Security')!;
    expect(new URL(page.url()).hash).toBe(`#/directory/${security.department_id}`);

    // Rename it and move it to the top level.
    await page.getByTestId('directory-edit-department').click();
    const edit = page.getByTestId('directory-department-dialog');
    await edit.locator('input[name="name"]').fill('SecOps');
    await edit.locator('select[name="parent"]').selectOption('0');
    await screenshot(page, 'directory-edit-5-rename-department');
    await edit.getByTestId('directory-dialog-submit').click();
    await page.locator('.toast', { hasText: 'Saved SecOps' }).waitFor();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.dir-nav-name')).some((e) => e.textContent === 'SecOps'));
    expect(await treeNames(page)).toEqual(['Organization', 'Engineering', 'SRE', 'Sales', 'Finance', 'SecOps']);
    await screenshot(page, 'directory-edit-6-department-renamed');

    // Delete it (empty).
    await page.getByTestId('directory-delete-department').click();
    await page.getByTestId('directory-remove-dialog').getByTestId('directory-dialog-submit').click();
    await page.locator('.toast', { hasText: 'SecOps deleted' }).waitFor();
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('.dir-nav-name')).some((e) => e.textContent === 'SecOps'));
    expect(new URL(page.url()).hash).toBe('#/directory');

    // SRE has people: the platform's 43011, shown as it is; nothing changes.
    await page.locator('.dir-nav-item[data-department-id="sre"]').click();
    await page.getByTestId('directory-delete-department').click();
    await page.getByTestId('directory-remove-dialog').getByTestId('directory-dialog-submit').click();
    const toast = page.locator('.toast-error');
    await toast.waitFor();
    expect(await toast.innerText()).toContain('43011');
    await screenshot(page, 'directory-edit-7-delete-refused');
    expect(await treeNames(page)).toContain('SRE');

    const events = await contactEvents();
    expect(events.map((e) => e.type)).toEqual(['contact.department.created_v3', 'contact.department.updated_v3', 'contact.department.deleted_v3']);
    expect(events[0].object).toMatchObject({ name: 'Security', parent_department_id: od('engineering'), open_department_id: security.open_department_id });
    expect(events[1].object).toMatchObject({ name: 'SecOps', parent_department_id: '0' });
    expect(events[1].old_object).toMatchObject({ name: 'Security', parent_department_id: od('engineering') });
    expect(events[2]).toMatchObject({ object: { status: { is_deleted: true } }, old_object: { status: { is_deleted: false }, open_department_id: security.open_department_id } });
    expect(page.errors).toEqual([]);
  });

  it('shows a generated organisation of 5,000 people in 500 departments', async () => {
    const seeded = await control(emu).call('POST', '/__emulator/directory/seed', { users: 5000, departments: 500, seed: 'e2e' });
    expect(seeded.body).toMatchObject({ users: 5000, departments: 500 });
    const page = await open('#/directory');
    expect(await page.locator('.dir-head-sub').innerText()).toBe('5000 active of 5000 people · 500 departments');
    expect(await page.locator('[data-testid="directory-member"]').count()).toBe(200);
    expect(await page.locator('.dir-more').innerText()).toContain('first 200 of 5000');
    // A department: its people, its sub-departments, its leader.
    const top = emu.state.departments.find((d) => d.parent_department_id === '0')!;
    await page.locator(`.dir-nav-item[data-department-id="${top.department_id}"]`).click();
    await page.waitForFunction((name) => document.querySelector('.dir-crumbs .current')?.textContent === name, top.name);
    const leader = emu.state.users.find((u) => u.open_id === top.leader_user_id)!;
    expect(await page.locator('.dir-head-sub').innerText()).toContain(`Leader ${leader.en_name}`);
    await page.getByPlaceholder('Search people').fill(leader.email);
    await page.locator(`[data-testid="directory-member"][data-user-id="${leader.user_id}"]`).waitFor();
    await imagesLoaded(page);
    await screenshot(page, 'directory-edit-8-generated-org');
    expect(page.errors).toEqual([]);
    await control(emu).reset();
  });
});
