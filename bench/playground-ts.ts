import { chromium, type Browser } from 'playwright-core';
import { startServer } from '../server/app.ts';
import { CHROME_FLAGS, findChromium } from '../tools/chrome.ts';
import { runIfMain, type BenchResult } from './types.ts';

/**
 * The first TypeScript run, in Chromium, from the Run click to the first line
 * of the learner's own output (the typed echo client on /lessons/first-client/).
 *
 * - cold: the page has just loaded; Run is clicked at once, so Monaco, its
 *   TypeScript worker and the compiler's program all start from nothing.
 * - warmed: the learner scrolled to the playground and the page went idle,
 *   which prepares the compiler ahead (data-typescript="ready"); then Run.
 *
 * Also: how long the Output stays empty after the click ("Preparing
 * TypeScript…" is printed on the next frame). Median of several fresh pages.
 */
const ROUNDS = 3;
const PAGE = '/lessons/first-client/';
const ID = 'first-client-typed';

interface Timing {
  /** Click → any line in the Output. */
  firstLine: number;
  /** Click → the first line the learner's code printed. */
  firstOutput: number;
}

async function once(browser: Browser, origin: string, warmed: boolean): Promise<Timing> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${origin}${PAGE}`, { waitUntil: 'load' });
  const playground = page.locator(`fd-playground#${ID}`);
  if (warmed) {
    await playground.scrollIntoViewIfNeeded();
    await page.waitForFunction((id) => document.getElementById(id)?.dataset['typescript'] === 'ready', ID, { timeout: 300_000 });
  }
  await page.evaluate((id) => {
    const element = document.getElementById(id) as HTMLElement;
    const log = element.querySelector('[data-log]') as HTMLElement;
    const marks: Record<string, number> = {};
    (window as unknown as { fdMarks: Record<string, number> }).fdMarks = marks;
    element.querySelector('[data-action="run"]')?.addEventListener('click', () => (marks['click'] = performance.now()), { capture: true });
    new MutationObserver(() => {
      const lines = [...log.querySelectorAll('.fd-line')];
      if (lines.length > 0) marks['firstLine'] ??= performance.now();
      if (lines.some((line) => !line.classList.contains('fd-system'))) marks['firstOutput'] ??= performance.now();
    }).observe(log, { childList: true });
  }, ID);
  await playground.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => (window as unknown as { fdMarks: Record<string, number> }).fdMarks['firstOutput'] !== undefined, undefined, { timeout: 300_000 });
  const marks = await page.evaluate(() => (window as unknown as { fdMarks: Record<string, number> }).fdMarks);
  await context.close();
  const click = marks['click'] as number;
  return { firstLine: (marks['firstLine'] as number) - click, firstOutput: (marks['firstOutput'] as number) - click };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] as number);
};

export async function run(): Promise<BenchResult[]> {
  const chrome = findChromium();
  if (!chrome) throw new Error('No Chromium found: install Debian\'s chromium or set CHROME_PATH.');
  const server = await startServer({ port: 0, logLevel: 'error', siteDir: new URL('../dist/', import.meta.url).pathname });
  const browser = await chromium.launch({ executablePath: chrome, args: CHROME_FLAGS });
  const origin = `http://127.0.0.1:${server.port}`;
  try {
    const cold: Timing[] = [];
    const warm: Timing[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      cold.push(await once(browser, origin, false));
      warm.push(await once(browser, origin, true));
    }
    const coldOutput = median(cold.map((t) => t.firstOutput));
    const warmOutput = median(warm.map((t) => t.firstOutput));
    const silent = Math.max(median(cold.map((t) => t.firstLine)), median(warm.map((t) => t.firstLine)));
    return [
      { name: 'first TS run: Run → first output, cold page (median)', value: coldOutput, unit: 'ms' },
      {
        name: 'first TS run: Run → first output, compiler warmed (median)',
        value: warmOutput,
        unit: 'ms',
        baseline: coldOutput,
        target: '< 1000 ms',
        ok: warmOutput < 1_000,
      },
      { name: 'first TS run: Output empty after Run (median, worst of both)', value: silent, unit: 'ms', target: '< 200 ms', ok: silent < 200 },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

await runIfMain(import.meta, 'playground-ts', run);
