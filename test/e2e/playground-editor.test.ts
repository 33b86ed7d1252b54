import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { findPlaygrounds } from '../integration/playgrounds/find.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';
import { editorsArrived, runOffsets } from './page-checks.ts';

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
  await scope.locator('.monaco-editor').first().waitFor({ timeout: 120_000 });
}

describeBrowser('editors', () => {
  const env = useBrowser();

  it('starts the TypeScript worker only when the learner works in the editor: not for reading, Run, or Tab passing through; then a typed error is underlined', async () => {
    const { page, consoleErrors } = await env.newPage();
    await load(page, `${env.origin}/lessons/first-client/`);
    const element = page.locator('fd-playground#first-client');
    await approach(element);
    const tsWorkers = (): Promise<number> => page.evaluate(() => performance.getEntriesByType('resource').filter((e) => /ts\.worker/.test(e.name)).length);
    await element.getByRole('button', { name: 'Run', exact: true }).click();
    await element.getByRole('log', { name: 'Output', exact: true }).getByText('Run finished.').waitFor();
    await expect(tsWorkers()).resolves.toBe(0);
    // The highlighting is there all the same (the quiet language has the same grammar): a keyword has its own colour.
    const keyword = element.locator('.view-lines span[class^="mtk"]', { hasText: /^const$/ }).first();
    // Monaco writes spaces as no-break spaces, which \s matches.
    const plain = element.locator('.view-lines span[class^="mtk"]', { hasText: /^\sws\s=\s$/ }).first();
    expect(await keyword.evaluate((el) => getComputedStyle(el).color)).not.toBe(await plain.evaluate((el) => getComputedStyle(el).color));
    // Tab passes through the editor, both ways, and its code keeps the quiet language (the switch is synchronous).
    const editor = element.locator('[data-mode-id]').first();
    await element.getByRole('textbox', { name: 'Code', exact: true }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null)).resolves.toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await editor.getAttribute('data-mode-id')).toBe('fd-quiet-javascript');
    await expect(tsWorkers()).resolves.toBe(0);
    // A key that works in the code wakes it.
    await element.getByRole('textbox', { name: 'Code', exact: true }).focus();
    await page.keyboard.press('ControlOrMeta+End');
    expect(await editor.getAttribute('data-mode-id')).toBe('javascript');
    await page.keyboard.insertText('\nconst broken = ;\n');
    await element.locator('.squiggly-error').first().waitFor({ timeout: 60_000 });
    await expect(tsWorkers()).resolves.toBe(1);
    await expect(problems(page, 'first-client')).resolves.toEqual({ shared: [expect.stringMatching(/^\d+:16 Expression expected\.$/)] });
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  const typed = playgrounds.filter((p) => p.lang === 'ts');
  it('finds the TypeScript playgrounds', () => {
    expect(typed.map((p) => p.id)).toContain('first-client-typed');
  });

  for (const playground of typed) {
    it(`${playground.id}: the starter${playground.solution ? ' and the solution have' : ' has'} no problems in the editor's TypeScript worker`, async () => {
      const { page, consoleErrors } = await env.newPage();
      await load(page, `${env.origin}${urlOf(playground.page)}`);
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
    }, 240_000);
  }
});

