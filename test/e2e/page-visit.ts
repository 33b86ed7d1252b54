import type { BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { axeViolations, load, type BrowserEnv, type PageRecord } from './harness.ts';
import { runOffsets } from './page-checks.ts';
import { checkDiagrams, checkQuiz, DIAGRAM_PAGES, QUIZ_PAGES } from './tap-checks.ts';

/**
 * One visit of a built page, shared by the checks of pages-laptop.test.ts and pages-phone.test.ts:
 * a page load is most of a check's cost in Chromium, so the checks made on one page at one width
 * share one load.
 */
export interface Visit {
  record: () => PageRecord;
  status: () => number | undefined;
  /** Where each Run button was as the page loaded, while its code boxes were still textareas. */
  runAtLoad: () => Record<string, number>;
}

/** Opens `path` with the theme stored, as Starlight reads it, before the block's tests; hands it back after them. */
export function visit(env: BrowserEnv, path: string, theme: 'dark' | 'light', context: BrowserContextOptions): Visit {
  let record: PageRecord | undefined;
  let status: number | undefined;
  let runAtLoad: Record<string, number> = {};
  beforeAll(async () => {
    record = await env.newPage({ keep: true, context });
    await record.page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
    status = (await load(record.page, `${env.origin}${path}`))?.status();
    // Still textareas: no Monaco is fetched before interaction (the weight test).
    runAtLoad = await runOffsets(record.page);
  });
  afterAll(async () => {
    await record?.release();
  });
  return {
    record: () => {
      if (!record) throw new Error(`${path} was not opened`);
      return record;
    },
    status: () => status,
    runAtLoad: () => runAtLoad,
  };
}

/** The page loaded (200) in `theme`, and axe, the console and the network found nothing wrong. */
export async function expectCleanAxe(record: PageRecord, theme: 'dark' | 'light', status: number | undefined): Promise<void> {
  expect(status).toBe(200);
  await expect(record.page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe(theme);
  await expect(axeViolations(record.page)).resolves.toEqual([]);
  expect(record.consoleErrors).toEqual([]);
  expect(record.failedRequests).toEqual([]);
  expect(record.foreignRequests).toEqual([]);
}

/** A page with a quiz or a live diagram, whose controls tap-checks.ts measures and taps. */
export const hasTapTargets = (path: string): boolean => QUIZ_PAGES.includes(path) || DIAGRAM_PAGES.includes(path);

/** What the tap-target checks found over a file's visits, so that a page they skipped shows in the totals. */
export interface TapTally {
  answers: number;
  hints: number;
  diagrams: number;
}

/** The tap-target checks of tap-checks.ts on a page already loaded at `width` (touch below 800 px), added to `tally`. */
export async function checkTapTargets(record: PageRecord, path: string, width: number, tally: TapTally): Promise<void> {
  const touch = width < 800;
  if (QUIZ_PAGES.includes(path)) {
    const quiz = await checkQuiz(record.page, path, touch);
    tally.answers += quiz.answers;
    tally.hints += quiz.hints;
  }
  if (DIAGRAM_PAGES.includes(path)) tally.diagrams += await checkDiagrams(record.page, path, touch);
}

/** Nothing was skipped for want of finding it: every quiz's answers and hints, every live diagram. */
export function expectEveryTapTarget(tally: TapTally): void {
  expect(tally.answers).toBeGreaterThan(QUIZ_PAGES.length * 6);
  expect(tally.hints).toBeGreaterThan(0);
  expect(tally.diagrams).toBeGreaterThanOrEqual(DIAGRAM_PAGES.length);
}
