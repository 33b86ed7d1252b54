import { afterAll, describe, expect, it } from 'vitest';
import { PAGE_WEIGHT } from '../../tools/budgets.ts';
import { builtChecklist, editorsArrived, hasCodeBoxes, keyboardProblems, runOffsets, shownChecklist, weigh, type Weight } from './page-checks.ts';
import { axeViolations, describeBrowser, hasBuild, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';
import { checkTapTargets, expectCleanAxe, expectEveryTapTarget, hasTapTargets, visit, type TapTally } from './page-visit.ts';

/**
 * Every page of the built site in Chromium, in the dark theme at 1280×800 with a mouse, every
 * check made on one load of the page: its weight before interaction (budgets in
 * tools/budgets.ts, no Monaco), a lesson's checklist as built, then axe, a clean console and
 * nothing off-site, then Tab through the whole page, then every editor brought in: no Run button
 * has moved since the page was a set of textareas; last, its quiz's and live diagrams' tap
 * targets, clicked. pages-phone.test.ts visits each page again as a phone, in the light theme.
 */
const pages = hasBuild ? builtPages() : [];
const weights: Weight[] = [];
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const tapped: TapTally = { answers: 0, hints: 0, diagrams: 0 };

describeBrowser('every built page at 1280 px', () => {
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

  describe.each(pages)('%s, dark theme', (path) => {
    const dark = visit(env, path, 'dark', { viewport: { width: 1280, height: 800 } });

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
      await checkTapTargets(dark.record(), path, 1280, tapped);
    });
  });

  // After every page's visit.
  it('the tap-target checks found every quiz and live diagram', () => {
    expectEveryTapTarget(tapped);
  });
});
