import { expect, it } from 'vitest';
import { describeBrowser, load, useBrowser } from './harness.ts';

describeBrowser('the built site in Chromium', () => {
  const env = useBrowser();

  it('serves the home page with the course outline, cleanly and offline', async () => {
    const { page, consoleErrors, failedRequests, foreignRequests, requests } = await env.newPage();
    const response = await load(page, `${env.origin}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: 'Full Duplex' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { level: 2, name: 'Part 1 — Foundations' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Why WebSockets' }).first().getAttribute('href')).resolves.toBe(
      '/lessons/why-websockets/',
    );
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(requests.length).toBeGreaterThan(1);
  });

  it('serves a lesson page reached by keyboard from the home page', async () => {
    const { page, consoleErrors, failedRequests, foreignRequests } = await env.newPage();
    await load(page, `${env.origin}/`);
    const link = page.getByRole('link', { name: 'Start with lesson 1' });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${env.origin}/lessons/why-websockets/`);
    await page.waitForLoadState('networkidle');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Why WebSockets');
    await expect(page.getByRole('heading', { level: 2, name: 'The three properties' }).count()).resolves.toBe(1);
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('answers an unknown page with the course 404 page', async () => {
    const { page } = await env.newPage();
    const response = await page.goto(`${env.origin}/no-such-lesson/`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
  });
});
