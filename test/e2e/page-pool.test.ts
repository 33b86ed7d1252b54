import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * The harness hands a page back at the end of its test and out again to the next (harness.ts,
 * PagePool): each test must still see a first visit. One test leaves behind everything a test can,
 * the next finds none of it in the same page; a fake clock, which cannot be taken back, retires
 * the page instead. The tests run in order and share what they saw.
 */
describeBrowser('a page handed back and handed out again', () => {
  const env = useBrowser();
  let used: Page | undefined;
  let clocked: Page | undefined;
  const oldListener: string[] = [];

  const leftovers = (page: Page) =>
    page.evaluate(() => ({
      stored: localStorage.getItem('fd-leftover'),
      cookies: document.cookie.split('; ').filter((c) => c.startsWith('leftover=')),
      initScript: (window as unknown as { leftover?: string }).leftover ?? null,
      size: [innerWidth, innerHeight],
      dark: matchMedia('(prefers-color-scheme: dark)').matches,
      reducedMotion: matchMedia('(prefers-reduced-motion: reduce)').matches,
    }));

  it('a test leaves storage, a cookie, an init script, a route, a listener, a size and media behind', async () => {
    const { page } = await env.newPage();
    used = page;
    await page.addInitScript(() => ((window as unknown as { leftover: string }).leftover = 'from the last test'));
    await page.route('**/health', (route) => route.fulfill({ status: 503, body: 'down' }));
    page.on('console', (message) => oldListener.push(message.text()));
    await page.setViewportSize({ width: 400, height: 300 });
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await load(page, `${env.origin}/`);
    await page.evaluate(() => {
      localStorage.setItem('fd-leftover', '1');
      document.cookie = 'leftover=1; path=/';
    });
    await expect(leftovers(page)).resolves.toEqual({
      stored: '1',
      cookies: ['leftover=1'],
      initScript: 'from the last test',
      size: [400, 300],
      dark: true,
      reducedMotion: true,
    });
    await expect(page.evaluate(async () => (await fetch('/health')).status)).resolves.toBe(503);
  });

  it('the next test gets the same page with none of it', async () => {
    const { page, consoleErrors } = await env.newPage();
    expect(page).toBe(used);
    await load(page, `${env.origin}/`);
    await expect(leftovers(page)).resolves.toEqual({
      stored: null,
      cookies: [],
      initScript: null,
      size: [1280, 720],
      dark: false,
      reducedMotion: false,
    });
    await expect(page.evaluate(async () => (await fetch('/health')).status)).resolves.toBe(200);
    await page.evaluate(() => console.error('heard by this test only'));
    // The first test's listener heard that test's own messages (the 503), and nothing since.
    expect(oldListener).not.toContain('heard by this test only');
    expect(consoleErrors).toEqual(['heard by this test only']);
  });

  it('a test fixes the page\'s clock', async () => {
    const { page } = await env.newPage();
    clocked = page;
    await page.clock.setFixedTime(new Date('2001-01-01T00:00:00Z'));
    await load(page, `${env.origin}/`);
    await expect(page.evaluate(() => new Date().getUTCFullYear())).resolves.toBe(2001);
  });

  it('the next test gets a new page, on real time', async () => {
    const { page } = await env.newPage();
    expect(page).not.toBe(clocked);
    expect(clocked?.isClosed()).toBe(true);
    await load(page, `${env.origin}/`);
    await expect(page.evaluate(() => new Date().getUTCFullYear())).resolves.toBe(new Date().getUTCFullYear());
  });
});
