import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_WEIGHT } from '../../tools/budgets.ts';
import { builtChecklist, cutTableCells, editorsArrived, hasCodeBoxes, hasTables, keyboardProblems, runOffsets, shownChecklist, sidewaysOverflow, weigh, type Weight } from './page-checks.ts';
import type { BrowserContextOptions } from 'playwright-core';
import { axeViolations, describeBrowser, hasBuild, layoutFor, useBrowser, type PageRecord } from './harness.ts';
import { builtPages } from './pages.ts';
import { checkDiagrams, checkQuiz, DIAGRAM_PAGES, QUIZ_PAGES } from './tap-checks.ts';

/**
 * Every page of the built site, visited twice in Chromium, every per-page
 * check made on those two visits rather than on a load of its own:
 * - dark theme at 1280×800: the page's weight before interaction (budgets in
 *   tools/budgets.ts, no Monaco), a lesson's checklist as built, then axe, a
 *   clean console and nothing off-site, then Tab through the whole page, then
 *   every editor brought in: no Run button has moved since the page was a set
 *   of textareas; then its quiz's and live diagrams' tap targets, with a mouse;
 * - light theme, loaded at 375×812 on a phone (touch, a mobile viewport): no
 *   sideways scroll, a lesson's tables shown whole (wrapped, not scrolled), the
 *   tap targets again, tapped; then at 1280 px axe, a clean console and nothing
 *   off-site again.
 * A page load is most of a check's cost in Chromium, so the checks share them.
 */
const pages = hasBuild ? builtPages() : [];
const weights: Weight[] = [];
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
/** What the tap-target checks found at each width, so that a page they skipped shows in the totals. */
const tapped = new Map<number, { answers: number; hints: number; diagrams: number }>();
const hasTapTargets = (path: string): boolean => QUIZ_PAGES.includes(path) || DIAGRAM_PAGES.includes(path);

/** The tap-target checks of tap-checks.ts on a page already loaded at `width`, counted in `tapped`. */
async function checkTapTargets(record: PageRecord, path: string, width: number): Promise<void> {
  const touch = width < 800;
  const seen = tapped.get(width) ?? { answers: 0, hints: 0, diagrams: 0 };
  tapped.set(width, seen);
  if (QUIZ_PAGES.includes(path)) {
    const quiz = await checkQuiz(record.page, path, touch);
    seen.answers += quiz.answers;
    seen.hints += quiz.hints;
  }
  if (DIAGRAM_PAGES.includes(path)) seen.diagrams += await checkDiagrams(record.page, path, touch);
}

