import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCREENSHOT_PAGE } from '../../tools/budgets.ts';
import { describeBrowser, hasBuild, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';

/**
 * Phones first: every page at 375 px wide scrolls only vertically (wide code
 * and diagrams scroll inside their own boxes), and the run leaves screenshots
 * of a lesson with a playground at 375 and 1280 px in reports/screenshots/.
 */
const pages = hasBuild ? builtPages() : [];
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;

describeBrowser('responsive layout', () => {
  const env = useBrowser();

  it.each(pages)('%s has no sideways page scroll at 375 px', async (path) => {
    const { page } = await env.newPage();
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${env.origin}${path}`, { waitUntil: 'networkidle' });
    const overflow = await page.evaluate(() => {
      const root = document.documentElement;
      // Inside a box that scrolls or clips sideways (code, tab lists, wide
      // diagrams), overflowing is what the box is for.
      const inScroller = (el: Element): boolean => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
      };
      const wide = [...document.querySelectorAll('main *')]
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
        .filter((el) => !inScroller(el))
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
    });
    expect(overflow.wide).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
  });

  it.each([375, 1280])(`screenshot of ${SCREENSHOT_PAGE} at %i px`, async (width) => {
    mkdirSync(shots, { recursive: true });
    const { page } = await env.newPage();
    await page.setViewportSize({ width, height: width < 800 ? 812 : 900 });
    await page.goto(`${env.origin}${SCREENSHOT_PAGE}`, { waitUntil: 'networkidle' });
    const file = `${shots}lesson-${width}.png`;
    const png = await page.screenshot({ path: file, fullPage: true });
    expect(png.byteLength).toBeGreaterThan(10_000);
    process.stdout.write(`screenshot: ${file}\n`);
  });
});
