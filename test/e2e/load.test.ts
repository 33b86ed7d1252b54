import { expect, it } from 'vitest';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * `load()` (tools/chrome.ts), which every e2e test opens its pages with, hands back a page that is
 * whole even when the renderer is starved. Playwright's `waitUntil: 'networkidle'` alone did not:
 * with the CPU throttled 30× it resolved with this lesson still 'loading', 16 of its 30 requests made
 * and no code box in the DOM, and a clean run on the busy runner failed two page checks that way.
 */
describeBrowser('load() on a starved renderer', () => {
  const env = useBrowser();

  it('resolves with the lesson parsed to its end and its scripts run, CPU throttled 30×', { timeout: 180_000 }, async () => {
    // A context of its own: the throttle stays with the page, which must not go back to the pool.
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      // Starved 30×, the load took 28 s in CI and over Playwright's 30 s beside a loaded run: a bound, not a budget.
      page.setDefaultNavigationTimeout(100_000);
      page.setDefaultTimeout(100_000);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 30 });
      const response = await load(page, `${env.origin}/lessons/handshake-and-frames/`);
      expect(response?.status()).toBe(200);
      await expect(
        page.evaluate(() => ({
          state: document.readyState,
          codeBoxes: document.querySelectorAll('fd-playground, fd-server-lab').length,
          checklistShown: document.querySelector<HTMLElement>('[data-progress-checklist]')?.hidden === false,
        })),
      ).resolves.toEqual({ state: 'complete', codeBoxes: 1, checklistShown: true });
    } finally {
      await context.close();
    }
  });
});