describeBrowser('every built page', () => {
  const env = useBrowser();

  afterAll(() => {
    if (weights.length === 0) return;
    const lines = weights.map(
      (w) => `${w.page.padEnd(40)} JS ${kb(w.js).padStart(9)}   total ${kb(w.total).padStart(9)}   ${w.requests} requests${w.monaco ? `   MONACO ${w.monaco}` : ''}`,
    );
    process.stdout.write(
      `\nPage weight (gzip, before interaction; budgets: JS ≤ ${kb(PAGE_WEIGHT.jsGzipBytes)}, lesson total ≤ ${kb(PAGE_WEIGHT.lessonTotalGzipBytes)})\n${lines.join('\n')}\n`,
    );
  });

  it('finds the pages to check', () => {
    expect(pages).toContain('/');
    expect(pages).toContain('/lessons/why-websockets/');
  });

  it('would report a page with low contrast and an unnamed image, every node named', async () => {
    const { page } = await env.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>' +
        '<p id="faint" style="color:#777;background:#888">faint</p><p id="fainter" style="color:#777;background:#888">fainter</p>' +
        '<img id="bare" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10"></main></html>',
    );
    await expect(axeViolations(page)).resolves.toEqual([
      'color-contrast (serious): Elements must meet minimum color contrast ratio thresholds at #faint, #fainter',
      'image-alt (critical): Images must have alternative text at #bare',
    ]);
  });

  /** Opens the page with the theme stored, as Starlight reads it; hands it back after the block's tests. */
  function visit(
    path: string,
    theme: 'dark' | 'light',
    context: BrowserContextOptions,
  ): { record: () => PageRecord; status: () => number | undefined; runAtLoad: () => Record<string, number> } {
    let record: PageRecord | undefined;
    let status: number | undefined;
    let runAtLoad: Record<string, number> = {};
    beforeAll(async () => {
      record = await env.newPage({ keep: true, context });
      await record.page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
      status = (await record.page.goto(`${env.origin}${path}`, { waitUntil: 'networkidle' }))?.status();
      // Still textareas: no Monaco is fetched before interaction (the weight test below).
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

  async function expectCleanAxe(record: PageRecord, theme: 'dark' | 'light', status: number | undefined): Promise<void> {
    expect(status).toBe(200);
    await expect(record.page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe(theme);
    await expect(axeViolations(record.page)).resolves.toEqual([]);
    expect(record.consoleErrors).toEqual([]);
    expect(record.failedRequests).toEqual([]);
    expect(record.foreignRequests).toEqual([]);
  }

  describe.each(pages)('%s', (path) => {
    describe('dark theme at 1280 px', () => {
      const dark = visit(path, 'dark', { viewport: { width: 1280, height: 800 } });

      it('stays within its weight budget before interaction and fetches no Monaco', () => {
        const weight = weigh(path, dark.record().requests, env.origin);
        weights.push(weight);
        expect(weight.total).toBeGreaterThan(0);
        expect(weight.monaco).toBe(0);
        expect(weight.js).toBeLessThanOrEqual(PAGE_WEIGHT.jsGzipBytes);
        if (path.startsWith('/lessons/') || path.startsWith('/projects/')) {
          expect(weight.total).toBeLessThanOrEqual(PAGE_WEIGHT.lessonTotalGzipBytes);
        }
      });

      if (/^\/(lessons|projects)\//.test(path)) {
        it('lists "To finish this page" in the built page as the progress script does, so filling it in moves nothing', async () => {
          const built = builtChecklist(path);
          expect(built.length).toBeGreaterThan(0);
          await expect(shownChecklist(dark.record().page)).resolves.toEqual(built);
        });
      }

      it('no axe violations (dark theme), no console errors, nothing off-site', async () => {
        await expectCleanAxe(dark.record(), 'dark', dark.status());
      });

      it('Tab reaches every component control, with a visible focus indicator', async () => {
        const { missed, invisible } = await keyboardProblems(dark.record().page);
        expect(missed).toEqual([]);
        expect(invisible).toEqual([]);
      });

      if (hasCodeBoxes(path)) it('the editors that replace the textareas move no Run button: each textarea had its editor\'s size', async () => {
        const { page } = dark.record();
        await editorsArrived(page);
        const before = dark.runAtLoad();
        expect(Object.keys(before).length).toBeGreaterThan(0);
        await expect(runOffsets(page)).resolves.toEqual(before);
      });

      // Last: it ticks a quiz answer and unticks a diagram's Follow newest.
      if (hasTapTargets(path)) it('every quiz answer, Check answer button and Hint, and each live diagram\'s checkboxes and buttons, is a 44 px target; a click in a label\'s far corner ticks it', async () => {
        await checkTapTargets(dark.record(), path, 1280);
      });
    });

    describe('light theme, loaded at 375 px on a phone', () => {
      const light = visit(path, 'light', layoutFor(375));

      it('has no sideways page scroll at 375 px', async () => {
        const overflow = await sidewaysOverflow(light.record().page);
        expect(overflow.wide).toEqual([]);
        expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
      });

      if (/^\/(lessons|projects)\//.test(path) && hasTables(path)) {
        it('shows every table cell whole at 375 px: no table scrolls sideways, no cell spills', async () => {
          await expect(cutTableCells(light.record().page)).resolves.toEqual([]);
        });
      }

      if (hasTapTargets(path)) it('every quiz answer, Check answer button and Hint, and each live diagram\'s checkboxes and buttons, is a 44 px target; a tap in a label\'s far corner ticks it', async () => {
        await checkTapTargets(light.record(), path, 375);
      });

      it('at 1280 px: no axe violations (light theme), no console errors, nothing off-site', async () => {
        await light.record().page.setViewportSize({ width: 1280, height: 720 });
        await expectCleanAxe(light.record(), 'light', light.status());
      });
    });
  });

  // After every page's visits: nothing was skipped for want of finding it.
  it.each([1280, 375])('at %i px the tap-target checks found every quiz and live diagram', (width) => {
    const seen = tapped.get(width);
    expect(seen?.answers).toBeGreaterThan(QUIZ_PAGES.length * 6);
    expect(seen?.hints).toBeGreaterThan(0);
    expect(seen?.diagrams).toBeGreaterThanOrEqual(DIAGRAM_PAGES.length);
  });
});
