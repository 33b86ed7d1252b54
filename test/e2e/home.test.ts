import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { box, describeBrowser, layoutFor, load, useBrowser } from './harness.ts';



/**
 * The home page's header at 375 px with touch and at 1280 px: a menu with the
 * course and the theme switch on a phone (the splash layout has no sidebar of
 * its own), and "On this page" naming the section actually being read,
 * knowledge checks included.
 */
describeBrowser('the header and "On this page"', () => {
  const env = useBrowser();

  async function open(width: number, path: string): Promise<{ page: Page; errors: string[] }> {
    const { page, consoleErrors: errors } = await env.newPage({ context: layoutFor(width) });
    await load(page, `${env.origin}${path}`);
    return { page, errors };
  }

  const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  it('at 375 px the home page has a menu with the course and the theme switch', async () => {
    const { page, errors } = await open(375, '/');
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu.count()).resolves.toBe(1);
    const button = await box(menu);
    expect(button.x).toBeGreaterThanOrEqual(0);
    expect(button.x + button.width).toBeLessThanOrEqual(375);
    expect(button.y + button.height).toBeLessThanOrEqual(64);
    // The search button keeps clear of it.
    const search = await box(page.locator('header.header button[data-open-modal], header.header site-search button').first());
    expect(overlap(search, button)).toBe(false);

    const themeSelect = page.getByRole('combobox', { name: 'Select theme' });
    await expect(themeSelect.filter({ visible: true }).count()).resolves.toBe(0);
    await menu.tap();
    const pane = page.locator('#starlight__sidebar');
    const lesson = pane.getByRole('link', { name: 'Your first client' });
    await expect(pane.evaluate((el) => el.matches(':popover-open'))).resolves.toBe(true);
    await expect(lesson.count()).resolves.toBe(1);
    const visibleSelect = pane.getByRole('combobox', { name: 'Select theme' });
    await visibleSelect.scrollIntoViewIfNeeded();
    await expect(visibleSelect.count()).resolves.toBe(1);
    const select = await box(visibleSelect);
    expect(select.x + select.width).toBeLessThanOrEqual(375);
    await visibleSelect.selectOption('light');
    await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe('light');
    await lesson.tap();
    await page.waitForURL(/\/lessons\/first-client\/$/);
    expect(errors).toEqual([]);
  });

  it('at 1280 px the home page shows the theme switch in the header and no menu button', async () => {
    const { page, errors } = await open(1280, '/');
    await expect(page.getByRole('button', { name: 'Menu' }).filter({ visible: true }).count()).resolves.toBe(0);
    const select = page.locator('header.header').getByRole('combobox', { name: 'Select theme' });
    await expect(select.isVisible()).resolves.toBe(true);
    const where = await box(select);
    expect(where.x + where.width).toBeLessThanOrEqual(1280);
    expect(errors).toEqual([]);
  });

  it.each(['/lessons/live-feeds/', '/projects/dashboard/', '/lessons/first-client/'])(
    'at 375 px "On this page" on %s names the section at the top of the screen, the knowledge check included',
    async (path) => {
      const { page } = await open(375, path);
      const entries = await page.locator('mobile-starlight-toc a').evaluateAll((links) =>
        links.map((a) => ({ id: decodeURIComponent((a as HTMLAnchorElement).hash.slice(1)), text: a.textContent?.trim() ?? '' })),
      );
      const quiz = entries.find((e) => e.id.startsWith('quiz-'));
      expect(quiz?.text, JSON.stringify(entries)).toMatch(/^Check: /);
      const current = page.locator('mobile-starlight-toc .display-current');
      let checked = 0;
      for (const entry of entries.filter((e) => e.id !== '_top')) {
        // Scroll the heading to just under the header and the "On this page" bar, where a reader starts a section.
        const reached = await page.evaluate((id) => {
          const heading = document.getElementById(id) as HTMLElement;
          const bar = document.querySelector('mobile-starlight-toc nav')?.getBoundingClientRect().bottom ?? 0;
          window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - bar - 16);
          return heading.getBoundingClientRect().top - bar < 40;
        }, entry.id);
        // The last short section of a page cannot scroll up that far; every other one must be named.
        if (!reached) continue;
        await expect.poll(() => current.textContent(), { timeout: 10_000 }).toBe(entry.text);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(3);
      // The knowledge check is long enough to reach the top: it is always one of those checked.
      await page.evaluate((id) => document.getElementById(id)?.scrollIntoView(), quiz?.id ?? '');
      await expect.poll(() => current.textContent(), { timeout: 10_000 }).toBe(quiz?.text);
    },
  );
});
