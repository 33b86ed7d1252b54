import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { describeBrowser, hasBuild, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';

/**
 * Every page of the built site, visited in Chromium: axe-core finds no
 * violations, the console stays clean, and no request leaves the site.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const pages = hasBuild ? builtPages() : [];

describeBrowser('every built page', () => {
  const env = useBrowser();

  it('finds the pages to check', () => {
    expect(pages).toContain('/');
    expect(pages).toContain('/lessons/why-websockets/');
  });

  for (const theme of ['dark', 'light'] as const) {
    it.each(pages)(`%s: no axe violations (${theme} theme), no console errors, nothing off-site`, async (path) => {
      const record = await env.newPage();
      const { page } = record;
      await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
      const response = await page.goto(`${env.origin}${path}`, { waitUntil: 'networkidle' });
      expect(response?.status()).toBe(200);
      await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe(theme);
      await page.addScriptTag({ content: axeSource });
      const violations = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: unknown[] }> } }).axe;
        return (await axe.run(document)).violations;
      })) as AxeViolation[];
      const summary = violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(summary).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.failedRequests).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    });
  }
});
