import { describe, expect, it } from 'vitest';
import { cutTableCells, hasTables, sidewaysOverflow } from './page-checks.ts';
import { describeBrowser, hasBuild, layoutFor, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';
import { checkTapTargets, expectCleanAxe, expectEveryTapTarget, hasTapTargets, visit, type TapTally } from './page-visit.ts';

/**
 * Every page of the built site in Chromium, in the light theme, loaded at 375×812 on a phone
 * (touch, a mobile viewport), every check made on one load of the page: no sideways scroll, a
 * lesson's tables shown whole (wrapped, not scrolled), its quiz's and live diagrams' tap targets,
 * tapped; then at 1280 px axe, a clean console and nothing off-site. pages-laptop.test.ts visits
 * each page in the dark theme at 1280 px.
 */
const pages = hasBuild ? builtPages() : [];
const tapped: TapTally = { answers: 0, hints: 0, diagrams: 0 };

describeBrowser('every built page on a phone', () => {
  const env = useBrowser();

  it('finds the pages to check', () => {
    expect(pages).toContain('/');
    expect(pages).toContain('/lessons/why-websockets/');
  });

  describe.each(pages)('%s, light theme, loaded at 375 px', (path) => {
    const light = visit(env, path, 'light', layoutFor(375));

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
      await checkTapTargets(light.record(), path, 375, tapped);
    });

    it('at 1280 px: no axe violations (light theme), no console errors, nothing off-site', async () => {
      await light.record().page.setViewportSize({ width: 1280, height: 720 });
      await expectCleanAxe(light.record(), 'light', light.status());
    });
  });

  // After every page's visit.
  it('the tap-target checks found every quiz and live diagram', () => {
    expectEveryTapTarget(tapped);
  });
});
