import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { box, describeBrowser, layoutFor, load, useBrowser } from './harness.ts';



/**
 * The dashboard's live chart (uPlot) as a learner sees it at 1280 px with a
 * mouse and at 375 px with touch: axes with tick labels and titles, a legend
 * naming every series, a readout that follows the cursor, a table of the
 * latest prices, colours that hold their contrast in both themes, a width
 * that follows the container, and uPlot fetched only when the chart is near.
 */
const PAGE = '/projects/dashboard/';
const PRICES = ['acme', 'globex', 'initech'];
const CLOCK = /^\d\d:\d\d:\d\d$/;
const CHANGE = /^(?:[+\u2212]\d+(?:\.\d+)?|0(?:\.0+)?)\u202f%$/;
const READOUT = /^\d+\.\d\d \((?:[+\u2212]\d+\.\d\d|0\.00)\u202f%\)$/;
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;

interface Ticks {
  x: string[];
  y: string[];
}

describeBrowser('the dashboard chart', () => {
  const env = useBrowser();

  async function open(width: number, theme: 'dark' | 'light' = 'dark'): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const { page, consoleErrors, requests } = await env.newPage({ context: layoutFor(width) });
    await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
    await load(page, `${env.origin}${PAGE}`);
    return { page, errors: consoleErrors, requests };
  }

  /** Runs the dashboard client and waits until every price has several ticks in the chart. */
  async function run(page: Page): Promise<Locator> {
    const playground = page.locator('#project-dashboard');
    await playground.scrollIntoViewIfNeeded();
    await playground.getByRole('button', { name: 'Run' }).click();
    const chart = page.locator('fd-live-chart');
    await chart.scrollIntoViewIfNeeded();
    await expect
      .poll(() => chart.locator('.fd-chart-latest tbody th').allTextContents(), { timeout: 30_000 })
      .toEqual(PRICES);
    // Two axis labels can come from a single point: wait until the data spans four seconds, so that
    // the left part of the plot has earlier moments to read out, with every price known by then.
    const seconds = (clock: string): number => clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    await expect
      .poll(async () => {
        const span = /from (\d\d:\d\d:\d\d) to (\d\d:\d\d:\d\d)/.exec((await chart.locator('.fd-chart-summary').textContent()) ?? '');
        return span === null ? 0 : seconds(span[2] ?? '') - seconds(span[1] ?? '');
      }, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(4);
    // The time axis labels its ticks only as far apart as the width allows: wait for two of them.
    await expect.poll(() => ticks(chart).then((t) => t.x.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    return chart;
  }

  const ticks = (chart: Locator): Promise<Ticks> => chart.evaluate((el) => JSON.parse(JSON.stringify((el as unknown as { ticks: Ticks }).ticks)) as Ticks);
  const legendValue = (chart: Locator, label: string): Promise<string> =>
    chart.locator('.u-legend .u-series', { has: chart.page().locator('.u-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.u-value').innerText();

  it.each([1280, 375])('at %i px: axes with tick labels, a legend naming each series, a hover readout, all inside the page', async (width) => {
    const { page, errors, requests } = await open(width);
    // Lazy: the page as loaded, scrolled to the top, has fetched no uPlot.
    expect(requests.filter((path) => /uPlot/i.test(path))).toEqual([]);
    const chart = await run(page);
    await expect(chart.evaluate((el) => el.hasAttribute('data-ready'))).resolves.toBe(true);
    await expect(page.locator('style[data-uplot]').count()).resolves.toBe(1);

    // Tick labels as drawn on the canvas: clock times under the plot, signed percentages beside it.
    const drawn = await ticks(chart);
    expect(drawn.x.length).toBeGreaterThanOrEqual(2);
    for (const label of drawn.x) expect(label).toMatch(CLOCK);
    // The value axis always labels four to six ticks (valueScale), never the two uPlot could leave.
    expect(drawn.y.length).toBeGreaterThanOrEqual(4);
    expect(drawn.y.length).toBeLessThanOrEqual(6);
    for (const label of drawn.y) expect(label).toMatch(CHANGE);

    // The canvas leaves room for the axes: the plot area is inset from the left (value axis) and the bottom (time axis).
    const root = await box(chart.locator('.uplot'));
    const over = await box(chart.locator('.u-over'));
    const canvas = await box(chart.locator('.uplot canvas'));
    expect(over.x - canvas.x).toBeGreaterThanOrEqual(60);
    expect(canvas.y + canvas.height - (over.y + over.height)).toBeGreaterThanOrEqual(40);
    // Responsive: the canvas fills the figure's width and stays inside the viewport.
    const host = await box(chart.locator('.fd-chart-plot'));
    expect(Math.abs(canvas.width - host.width)).toBeLessThanOrEqual(1);
    expect(root.x).toBeGreaterThanOrEqual(0);
    expect(canvas.x + canvas.width).toBeLessThanOrEqual(width);

    // The legend names the time and every price, each visible and inside the viewport.
    await expect(chart.locator('.u-legend .u-label').allInnerTexts()).resolves.toEqual(['Time', ...PRICES]);
    for (const box of await chart.locator('.u-legend .u-series').evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.width).toBeGreaterThan(0);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
    }
    // Away from the plot the legend shows the latest values.
    const latestTime = await legendValue(chart, 'Time');
    expect(latestTime).toMatch(CLOCK);
    for (const price of PRICES) expect(await legendValue(chart, price)).toMatch(READOUT);

    // Pointing (or tapping) left of the middle reads out an earlier moment, with every price (at the
    // very first column only the first topic to tick has a price: the others rightly show "–"). The
    // playground's output grows above the chart while the run goes on, so the plot is measured again
    // just before pointing; a new tick may also change the latest time, so the wait is for an earlier one.
    const point = async (): Promise<void> => {
      const now = await box(chart.locator('.u-over'));
      const x = now.x + now.width * 0.4;
      const y = now.y + now.height / 2;
      if (width < 800) await page.touchscreen.tap(x, y);
      else await page.mouse.move(x, y);
    };
    await point();
    await expect
      .poll(async () => {
        const shown = await legendValue(chart, 'Time');
        if (CLOCK.test(shown) && shown < latestTime) return true;
        await point();
        return shown;
      }, { timeout: 20_000 })
      .toBe(true);
    const hovered = await legendValue(chart, 'Time');
    expect(hovered).toMatch(CLOCK);
    expect(hovered < latestTime).toBe(true);
    for (const price of PRICES) expect(await legendValue(chart, price)).toMatch(READOUT);
    // With a mouse the cursor line marks the moment read out (a tap moves the readout without one).
    if (width >= 800) await expect(chart.locator('.u-cursor-x').isVisible()).resolves.toBe(true);

    // The text alternative: a table of the latest prices and a one-sentence summary.
    const rows = await chart.locator('.fd-chart-latest tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
    expect(rows.map((r) => r[0])).toEqual(PRICES);
    for (const [, price, change, received] of rows) {
      expect(price).toMatch(/^\d+\.\d\d$/);
      expect(change).toMatch(CHANGE);
      expect(received).toMatch(CLOCK);
    }
    await expect(chart.locator('.fd-chart-summary').textContent()).resolves.toMatch(
      /^3 series from \d\d:\d\d:\d\d to \d\d:\d\d:\d\d, as change since the first tick in per cent\. Latest: acme \d+\.\d\d \(.+\); globex .+; initech .+\.$/,
    );
    await expect(chart.locator('figure').getAttribute('aria-describedby')).resolves.toMatch(/-summary$/);

    // "1 connection", never "1 connections", in the dashboard's own summary lines.
    // The summary is printed every two seconds once a `server` tick has arrived: wait for one.
    const summaries = async (): Promise<RegExpExecArray[]> =>
      [...(await page.locator('#project-dashboard .fd-line').allTextContents()).join('\n').matchAll(/server: (\d+) (connections?),/g)];
    await expect.poll(async () => (await summaries()).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const counts = await summaries();
    for (const [, n, noun] of counts) expect(noun).toBe(n === '1' ? 'connection' : 'connections');

    mkdirSync(shots, { recursive: true });
    await chart.screenshot({ path: `${shots}chart-${width}.png` });

    // Responsive: a narrower window narrows the canvas with its container.
    const narrower = Math.round(width * 0.8);
    await page.setViewportSize({ width: narrower, height: 900 });
    await expect
      .poll(async () => {
        const [c, h] = await Promise.all([chart.locator('.uplot canvas').boundingBox(), chart.locator('.fd-chart-plot').boundingBox()]);
        return Math.round((c?.width ?? 0) - (h?.width ?? 0));
      }, { timeout: 20_000 })
      .toBe(0);
    const after = await box(chart.locator('.uplot canvas'));
    // At 1280 px the page's own table of contents takes a column that a narrower window gives back: it only has to change.
    expect(after.width).not.toBe(canvas.width);
    expect(after.x + after.width).toBeLessThanOrEqual(narrower);
    expect(errors).toEqual([]);
  }, 240_000);

  it.each(['dark', 'light'] as const)('in the %s theme, every line and the axis text reach 4.5:1 against the page', async (theme) => {
    const { page } = await open(1280, theme);
    await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe(theme);
    const ratios = await page.locator('fd-live-chart').evaluate((el) => {
      const style = getComputedStyle(el);
      const probe = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
      const rgb = (color: string): number[] => {
        probe.clearRect(0, 0, 1, 1);
        probe.fillStyle = color;
        probe.fillRect(0, 0, 1, 1);
        return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      };
      const luminance = (c: number[]): number =>
        c.map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * ([0.2126, 0.7152, 0.0722][i] ?? 0), 0);
      const page = luminance(rgb(getComputedStyle(document.body).backgroundColor));
      const ratio = (name: string): number => {
        const l = luminance(rgb(style.getPropertyValue(name).trim()));
        return Math.round(((Math.max(l, page) + 0.05) / (Math.min(l, page) + 0.05)) * 10) / 10;
      };
      return ['--fd-chart-1', '--fd-chart-2', '--fd-chart-3', '--fd-chart-4', '--fd-chart-axis'].map(ratio);
    });
    for (const ratio of ratios) expect(ratio).toBeGreaterThanOrEqual(4.5);
  }, 120_000);
});
