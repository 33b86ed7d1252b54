import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { LAB_LANGUAGE_KEY } from '../../src/runtime/lab/store.ts';
import { describeBrowser, expectTargetWithin, layoutFor, load, showLab, useBrowser } from './harness.ts';

/**
 * The chat lab in TypeScript: the learner switches the lab to TypeScript,
 * types the broadcast-to-others line into Monaco, runs it on the companion's
 * Node engine and the check passes; the choice holds on another lab's page.
 * Then the language switch's geometry at 1280 and at 375 with touch.
 */

const LESSON = '/lessons/chat/';
const ID = 'lab-chat';
const STARTER = readFileSync(new URL('../../labs/chat/starter.ts', import.meta.url), 'utf8');
const SOLUTION = readFileSync(new URL('../../labs/chat/solution.ts', import.meta.url), 'utf8');
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;
const CHECK_MS = 90_000;

describeBrowser('server lab in TypeScript', () => {
  const env = useBrowser();
  const lab = (page: Page): Locator => page.getByRole('region', { name: 'Server lab: A chat room' });

  async function press(button: Locator): Promise<void> {
    await button.focus();
    await button.page().keyboard.press('Enter');
  }

  it('switch to TypeScript, type the line that relays to the others, Run: the check passes', { timeout: 300_000 }, async () => {
    const record = await env.newPage();
    const { page } = record;
    const scope = await showLab(page, `${env.origin}${LESSON}`, lab(page));
    const switcher = scope.getByRole('group', { name: 'Server language' });
    const ts = switcher.getByRole('button', { name: 'TypeScript (Node, ws)' });
    expect(await ts.getAttribute('aria-pressed')).toBe('false');
    await press(ts);
    expect(await ts.getAttribute('aria-pressed')).toBe('true');
    expect(await switcher.getByRole('button', { name: 'Lua (OpenResty)' }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate((key) => localStorage.getItem(key), LAB_LANGUAGE_KEY)).toBe('ts');
    // The Node pitfall note and the TypeScript hints replace Lua's.
    await scope.getByText(/one 'close' event covers a close frame and a dropped connection/).waitFor();

    // Monaco now edits TypeScript: the starter's text, in a TypeScript model.
    const box = scope.getByRole('textbox', { name: 'Your server (TypeScript)', exact: true });
    await box.waitFor({ timeout: 120_000 });
    const lines = STARTER.split('\n');
    const target = lines.findIndex((line) => line.includes("send(socket, { type: 'message'"));
    expect(target).toBeGreaterThan(0);
    const fixed = SOLUTION.split('\n').find((line) => line.includes("toOthers(name, { type: 'message'"))?.trim() ?? '';
    expect(fixed).toMatch(/^toOthers\(name, \{ type: 'message'/);
    // Go to the line (Ctrl+G), select all of it (Ctrl+L: long lines wrap, so Home/End would stop mid-line), type the new one.
    await box.focus();
    await page.keyboard.press('Control+G');
    await page.keyboard.insertText(String(target + 1));
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+L');
    await page.keyboard.insertText(`${fixed}\n`);
    const saved = async (): Promise<string> => (await page.evaluate((key) => localStorage.getItem(key), progressKeys.code(ID, 'server.ts'))) ?? '';
    await expect.poll(async () => (await saved()).split('\n')[target]?.trim(), { timeout: 10_000 }).toBe(fixed);

    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await scope.locator('[data-verdict]').getByText('Check passed: well done!').waitFor({ timeout: CHECK_MS });
    await expect.poll(() => scope.getByText(/^Engine: /).innerText(), { timeout: 10_000 }).toMatch(/^Engine: TypeScript: Node 24\.\d+\.\d+, ws 8\.\d+\.\d+$/);
    const cases = await scope.getByRole('list', { name: 'Check cases' }).getByRole('listitem').allInnerTexts();
    expect(cases.length).toBe(3);
    expect(cases.every((c) => c.startsWith('Passed: '))).toBe(true);
    await scope.screenshot({ path: `${shots}server-lab-ts-passed.png` });
    await press(scope.getByRole('button', { name: 'Stop', exact: true }));
    await scope.getByRole('status').getByText('Stopped: your server and its connections are closed.').waitFor({ timeout: 10_000 });

    // The choice is site-wide: the echo lesson's lab opens in TypeScript too, with its own starter.
    await load(page, `${env.origin}/lessons/echo-server/`);
    const echo = page.getByRole('region', { name: 'Server lab: An echo server' });
    await echo.scrollIntoViewIfNeeded();
    expect(await echo.getByRole('group', { name: 'Server language' }).getByRole('button', { name: 'TypeScript (Node, ws)' }).getAttribute('aria-pressed')).toBe('true');
    await echo.getByRole('textbox', { name: 'Your server (TypeScript)', exact: true }).waitFor({ timeout: 120_000 });
    await expect.poll(() => echo.locator('.monaco-editor .view-lines').first().innerText(), { timeout: 60_000 }).toContain('WebSocketServer');
    // With the failed requests, whose URLs say which one a console's "Failed to load resource" was.
    expect({ console: record.consoleErrors, failed: record.failedRequests }).toEqual({ console: [], failed: [] });
  });

  it('switching one lab on a page switches the others there at once; a running one keeps its language', { timeout: 300_000 }, async () => {
    const { page } = await env.newPage();
    await load(page, `${env.origin}/lessons/security/`);
    const origin = page.getByRole('region', { name: 'Server lab: Refuse a foreign Origin' });
    const payload = page.getByRole('region', { name: 'Server lab: A payload limit: close with 1009' });
    const pressed = (scope: Locator, name: string): Promise<string | null> =>
      scope.getByRole('group', { name: 'Server language' }).getByRole('button', { name }).getAttribute('aria-pressed');
    await origin.scrollIntoViewIfNeeded();
    await press(origin.getByRole('button', { name: 'TypeScript (Node, ws)' }));
    await expect.poll(() => pressed(payload, 'TypeScript (Node, ws)')).toBe('true');
    await payload.scrollIntoViewIfNeeded();
    await payload.getByRole('textbox', { name: 'Your server (TypeScript)', exact: true }).waitFor({ timeout: 120_000 });
    // A lab whose server runs is the learner's to stop: it stays as it is.
    await press(payload.getByRole('button', { name: 'Run', exact: true }));
    await payload.locator('[data-verdict]').getByText('Check failed:').waitFor({ timeout: CHECK_MS });
    await origin.scrollIntoViewIfNeeded();
    await press(origin.getByRole('button', { name: 'Lua (OpenResty)' }));
    expect(await pressed(origin, 'Lua (OpenResty)')).toBe('true');
    expect(await pressed(payload, 'TypeScript (Node, ws)')).toBe('true');
  });

  it('a server that crashes during the check: the status says it stopped by itself, not that it runs', { timeout: 300_000 }, async () => {
    const crashing = [
      "import { WebSocketServer } from 'ws';",
      'const wss = new WebSocketServer({ port: Number(process.env.PORT) });',
      "wss.on('connection', (socket) => {",
      "  socket.on('message', () => {",
      "    throw new Error('boom');",
      '  });',
      '});',
      '',
    ].join('\n');
    const record = await env.newPage();
    const { page } = record;
    await page.addInitScript(
      ([languageKey, codeKey, code]) => {
        localStorage.setItem(languageKey, 'ts');
        localStorage.setItem(codeKey, code);
      },
      [LAB_LANGUAGE_KEY, progressKeys.code('lab-echo', 'server.ts'), crashing] as const,
    );
    const echo = page.getByRole('region', { name: 'Server lab: An echo server' });
    const scope = await showLab(page, `${env.origin}/lessons/echo-server/`, echo);
    await scope.getByRole('textbox', { name: 'Your server (TypeScript)', exact: true }).waitFor({ timeout: 120_000 });
    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await scope.locator('[data-verdict]').getByText('Check failed:').waitFor({ timeout: CHECK_MS });
    await scope.getByRole('log', { name: "Output: your server's log" }).getByText(/\[error\] line 5: Error: boom — /).waitFor({ timeout: 10_000 });
    await expect
      .poll(() => scope.locator('[data-status]').innerText(), { timeout: 10_000 })
      .toBe('Your server has stopped by itself: the Output says why. Fix it, then press Run again.');
  });

  it.each([375, 1280])('at %i px: the language switch is reachable and each button is a 44 px target', { timeout: 300_000 }, async (width) => {
    const phone = width < 800;
    const { page } = await env.newPage({ context: layoutFor(width) });
    const scope = await showLab(page, `${env.origin}${LESSON}`, lab(page));
    const outer = await scope.boundingBox();
    expect(outer).not.toBeNull();
    if (!outer) return;
    for (const name of ['Lua (OpenResty)', 'TypeScript (Node, ws)']) {
      const button = scope.getByRole('group', { name: 'Server language' }).getByRole('button', { name });
      expectTargetWithin(name, await button.boundingBox(), outer);
    }
    const ts = scope.getByRole('button', { name: 'TypeScript (Node, ws)' });
    if (phone) await ts.tap();
    else await ts.click();
    expect(await ts.getAttribute('aria-pressed')).toBe('true');
    await scope.getByRole('textbox', { name: 'Your server (TypeScript)', exact: true }).waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await scope.screenshot({ path: `${shots}server-lab-ts-${width}.png` });
  });
});
