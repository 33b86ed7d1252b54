import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_WEIGHT } from '../../tools/budgets.ts';
import { builtChecklist, cutTableCells, editorsArrived, hasCodeBoxes, hasTables, keyboardProblems, runOffsets, shownChecklist, sidewaysOverflow, weigh, type Weight } from './page-checks.ts';
import { axeViolations, describeBrowser, hasBuild, useBrowser, type PageRecord } from './harness.ts';
import { builtPages } from './pages.ts';

/**
 * Every page of the built site, visited twice in Chromium, every per-page
 * check made on those two visits rather than on a load of its own:
 * - dark theme at 1280×800: the page's weight before interaction (budgets in
 *   tools/budgets.ts, no Monaco), a lesson's checklist as built, then axe, a
 *   clean console and nothing off-site, then Tab through the whole page, then
 *   every editor brought in: no Run button has moved since the page was a set
 *   of textareas;
 * - light theme, loaded at 375×812 as a phone would: no sideways scroll, a
 *   lesson's tables shown whole (wrapped, not scrolled), then at 1280 px axe,
 *   a clean console and nothing off-site again.
 * A page load is most of a check's cost in Chromium, so the checks share them.
 */
const pages = hasBuild ? builtPages() : [];
const weights: Weight[] = [];
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

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
    viewport: { width: number; height: number },
  ): { record: () => PageRecord; status: () => number | undefined; runAtLoad: () => Record<string, number> } {
    let record: PageRecord | undefined;
    let status: number | undefined;
    let runAtLoad: Record<string, number> = {};
    beforeAll(async () => {
      record = await env.newPage({ keep: true });
      await record.page.setViewportSize(viewport);
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
      const dark = visit(path, 'dark', { width: 1280, height: 800 });

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
    });

    describe('light theme, loaded at 375 px', () => {
      const light = visit(path, 'light', { width: 375, height: 812 });

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

      it('at 1280 px: no axe violations (light theme), no console errors, nothing off-site', async () => {
        await light.record().page.setViewportSize({ width: 1280, height: 720 });
        await expectCleanAxe(light.record(), 'light', light.status());
      });
    });
  });
});