describeBrowser('playgrounds on a phone (375 × 812, touch)', () => {
  const env = useBrowser();
  const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

  it('taps into the editor without console errors, hides the keyboard button and the shortcut hint, and has 44 px tap targets', async () => {
    // An iPhone's user agent: Monaco adds its floating keyboard button only on iOS.
    const { page } = await env.newPage({ context: { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, userAgent: IPHONE } });
    const messages: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /\bERR\b|Canceled/.test(message.text())) messages.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
    await load(page, `${env.origin}/lessons/first-client/`);
    const runAtLoad = await runOffsets(page);
    const echo = page.locator('fd-playground#first-client');
    await approach(echo);
    const code = echo.locator('.monaco-editor .view-lines').first();
    const box = await code.boundingBox();
    if (!box) throw new Error('The editor has no box');
    // Taps on words, on spaces and on other lines, some in quick succession, as a thumb does.
    for (let i = 0; i < 8; i++) {
      await page.touchscreen.tap(box.x + 20 + (i % 4) * 40, box.y + 12 + i * 19);
      await page.waitForTimeout(i % 2 === 0 ? 600 : 60);
    }
    await page.waitForTimeout(1_000);
    // The taps reached the editor: it has focus.
    await expect(page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null)).resolves.toBe(true);
    // Then a whole touch session: Run by a tap, its output, a tap outside the editor, a tap back in.
    const run = await echo.getByRole('button', { name: 'Run', exact: true }).boundingBox();
    if (!run) throw new Error('Run has no box');
    await page.touchscreen.tap(run.x + run.width / 2, run.y + run.height / 2);
    await expect.poll(() => echo.locator('.fd-line').allTextContents(), { timeout: 120_000 }).toContainEqual(expect.stringMatching(/Hello, server!/));
    const heading = await page.locator('h1').first().boundingBox();
    if (!heading) throw new Error('The page has no heading box');
    await page.touchscreen.tap(heading.x + 10, heading.y + heading.height / 2);
    await page.touchscreen.tap(box.x + 30, box.y + 12);
    await page.waitForTimeout(1_000);
    expect(messages).toEqual([]);

    // Monaco's keyboard button exists on iOS, and is not shown over the code.
    await expect(echo.locator('.iPadShowKeyboard').count()).resolves.toBe(1);
    await expect(echo.locator('.iPadShowKeyboard').isVisible()).resolves.toBe(false);
    // No keyboard, no keyboard shortcut hint.
    await expect(echo.locator('.fd-hint').isVisible()).resolves.toBe(false);

    const targets = await echo.locator('.fd-toolbar button, .fd-toolbar a:not([hidden])').evaluateAll((elements) =>
      elements.map((el) => {
        const rect = el.getBoundingClientRect();
        return { name: el.textContent?.trim(), width: Math.round(rect.width), height: Math.round(rect.height) };
      }),
    );
    expect(targets.map((t) => t.name)).toEqual(expect.arrayContaining(['Run', 'Stop', 'Reset']));
    for (const target of targets) {
      expect(target.height, `${target.name} is ${target.height} px tall`).toBeGreaterThanOrEqual(44);
      expect(target.width, `${target.name} is ${target.width} px wide`).toBeGreaterThanOrEqual(44);
    }

    // Each editor took its textarea's size, wrapped lines and all, at a phone's width: no Run button moved.
    expect(Object.keys(runAtLoad)).toEqual(['first-client', 'first-client-typed', 'first-client-exercise', 'first-client-chat']);
    await editorsArrived(page);
    await expect(runOffsets(page)).resolves.toEqual(runAtLoad);
  }, 240_000);

  it('shows the shortcut hint where there is a keyboard and a mouse (1280 px)', async () => {
    const { page } = await env.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await load(page, `${env.origin}/lessons/first-client/`);
    await expect(page.locator('fd-playground#first-client .fd-hint').isVisible()).resolves.toBe(true);
    const run = await page.locator('fd-playground#first-client').getByRole('button', { name: 'Run' }).boundingBox();
    expect(run?.height).toBeGreaterThanOrEqual(44);
  });

  it('sets code in the site\'s monospace: the textarea, the Output, then the editor that replaces the textarea', async () => {
    const { page } = await env.newPage();
    await load(page, `${env.origin}/lessons/first-client/`);
    const element = page.locator('fd-playground#first-client');
    const font = (locator: Locator): Promise<string> => locator.first().evaluate((el) => getComputedStyle(el).fontFamily);
    const MONO = /^ui-monospace, SFMono-Regular, Menlo, Monaco, Consolas, "Liberation Mono", "Courier New", monospace\b/;
    await expect(font(element.locator('textarea'))).resolves.toMatch(MONO);
    await expect(font(element.getByRole('log', { name: 'Output', exact: true }))).resolves.toMatch(MONO);
    await approach(element);
    // The lines' container, which Monaco sets the font on: its line elements are replaced as it lays them out again.
    await expect.poll(() => font(element.locator('.monaco-editor .view-lines'))).toMatch(MONO);
  });
});
