import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control, sdkClient } from '../helpers/emulator.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

/** The Base page: the editable grid, as a person of the directory edits it, checked through the API and the events. */

const TYPE = 'drive.file.bitable_record_changed_v1';

describeBrowser('the Base page (editable grid)', () => {
  let emu: EmulatorHandle;
  let browser: Browser;
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
  });

  /** A base with a Tasks table (every editable type and two computed ones) and a People table, subscribed by the default app. */
  async function setup() {
    const ctl = control(emu);
    const base = (
      await ctl.call('POST', '/__emulator/bitable/apps', {
        name: 'Ops',
        tables: [
          {
            name: 'Tasks',
            fields: [
              { field_name: 'Title', type: 1 },
              { field_name: 'Points', type: 2 },
              { field_name: 'Status', type: 3, property: { options: [{ name: 'Todo', color: 0 }, { name: 'Doing', color: 2 }, { name: 'Done', color: 1 }] } },
              { field_name: 'Done', type: 7 },
              { field_name: 'Owner', type: 11 },
              { field_name: 'Due', type: 5 },
              { field_name: 'Phone', type: 13 },
              { field_name: 'Tags', type: 4, property: { options: [{ name: 'ci' }, { name: 'urgent' }] } },
              { field_name: 'No', type: 1005 },
            ],
          },
          { name: 'People', fields: [{ field_name: 'Name', type: 1 }] },
        ],
      })
    ).body;
    const client = sdkClient(emu);
    const path = { app_token: base.app_token, table_id: base.tables[0].table_id };
    const made = await client.bitable.v1.appTableRecord.batchCreate({
      path,
      data: { records: [{ fields: { Title: 'Ship it', Points: 3, Status: 'Todo', Tags: ['ci'] } }, { fields: { Title: 'Review', Done: true } }] },
    });
    const [first, second] = made.data!.records!.map((r) => r.record_id!);
    expect((await client.drive.v1.file.subscribe({ path: { file_token: base.app_token }, params: { file_type: 'bitable' } })).code).toBe(0);
    const fieldId = (name: string) => base.tables[0].fields.find((f: { field_name: string }) => f.field_name === name).field_id as string;
    /** The record's fields as the API reads them (records/search through the app's token), or undefined once it is gone. */
    const read = async (recordId: string) => {
      const r = await client.bitable.v1.appTableRecord.search({ path, params: { page_size: 100 }, data: {} });
      return r.data!.items!.find((x) => x.record_id === recordId)?.fields as Record<string, any> | undefined;
    };
    const all = async () => (await client.bitable.v1.appTableRecord.search({ path, params: { page_size: 100 }, data: {} })).data!.items!;
    const events = async () => ((await ctl.call('GET', `/__emulator/events?type=${TYPE}`)).body.events as any[]).map((e) => e.envelope.event);
    return { base, client, path, first, second, fieldId, read, all, events };
  }

  const cell = (page: Page, recordId: string, fieldId: string) => page.locator(`td[data-record-id="${recordId}"][data-field-id="${fieldId}"]`);
  const focused = (l: ReturnType<Page['locator']>) => l.evaluate((el) => el === document.activeElement);
  const text = (t: unknown) => (Array.isArray(t) ? t.map((s: { text: string }) => s.text).join('') : t);

  async function open(url: string) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByTestId('base-page').waitFor();
    return { page, errors };
  }

  it('a person edits text, number, select and checkbox cells, adds and deletes rows; the API reads each edit and the subscribed app gets the events', async () => {
    const s = await setup();
    const alice = emu.state.users.find((u) => u.user_id === 'alice')!;
    const { page, errors } = await open(`${emu.url}/#/base`);

    // The side list and the grid as written through the SDK.
    const tables = await page.getByTestId('base-table').evaluateAll((as) => as.map((a) => [a.querySelector('.bt-table-name')?.textContent, a.querySelector('.bt-table-count')?.textContent]));
    expect(tables).toEqual([['Tasks', '2'], ['People', '0']]);
    await page.getByTestId('base-row').first().waitFor();
    const headers = await page.getByTestId('base-header').allTextContents();
    expect(headers.map((h) => h.trim())).toEqual(['Title', 'Points', 'Status', 'Done', 'Owner', 'Due', 'Phone', 'Tags', 'Noauto']);
    expect(await page.getByTestId('base-record-count').textContent()).toBe('2 records');
    const rows = await page.getByTestId('base-row').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim())));
    expect(rows).toEqual([
      ['1', 'Ship it', '3', 'Todo', '', '', '', '', 'ci', '1'],
      ['2', 'Review', '', '', '', '', '', '', '', '2'],
    ]);

    // Editing as: the first person by default; choosing Alice is remembered.
    const asSelect = page.getByTestId('base-editing-as');
    const people = (await control(emu).call('GET', '/__emulator/bitable/people')).body.people;
    expect(await asSelect.inputValue()).toBe(people[0].open_id);
    await asSelect.selectOption(alice.open_id);
    expect(await page.evaluate(() => localStorage.getItem('emulator.base.editingAs'))).toBe(alice.open_id);
    await screenshot(page, 'bitable-grid-1-grid');

    // Text: double-click, type, Enter.
    await cell(page, s.first, s.fieldId('Title')).dblclick();
    const editor = page.getByTestId('base-cell-editor');
    await editor.fill('Ship it today');
    await editor.press('Enter');
    await expect.poll(async () => text((await s.read(s.first))?.Title)).toBe('Ship it today');
    await expect.poll(async () => (await cell(page, s.first, s.fieldId('Title')).textContent())?.trim()).toBe('Ship it today');

    // Number: select, Enter opens the editor (shot while editing), Enter saves.
    await cell(page, s.first, s.fieldId('Points')).click();
    await page.keyboard.press('Enter');
    await editor.fill('8');
    await screenshot(page, 'bitable-grid-2-editing');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await s.read(s.first))?.Points).toBe(8);
    // Typing on a selected cell starts an edit with that key; Tab saves and moves right.
    await cell(page, s.second, s.fieldId('Points')).click();
    await page.keyboard.type('42');
    await page.keyboard.press('Tab');
    await expect.poll(async () => (await s.read(s.second))?.Points).toBe(42);
    await expect.poll(() => page.locator('td.selected').getAttribute('data-field-id')).toBe(s.fieldId('Status'));

    // Single select: the dropdown of the options.
    await cell(page, s.second, s.fieldId('Status')).dblclick();
    await page.getByTestId('base-select-editor').waitFor();
    expect(await page.getByTestId('base-option').allTextContents()).toEqual(['Todo', 'Doing', 'Done']);
    await screenshot(page, 'bitable-grid-5-select');
    await page.locator('[data-testid="base-option"][data-option="Done"]').click();
    await expect.poll(async () => (await s.read(s.second))?.Status).toBe('Done');

    // Multi select: toggle an option, add a new one, Done.
    await cell(page, s.first, s.fieldId('Tags')).dblclick();
    await page.locator('[data-testid="base-option"][data-option="urgent"]').click();
    await page.getByTestId('base-picker-search').fill('infra');
    await page.getByTestId('base-picker-search').press('Enter');
    await page.getByTestId('base-picker-done').click();
    await expect.poll(async () => (await s.read(s.first))?.Tags).toEqual(['ci', 'urgent', 'infra']);

    // Checkbox: a click toggles it.
    await cell(page, s.first, s.fieldId('Done')).locator('.bt-check').click();
    await expect.poll(async () => (await s.read(s.first))?.Done).toBe(true);
    await cell(page, s.second, s.fieldId('Done')).locator('.bt-check').click();
    await expect.poll(async () => (await s.read(s.second))?.Done).toBeUndefined();

    // Person: the directory picker.
    await cell(page, s.first, s.fieldId('Owner')).dblclick();
    await page.getByTestId('base-user-editor').waitFor();
    await page.getByTestId('base-picker-search').fill(alice.name);
    await screenshot(page, 'bitable-grid-6-person');
    await page.getByTestId('base-option').first().click();
    await page.getByTestId('base-picker-done').click();
    await expect.poll(async () => (await s.read(s.first))?.Owner?.map((u: { id: string }) => u.id)).toEqual([alice.open_id]);

    // Date: the datetime-local picker.
    await cell(page, s.first, s.fieldId('Due')).dblclick();
    await editor.fill('2026-03-05T09:30');
    await screenshot(page, 'bitable-grid-8-date');
    await editor.press('Enter');
    const due = await page.evaluate(() => new Date('2026-03-05T09:30').getTime());
    await expect.poll(async () => (await s.read(s.first))?.Due).toBe(due);
    expect((await cell(page, s.first, s.fieldId('Due')).textContent())?.trim()).toBe('2026/03/05 09:30');

    // Esc cancels an edit.
    await cell(page, s.first, s.fieldId('Title')).dblclick();
    await editor.fill('never saved');
    await editor.press('Escape');
    await expect.poll(() => editor.count()).toBe(0);
    expect(text((await s.read(s.first))?.Title)).toBe('Ship it today');

    // A computed field has no editor.
    await cell(page, s.first, s.fieldId('No')).dblclick();
    await expect.poll(() => page.getByTestId('base-cell-editor').count()).toBe(0);

    // Each edit was one record_edited event, by Alice.
    const edits = (await s.events()).filter((e) => e.action_list[0].action === 'record_edited');
    expect(edits.length).toBe(9);
    for (const e of edits) expect(e.operator_id.open_id).toBe(alice.open_id);
    expect(edits[0].action_list[0]).toMatchObject({ record_id: s.first, after_value: [{ field_id: s.fieldId('Title'), field_value: JSON.stringify([{ type: 'text', text: 'Ship it today' }]) }] });
    expect(edits[1].action_list[0]).toMatchObject({ record_id: s.first, before_value: [{ field_id: s.fieldId('Points'), field_value: '3' }], after_value: [{ field_id: s.fieldId('Points'), field_value: '8' }] });

    // + New record: a row, its primary cell open for typing.
    await page.getByTestId('base-new-record').click();
    await expect.poll(() => focused(editor)).toBe(true);
    await page.keyboard.type('Brand new');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await s.all()).map((r) => text(r.fields.Title))).toEqual(['Ship it today', 'Review', 'Brand new']);
    await expect.poll(() => page.getByTestId('base-row').count()).toBe(3);
    await expect.poll(async () => page.getByTestId('base-record-count').textContent()).toBe('3 records');
    const addedId = (await s.all())[2].record_id!;
    expect((await s.events()).find((e) => e.action_list[0].action === 'record_added')).toMatchObject({ operator_id: { open_id: alice.open_id }, action_list: [{ record_id: addedId, action: 'record_added' }] });

    // Delete a row: its hover button, then confirm.
    const row = page.locator(`tr[data-record-id="${s.second}"]`);
    await row.hover();
    await row.getByTestId('base-row-delete').click();
    await page.getByTestId('base-confirm-delete').waitFor();
    await screenshot(page, 'bitable-grid-7-confirm-delete');
    await page.getByTestId('base-confirm-delete-ok').click();
    await expect.poll(async () => s.read(s.second)).toBeUndefined();
    await expect.poll(() => page.getByTestId('base-row').count()).toBe(2);
    expect((await s.events()).at(-1)).toMatchObject({ operator_id: { open_id: alice.open_id }, action_list: [{ record_id: s.second, action: 'record_deleted' }] });

    // And through the context menu.
    await page.locator(`tr[data-record-id="${addedId}"]`).click({ button: 'right' });
    await page.getByTestId('base-row-menu-delete').click();
    await page.getByTestId('base-confirm-delete-ok').click();
    await expect.poll(async () => (await s.all()).length).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a refused value shows on its cell and reverts; API writes show up live without clobbering the cell being edited; views open as tabs', async () => {
    const s = await setup();
    const { page, errors } = await open(`${emu.url}/#/base?app=${s.base.app_token}&table=${s.base.tables[0].table_id}`);
    await page.getByTestId('base-row').first().waitFor();
    const before = (await s.events()).length;

    // A phone number the base refuses: red outline, its message, the value back as it was.
    await cell(page, s.first, s.fieldId('Phone')).dblclick();
    await page.getByTestId('base-cell-editor').fill('call me');
    await page.keyboard.press('Enter');
    const error = cell(page, s.first, s.fieldId('Phone')).getByTestId('base-cell-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/phone.*1254072/i);
    expect(await cell(page, s.first, s.fieldId('Phone')).getAttribute('class')).toMatch(/\berror\b/);
    expect((await cell(page, s.first, s.fieldId('Phone')).locator('.bt-cell-v').textContent())?.trim()).toBe('');
    // A number that is not one.
    await cell(page, s.second, s.fieldId('Points')).dblclick();
    await page.getByTestId('base-cell-editor').fill('lots');
    await page.keyboard.press('Enter');
    await cell(page, s.second, s.fieldId('Points')).getByTestId('base-cell-error').waitFor();
    expect(await cell(page, s.second, s.fieldId('Points')).getByTestId('base-cell-error').textContent()).toContain('1254061');
    await screenshot(page, 'bitable-grid-3-cell-error');
    expect((await s.read(s.first))?.Phone).toBeUndefined();
    expect((await s.events()).length).toBe(before);
    // Editing the cell again clears its error; a good value saves.
    await cell(page, s.first, s.fieldId('Phone')).dblclick();
    await page.getByTestId('base-cell-editor').fill('+8613800000000');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await s.read(s.first))?.Phone).toBe('+8613800000000');
    await expect.poll(() => cell(page, s.first, s.fieldId('Phone')).getByTestId('base-cell-error').count()).toBe(0);

    // An app writes through the API while a person is typing in another cell of that record.
    await cell(page, s.first, s.fieldId('Title')).dblclick();
    await page.getByTestId('base-cell-editor').fill('half typed');
    await s.client.bitable.v1.appTableRecord.update({ path: { ...s.path, record_id: s.first }, data: { fields: { Points: 77, Title: 'Renamed by the app' } } });
    await s.client.bitable.v1.appTableRecord.create({ path: s.path, data: { fields: { Title: 'From the app' } } });
    await expect.poll(async () => (await cell(page, s.first, s.fieldId('Points')).textContent())?.trim(), { timeout: 5000 }).toBe('77');
    await expect.poll(() => page.getByTestId('base-row').count()).toBe(3);
    expect(await page.getByTestId('base-cell-editor').inputValue()).toBe('half typed');
    expect(await focused(page.getByTestId('base-cell-editor'))).toBe(true);
    await page.keyboard.press('Escape');
    expect((await cell(page, s.first, s.fieldId('Title')).textContent())?.trim()).toBe('Renamed by the app');

    // Views: a filtered grid view opens as a tab; a kanban view is listed.
    const views = s.client.bitable.v1.appTableView;
    const big = (await views.create({ path: s.path, data: { view_name: 'Big ones' } })).data!.view!;
    await views.patch({ path: { ...s.path, view_id: big.view_id! }, data: { property: { filter_info: { conjunction: 'and', conditions: [{ field_id: s.fieldId('Points'), operator: 'isGreater', value: '10' }] }, hidden_fields: [s.fieldId('Phone')] } } });
    await views.create({ path: s.path, data: { view_name: 'Board', view_type: 'kanban' } });
    await expect.poll(() => page.getByTestId('base-view-tab').count()).toBe(2);
    expect(await page.getByTestId('base-view-other').textContent()).toMatch(/Board/);
    await page.locator(`[data-testid="base-view-tab"][data-view-id="${big.view_id}"]`).click();
    await expect.poll(() => page.getByTestId('base-row').count()).toBe(1);
    expect(await page.getByTestId('base-record-count').textContent()).toBe('1 of 3 records');
    expect(await page.getByTestId('base-header').allTextContents()).not.toContain('Phone');
    expect(await page.getByTestId('base-view-filter').textContent()).toMatch(/1 condition/);
    expect(new URL(page.url()).hash).toBe(`#/base?app=${s.base.app_token}&table=${s.base.tables[0].table_id}&view=${big.view_id}`);
    await screenshot(page, 'bitable-grid-4-view');

    // Another table from the side list.
    await page.getByTestId('base-table').nth(1).click();
    await page.getByTestId('base-table-name').filter({ hasText: 'People' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
