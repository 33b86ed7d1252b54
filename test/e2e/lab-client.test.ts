import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeBrowser, layoutFor, reload, showLab, useBrowser } from './harness.ts';

/**
 * The learner's own client in a server lab (issue 15): "Your client" opens
 * a second editor; the learner types a client into it, runs it against the
 * echo lab's server (started for it, without the check), and sees its echoed
 * line in the Output, labelled as the client's beside the server's log, and
 * its frames on the live diagram. By keyboard at 1280, by touch at 375 with
 * the geometry of both editors, both Run buttons and the Output.
 */

const LESSON = '/lessons/echo-server/';
const ID = 'lab-echo';
const SOLUTION = readFileSync(new URL('../../labs/echo/solution.lua', import.meta.url), 'utf8');
const MINE = "const socket = new WebSocket(LAB_URL);\nsocket.onopen = () => socket.send('hi from my client');\nsocket.onmessage = (event) => {\nconsole.log('echoed:', event.data);\nsocket.close(1000);\n};\n";
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;
const RUN_MS = 90_000;

describeBrowser('server lab: your own client', () => {
  const env = useBrowser();
  const lab = (page: Page): Locator => page.getByRole('region', { name: 'Server lab: An echo server' });

  /** The echo solution as the learner's saved server code, so the client has something to talk to. */
  async function withSolution(page: Page): Promise<void> {
    await page.addInitScript(([key, code]) => localStorage.setItem(key as string, code as string), [progressKeys.code(ID, 'server'), SOLUTION]);
  }

  it('typed into the second editor and run by keyboard: its echo in the Output, its frames on the diagram, its code kept', { timeout: 300_000 }, async () => {
    const record = await env.newPage();
    const { page } = record;
    await withSolution(page);
    const scope = await showLab(page, `${env.origin}${LESSON}`, lab(page));

    const toggle = scope.getByRole('button', { name: 'Your client', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const box = scope.getByRole('textbox', { name: 'Your client (JavaScript)', exact: true });
    await box.waitFor({ timeout: 120_000 });
    expect(await scope.locator('.monaco-editor').count()).toBe(2);
    await box.focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(MINE);
    const squeeze = (code: string | null): string => (code ?? '').replace(/\s+/g, ' ').trim();
    await expect.poll(async () => squeeze(await page.evaluate((key) => localStorage.getItem(key), progressKeys.code(ID, 'client.js'))), { timeout: 30_000 }).toBe(squeeze(MINE));

    // Ctrl+Enter in the client's editor runs the client (the server is started for it).
    await page.keyboard.press('ControlOrMeta+Enter');
    const output = scope.getByRole('log', { name: "Output: your server's log and your client's lines" });
    await output.getByText('[your client] echoed: hi from my client', { exact: true }).waitFor({ timeout: RUN_MS });
    await output.getByText(/^\[your client\] connecting to your server \(LAB_URL = ws:\/\/127\.0\.0\.1:\d+\/labs\/[a-f0-9]{16}\)\.$/).waitFor();
    await output.getByText('[your client] finished: every socket closed and nothing left to run.', { exact: true }).waitFor({ timeout: RUN_MS });
    // Started for the client alone: no check ran, so no verdict.
    expect(await scope.locator('[data-verdict]').isHidden()).toBe(true);
    await expect.poll(() => scope.getByText(/^Engine: /).innerText()).toBe('Engine: Lua 5.4, embedded');

    const frames = page.locator(`#${ID}-diagram`).getByRole('list', { name: 'Frames' });
    await frames.getByText('you → server: text "hi from my client"').first().waitFor({ timeout: 30_000 });
    await frames.getByText('server → you: text "hi from my client"').first().waitFor({ timeout: 30_000 });
    const rows = async (): Promise<string> => (await frames.getByRole('listitem').allTextContents()).join('\n');
    await expect.poll(rows, { timeout: 30_000 }).toMatch(/you → server: close 1000/);

    // Run your client again, now by its button: the server already runs this code, so it is reused.
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/labs') posts.push(request.url());
    });
    await scope.getByRole('button', { name: 'Run your client', exact: true }).focus();
    await page.keyboard.press('Enter');
    await output.getByText('[your client] finished: every socket closed and nothing left to run.', { exact: true }).waitFor({ timeout: RUN_MS });
    expect(posts).toEqual([]);
    await scope.screenshot({ path: `${shots}server-lab-client-1280.png` });
    await page.locator(`#${ID}-diagram`).screenshot({ path: `${shots}server-lab-client-diagram.png` });

    // The typed client is kept: a reload shows it (and opens the section, since it is the learner's own).
    await reload(page);
    await lab(page).scrollIntoViewIfNeeded();
    expect(await lab(page).getByRole('button', { name: 'Your client', exact: true }).getAttribute('aria-expanded')).toBe('true');
    const shown = async (): Promise<string> => ((await lab(page).locator('[data-client] .view-lines').textContent().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
    await expect.poll(shown, { timeout: 120_000 }).toContain("socket.send('hi from my client')");
    expect(record.consoleErrors).toEqual([]);
  });

  it.each([375, 1280])('at %i px: both editors, both Run buttons and the Output are within the lab, 44 px targets; a tap runs the client', { timeout: 300_000 }, async (width) => {
    const phone = width < 800;
    const { page } = await env.newPage({ context: layoutFor(width) });
    await withSolution(page);
    const scope = await showLab(page, `${env.origin}${LESSON}`, lab(page));
    const toggle = scope.getByRole('button', { name: 'Your client', exact: true });
    if (phone) await toggle.tap();
    else await toggle.click();
    await scope.locator('.monaco-editor').nth(1).waitFor({ timeout: 120_000 });
    const outer = await scope.boundingBox();
    expect(outer).not.toBeNull();
    if (!outer) return;
    const within = async (part: Locator, name: string, target: boolean): Promise<void> => {
      await part.scrollIntoViewIfNeeded();
      const box = await part.boundingBox();
      expect(box, name).not.toBeNull();
      if (!box) return;
      const lab = await scope.boundingBox();
      if (!lab) return;
      expect(box.x, `${name} left`).toBeGreaterThanOrEqual(lab.x);
      expect(box.x + box.width, `${name} right`).toBeLessThanOrEqual(lab.x + lab.width);
      expect(box.width, `${name} width`).toBeGreaterThan(target ? 43 : 200);
      if (target) expect(box.height, `${name} height`).toBeGreaterThanOrEqual(44);
      else expect(box.height, `${name} height`).toBeGreaterThan(60);
    };
    await within(scope.locator('.monaco-editor').nth(0), 'server editor', false);
    await within(scope.locator('.monaco-editor').nth(1), 'client editor', false);
    for (const name of ['Run', 'Stop', 'Your client', 'Run your client', 'Reset client']) await within(scope.getByRole('button', { name, exact: true }), name, true);
    await within(scope.getByRole('log'), 'Output', false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);

    const run = scope.getByRole('button', { name: 'Run your client', exact: true });
    if (phone) await run.tap();
    else await run.click();
    const output = scope.getByRole('log');
    await output.getByText('[your client] echoed: hello', { exact: true }).waitFor({ timeout: RUN_MS });
    await output.getByText('[your client] echoed: 3 bytes (binary)', { exact: true }).waitFor({ timeout: RUN_MS });
    await scope.locator('[data-client]').screenshot({ path: `${shots}server-lab-client-section-${width}.png` });
    await output.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}server-lab-client-output-${width}.png` });
  });
});
