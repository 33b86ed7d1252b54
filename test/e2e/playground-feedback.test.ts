import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { COMPANION_DOWN_TEXT, PREPARING_TS_TEXT, STILL_RUNNING_TEXT } from '../../src/components/playground/texts.ts';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * What the learner is told: an error first, what is missing as a list, a run
 * that does not end, the TypeScript preparation, and a companion server that
 * stops while the page is open (the last test stops this file's server).
 */

const LESSON = '/lessons/first-client/';

async function lines(log: Locator): Promise<string[]> {
  return log.locator('.fd-line').allTextContents();
}

async function waitForLine(log: Locator, text: string, timeout = 60_000): Promise<void> {
  try {
    await log.getByText(text, { exact: true }).first().waitFor({ timeout });
  } catch (error) {
    throw new Error(`"${text}" did not appear; the Output shows:\n${(await lines(log)).join('\n')}`, { cause: error });
  }
}

describeBrowser('playground feedback', () => {
  const env = useBrowser();

  async function open(code: Record<string, string> = {}): Promise<Page> {
    const { page } = await env.newPage();
    await page.addInitScript((entries) => {
      for (const [key, value] of entries) localStorage.setItem(key, value);
    }, Object.entries(code));
    await load(page, `${env.origin}${LESSON}`);
    return page;
  }

  it('says the starter is still running and how to finish, then lists what is missing', async () => {
    const page = await open();
    const exercise = page.locator('fd-playground#first-client-exercise');
    await exercise.scrollIntoViewIfNeeded();
    await exercise.getByRole('button', { name: 'Run' }).click();
    const log = exercise.getByRole('log', { name: 'Output', exact: true });
    await waitForLine(log, STILL_RUNNING_TEXT);
    const status = exercise.locator('[data-check-status]');
    await expect(status.innerText()).resolves.toBe('Still running. Press Stop to end the run and check it.');
    await exercise.getByRole('button', { name: 'Stop' }).click();
    await status.getByText('Not yet. Still missing:').waitFor();
    await expect(status.getByRole('listitem').allTextContents()).resolves.toEqual([
      'Send a text message once the connection is open.',
      'Receive your own message back from the echo server.',
      'Print the echoed text with console.log.',
      'Close the connection yourself with code 1000 after the echo arrives.',
    ]);
  }, 240_000);

  it('puts "fix line N" first, alone, when the code throws', async () => {
    const page = await open({
      [progressKeys.code('first-client-exercise', 'shared')]: "// my try\nconst ws = new WebSocket('ws://localhost:8080');\nws.sendd('hi');\n",
    });
    const exercise = page.locator('fd-playground#first-client-exercise');
    await exercise.scrollIntoViewIfNeeded();
    await exercise.getByRole('button', { name: 'Run' }).click();
    const log = exercise.getByRole('log', { name: 'Output', exact: true });
    await waitForLine(log, 'Uncaught error (line 3, column 4): TypeError: ws.sendd is not a function');
    await exercise.getByRole('button', { name: 'Stop' }).click();
    const status = exercise.locator('[data-check-status]');
    await status.getByText('Not yet: your code stopped with an error.', { exact: false }).waitFor();
    await expect(status.innerText()).resolves.toBe('Not yet: your code stopped with an error. Fix line 3 first: TypeError: ws.sendd is not a function');
    await expect(status.getByRole('listitem').count()).resolves.toBe(0);
  }, 240_000);

  it('says at once that TypeScript is being prepared', async () => {
    const page = await open();
    const typed = page.locator('fd-playground#first-client-typed');
    await typed.scrollIntoViewIfNeeded();
    await typed.getByRole('button', { name: 'Run' }).click();
    const log = typed.getByRole('log', { name: 'Output', exact: true });
    await waitForLine(log, PREPARING_TS_TEXT);
    // The compiler starts from nothing here, which on a busy machine takes long.
    await waitForLine(log, 'Closed with code 1000', 180_000);
    expect((await lines(log))[0]).toBe(PREPARING_TS_TEXT);
  }, 300_000);

  // Last: it stops this file's server.
  it('says within seconds that the companion stopped, and Run says how to start it', async () => {
    const page = await open();
    const echo = page.locator('fd-playground#first-client');
    await echo.scrollIntoViewIfNeeded();
    const badge = echo.locator('[data-server]');
    await echo.getByText('Server: connected', { exact: true }).waitFor();
    await env.server.close();
    // No Run, no reload: the badge finds out by itself (the page asks /health every few seconds).
    await echo.getByText('Server: not running', { exact: true }).waitFor({ timeout: 20_000 });
    await expect(badge.innerText()).resolves.toBe('Server: not running');
    await expect(echo.locator('[data-server-help]').isVisible()).resolves.toBe(true);
    await echo.getByRole('button', { name: 'Run' }).click();
    const log = echo.getByRole('log', { name: 'Output', exact: true });
    await waitForLine(log, COMPANION_DOWN_TEXT);
    expect(COMPANION_DOWN_TEXT).toBe('The companion server is not running — start it with `npm start` in the course folder, then press Run again.');
    await page.waitForTimeout(500);
    const shown = await lines(log);
    expect(shown).toEqual([COMPANION_DOWN_TEXT]);
    expect(shown.join('\n')).not.toContain('sandbox');
  }, 240_000);
});
