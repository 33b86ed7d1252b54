import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCREENSHOT_PAGE } from '../../tools/budgets.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * Screenshots of a lesson with a playground at 375 and 1280 px, left in
 * reports/screenshots/, each showing the whole page, its title and its Run
 * button. (That every page scrolls only vertically at 375 px is checked in
 * pages-phone.test.ts.)
 */
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;

describeBrowser('responsive layout', () => {
  const env = useBrowser();

  it.each([375, 1280])(`screenshot of ${SCREENSHOT_PAGE} at %i px shows the whole page, its title and its Run button`, async (width) => {
    mkdirSync(shots, { recursive: true });
    const { page } = await env.newPage();
    await page.setViewportSize({ width, height: width < 800 ? 812 : 900 });
    await load(page, `${env.origin}${SCREENSHOT_PAGE}`);
    const file = `${shots}lesson-${width}.png`;
    const png = await page.screenshot({ path: file, fullPage: true });
    // Where the title and the first Run button sit on the full page, in CSS px (the screenshot's scale here).
    const layout = await page.evaluate(() => {
      const box = (selector: string): { x: number; y: number; width: number; height: number } => {
        const r = document.querySelector(selector)?.getBoundingClientRect();
        if (!r) throw new Error(`${selector} is not on the page`);
        return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
      };
      return { height: document.documentElement.scrollHeight, title: box('main h1'), run: box('fd-playground [data-action="run"]') };
    });
    // Decoded in Chromium itself (no image library); colours counted inside each box: one colour is a blank box.
    const seen = await page.evaluate(
      async ([base64, boxes]) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
        context.drawImage(bitmap, 0, 0);
        const colours = (b: { x: number; y: number; width: number; height: number }): number => {
          const data = context.getImageData(Math.round(b.x), Math.round(b.y), Math.max(1, Math.round(b.width)), Math.max(1, Math.round(b.height))).data;
          const set = new Set<number>();
          for (let i = 0; i < data.length; i += 4) set.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number));
          return set.size;
        };
        return { width: bitmap.width, height: bitmap.height, title: colours(boxes.title), run: colours(boxes.run) };
      },
      [png.toString('base64'), layout] as const,
    );
    expect(seen.width).toBe(width);
    expect(Math.abs(seen.height - layout.height)).toBeLessThanOrEqual(1);
    // Text on a background: glyph colour, background and anti-aliasing shades between them.
    expect(seen.title).toBeGreaterThanOrEqual(3);
    expect(seen.run).toBeGreaterThanOrEqual(3);
    process.stdout.write(`screenshot: ${file}\n`);
  });
});
