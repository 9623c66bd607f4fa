import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control, sdkClient } from '../helpers/emulator.js';
import { describeBrowser, launchChromium, screenshot } from './browser.js';

describeBrowser('the Base page (read-only grid)', () => {
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

  it('shows the bases and their tables, and the records written through the SDK as a grid', async () => {
    const ctl = control(emu);
    const base = (
      await ctl.call('POST', '/__emulator/bitable/apps', {
        name: 'Ops',
        tables: [
          { name: 'Tasks', fields: [{ field_name: 'Title', type: 1 }, { field_name: 'Points', type: 2 }, { field_name: 'Status', type: 3 }, { field_name: 'Done', type: 7 }] },
          { name: 'People', fields: [{ field_name: 'Name', type: 1 }] },
        ],
      })
    ).body;
    const client = sdkClient(emu);
    const path = { app_token: base.app_token, table_id: base.tables[0].table_id };
    await client.bitable.v1.appTableRecord.batchCreate({ path, data: { records: [{ fields: { Title: 'Ship it', Points: 3, Status: 'Todo' } }, { fields: { Title: 'Review', Done: true } }] } });

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${emu.url}/#/base`);
    await page.getByTestId('base-page').waitFor();
    const tables = await page.getByTestId('base-table').evaluateAll((as) => as.map((a) => [a.querySelector('.bt-table-name')?.textContent, a.querySelector('.bt-table-count')?.textContent]));
    expect(tables).toEqual([['Tasks', '2'], ['People', '0']]);
    await page.getByTestId('base-row').first().waitFor();
    const rows = await page.getByTestId('base-row').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rows).toEqual([
      ['1', 'Ship it', '3', 'Todo', ''],
      ['2', 'Review', '', '', '✓'],
    ]);
    await screenshot(page, 'base-1-grid');
    await page.getByTestId('base-table').nth(1).click();
    await page.getByTestId('base-table-name').filter({ hasText: 'People' }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/base?app=${base.app_token}&table=${base.tables[1].table_id}`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
