import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { findPlaygrounds } from '../integration/playgrounds/find.ts';
import { describeBrowser, useBrowser } from './harness.ts';

/**
 * The editors as a learner meets them: every playground's code is free of
 * errors in the editor's own language service (what draws the red squiggles),
 * the solution included.
 */

const playgrounds = await findPlaygrounds();

/** src/content/docs/lessons/first-client.mdx → /lessons/first-client/ */
const urlOf = (page: string): string => `/${page.replace(/^src\/content\/docs\//, '').replace(/\.mdx$/, '').replace(/(^|\/)index$/, '')}/`.replace(/\/+/g, '/');

async function problems(page: Page, id: string): Promise<Record<string, string[]>> {
  return page.evaluate((pid) => (document.getElementById(pid) as unknown as { problems(): Promise<Record<string, string[]>> }).problems(), id);
}

async function approach(scope: Locator): Promise<void> {
  await scope.scrollIntoViewIfNeeded();
  await scope.locator('.monaco-editor').first().waitFor({ timeout: 60_000 });
}

describeBrowser('editors', () => {
  const env = useBrowser();

  const typed = playgrounds.filter((p) => p.lang === 'ts');
  it('finds the TypeScript playgrounds', () => {
    expect(typed.map((p) => p.id)).toContain('first-client-typed');
  });

  for (const playground of typed) {
    it(`${playground.id}: the starter${playground.solution ? ' and the solution have' : ' has'} no problems in the editor's TypeScript worker`, async () => {
      const { page, consoleErrors } = await env.newPage();
      await page.goto(`${env.origin}${urlOf(playground.page)}`, { waitUntil: 'networkidle' });
      const element = page.locator(`fd-playground#${playground.id}`);
      await approach(element);
      const empty = Object.fromEntries(Object.keys(playground.code).map((key) => [key, []]));
      await expect(problems(page, playground.id)).resolves.toEqual(empty);
      if (playground.solution) {
        await element.getByRole('button', { name: 'Solution' }).click();
        await expect(problems(page, playground.id)).resolves.toEqual(empty);
        await element.getByRole('button', { name: 'Solution' }).click();
      }
      // The worker does report problems: a type error in the same code is found, so the check above can fail.
      const key = Object.keys(playground.code)[0] as string;
      await element.getByRole('textbox', { name: key === 'shared' ? 'Code' : `Code for ${key}`, exact: true }).focus();
      await page.keyboard.press('ControlOrMeta+End');
      await page.keyboard.insertText("\nconst wrong: number = 'one';\n");
      const found = await problems(page, playground.id);
      expect(found[key]).toEqual([expect.stringMatching(/^\d+:7 Type 'string' is not assignable to type 'number'\.$/)]);
      expect(consoleErrors).toEqual([]);
    });
  }
});
