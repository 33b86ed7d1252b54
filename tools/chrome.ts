import { existsSync } from 'node:fs';
import type { Page, Response } from 'playwright-core';

/**
 * Finding and launching Debian's Chromium, shared by the e2e harness, the
 * Lighthouse audit and the browser benchmarks. No browser download is
 * possible here, so the browser is found, never fetched.
 */
export const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium(): string | null {
  const candidates = [process.env['CHROME_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string)) ?? null;
}

/**
 * Opens `url` in `page` and resolves once the page is whole and quiet: its 'load' event, then no
 * request for 500 ms. Playwright's `waitUntil: 'networkidle'` alone does not wait for the parse: it
 * counts 500 ms from the last request, and on a starved renderer (CPU throttled 30×, or a busy
 * 2-core runner) it fired with the lesson still 'loading', 16 of its 30 requests made and no
 * playground in the DOM yet. The linter refuses `waitUntil: 'networkidle'` in favour of this.
 */
export async function load(page: Page, url: string): Promise<Response | null> {
  const response = await page.goto(url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  return response;
}

/** `load` for the page's current URL. */
export async function reload(page: Page): Promise<void> {
  await page.reload({ waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
}
