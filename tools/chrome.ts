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

/** The browser a learner runs: `CHROME_PATH`, else Debian's `chromium`. The Lighthouse audit and the benches use it. */
export function findChromium(): string | null {
  return firstThere([process.env['CHROME_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser']);
}

/**
 * The browser of the e2e tests: `CHROME_PATH`, else Debian's `chromium-headless-shell`, else its
 * `chromium`. Both packages are built from Debian's one chromium source, with the same Blink and V8;
 * the shell is Chromium's headless build without a browser window's own pages (playwright's own
 * choice for headless runs). With the shell, the e2e project alone on the 2-core runner took
 * 391 s and 752 CPU-s, with 58 renderer processes; with `chromium`, 552 s and 1,089 CPU-s,
 * with 353 (2026-12-04).
 */
export function findTestChromium(): string | null {
  return firstThere([process.env['CHROME_PATH'], '/usr/bin/chromium-headless-shell', '/usr/bin/chromium', '/usr/bin/chromium-browser']);
}

function firstThere(candidates: (string | undefined)[]): string | null {
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
