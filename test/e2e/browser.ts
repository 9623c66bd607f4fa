import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Each run writes here (ignored by git); a few representative shots are committed one level up. */
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots', 'latest');

/**
 * A browser suite: skipped with a clear message when Chromium is missing, except on CI
 * (CI=true), where a missing browser must fail rather than pass silently.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (hasChromium) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => it(`needs ${CHROMIUM}`, () => {
      throw new Error(`${CHROMIUM} is missing and CI=true: install Debian's chromium (apt-get install -y chromium) to run the browser tests`);
    }));
    return;
  }
  console.warn(`[e2e] skipping "${name}": ${CHROMIUM} not found (apt-get install -y chromium to run the browser tests)`);
  describe.skip(`${name} (skipped: ${CHROMIUM} not found)`, fn);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens the emulator's web client (optionally at `#chat=…`) in a fresh page of a laptop-sized window. */
export function openClient(browser: Browser, url: string, hash = ''): Promise<Page> {
  return openPage(browser, `${url}/${hash}`);
}

/** Opens a client URL (such as a card preview link), recording the page's own errors. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const errors: Error[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err));
  await page.goto(url);
  await page.waitForSelector('.chat-item');
  return page;
}

const pageErrors = new WeakMap<Page, Error[]>();

/** Uncaught errors in the client's own code since the page opened (a test expects none). */
export function errorsIn(page: Page): string[] {
  return (pageErrors.get(page) ?? []).map((e) => e.message);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}
