import { readFileSync } from 'node:fs';
import type { Locator, Page, Route } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { PROGRESS_STORAGE_KEY } from '../../src/runtime/progress/store.ts';
import { loadLabs } from '../../server/labs/catalog.ts';
import { describeBrowser, expectTargetWithin, labsAlive, layoutFor, load, showLab, startedLabs, useBrowser } from './harness.ts';

/**
 * The echo server lab in Chromium, by role and keyboard: the unchanged
 * starter fails its check with a named failure, a syntax error names its line,
 * the learner types the fix into Monaco and the check passes, the live
 * diagram draws the check's frames, Stop ends the lab server; then the
 * block's geometry at 375×812 with touch and at 1280.
 */

const LESSON = '/lessons/echo-server/';
const ID = 'lab-echo';
const SOLUTION = readFileSync(new URL('../../labs/echo/solution.lua', import.meta.url), 'utf8');
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;
const HEARTBEAT_NOTE = loadLabs().get('heartbeat')?.notes.lua ?? '';
const CHECK_MS = 60_000;

describeBrowser('server lab', () => {
  const env = useBrowser();

  const lab = (page: Page): Locator => page.getByRole('region', { name: 'Server lab: An echo server' });

  it("a lab's Lua note is in the built page: without JavaScript the heartbeat lab shows it, and the echo lab, which has none, shows no note", async () => {
    // Lua is the language a lab starts in: a note the element added would push the editor and Run down as the page starts.
    const { page } = await env.newPage({ context: { javaScriptEnabled: false } });
    await page.goto(`${env.origin}/lessons/connection-health/`);
    const note = page.getByRole('region', { name: 'Server lab: A heartbeat' }).locator('[data-pitfall]');
    expect(await note.isVisible()).toBe(true);
    expect(HEARTBEAT_NOTE).toContain('lua_socket_log_errors');
    expect(await note.innerText()).toBe(HEARTBEAT_NOTE.replaceAll('`', ''));
    expect(await note.locator('code').allInnerTexts()).toEqual(['[error] lua tcp socket read timed out', 'lua_socket_log_errors']);
    await page.goto(`${env.origin}${LESSON}`);
    expect(await lab(page).locator('[data-pitfall]').isHidden()).toBe(true);
  });

  async function press(button: Locator): Promise<void> {
    await button.focus();
    await button.page().keyboard.press('Enter');
  }

  async function editor(scope: Locator): Promise<Locator> {
    await scope.scrollIntoViewIfNeeded();
    await scope.locator('.monaco-editor').first().waitFor({ timeout: 30_000 });
    const box = scope.getByRole('textbox', { name: 'Your server (Lua)', exact: true });
    await box.focus();
    return box;
  }

  // Four Runs, two of them whole checks, and the solution typed: past the default minute on a loaded machine (a bound).
  it('the starter fails with a named failure; the typed fix passes, the diagram draws its frames, Stop ends it', { timeout: 180_000 }, async () => {
    const record = await env.newPage();
    const { page } = record;
    const started = startedLabs(page);
    await load(page, `${env.origin}${LESSON}`);
    const scope = lab(page);
    await editor(scope);
    const verdict = scope.locator('[data-verdict]');

    // Everything the status line says, as it says it: while the check runs, which case runs.
    const said = await scope.locator('[data-status]').evaluateHandle((status) => {
      const lines: string[] = [];
      new MutationObserver(() => {
        if (status.textContent && lines.at(-1) !== status.textContent) lines.push(status.textContent);
      }).observe(status, { childList: true, characterData: true, subtree: true });
      return lines;
    });

    // The unchanged starter: its first case fails at alice's expected echo.
    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await verdict.getByText('Check failed:').waitFor({ timeout: CHECK_MS });
    const checking = (await said.jsonValue()).filter((line) => line.startsWith('Checking case'));
    expect(checking.map((line) => /^Checking case (\d) of 5: /.exec(line)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    expect(checking[0]).toBe('Checking case 1 of 5: a text message comes back, and the close is answered…');
    expect(checking[1]).toBe('Checking case 2 of 5: a binary message comes back as binary… So far 0 passed, 1 failed.');
    // The heading counts the failed cases in so many words: a bare "1 of 5 cases" could be read as 1 passed.
    const failedCount = (await scope.getByRole('list', { name: 'Check cases' }).getByRole('listitem').allInnerTexts()).filter((c) => c.startsWith('Failed: ')).length;
    expect(failedCount).toBeGreaterThan(0);
    expect(await verdict.getByText('Check failed:').innerText()).toBe(`Check failed: ${failedCount} of 5 cases failed.`);
    const first = await scope.getByRole('list', { name: 'Check cases' }).getByRole('listitem').first().innerText();
    // Step 3 is an expectation: said once, not as "step 3 (expect text …): expected text …".
    expect(first).toMatch(/^Failed: a text message comes back, and the close is answered\. alice, step 3: expected text "hello" within \d+ ms; arrived: .+\.$/);
    await expect.poll(() => scope.getByText(/^Engine: /).innerText()).toBe('Engine: Lua 5.4, embedded');
    // The starter logs what it receives: the Output shows the server's line, labelled.
    await scope.getByRole('log', { name: "Output: your server's log" }).getByText(/\[info\] line \d+: received: hello/).waitFor({ timeout: 10_000 });

    // A syntax error names the line, in the status and in Monaco.
    await editor(scope);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('local x =\n');
    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await scope.getByRole('status').getByText(/fix line \d+: /).waitFor({ timeout: CHECK_MS });
    await scope.locator('.squiggly-error').first().waitFor({ timeout: 10_000 });
    // An error far below what the editor shows: it scrolls there, not only a tick in its scrollbar.
    await editor(scope);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`${'-- a comment\n'.repeat(60)}local x =\n`);
    await page.keyboard.press('ControlOrMeta+Home');
    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await scope.getByRole('status').getByText(/fix line 6\d: /).waitFor({ timeout: CHECK_MS });
    const squiggle = scope.locator('.squiggly-error').first();
    await squiggle.waitFor({ timeout: 10_000 });
    const [mark, view] = await Promise.all([squiggle.boundingBox(), scope.locator('.monaco-editor').first().boundingBox()]);
    if (!mark || !view) throw new Error('the editor or its error mark is not rendered');
    expect(mark.y >= view.y && mark.y + mark.height <= view.y + view.height).toBe(true);

    // The learner types the solution.
    await editor(scope);
    await page.keyboard.press('ControlOrMeta+A');
    // Typed as a person would, without indentation: Monaco indents each new line itself.
    await page.keyboard.insertText(SOLUTION.split('\n').map((line) => line.trimStart()).join('\n'));
    const squeeze = (code: string | null): string => (code ?? '').replace(/\s+/g, ' ').trim();
    await expect.poll(async () => squeeze(await page.evaluate((key) => localStorage.getItem(key), progressKeys.code(ID, 'server'))), { timeout: 30_000 }).toBe(squeeze(SOLUTION));
    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await verdict.getByText('Check passed: well done!').waitFor({ timeout: CHECK_MS });
    const cases = await scope.getByRole('list', { name: 'Check cases' }).getByRole('listitem').allInnerTexts();
    expect(cases.length).toBe(5);
    expect(cases.every((c) => c.startsWith('Passed: '))).toBe(true);
    // The pass is in the course progress, like a passed exercise: the lesson's checklist counts it.
    const progress = await page.evaluate((key) => localStorage.getItem(key), PROGRESS_STORAGE_KEY);
    const lessons = (JSON.parse(progress ?? '{}') as { lessons?: Record<string, { passed: string[] }> }).lessons ?? {};
    expect(lessons['lessons/echo-server']?.passed).toContain(ID);

    // The live diagram drew the check's clients talking to the learner's server.
    const frames = page.locator(`#${ID}-diagram`).getByRole('list', { name: 'Frames' });
    await frames.getByText('alice → server: text "hello"').first().waitFor({ timeout: 15_000 });
    await frames.getByText('server → alice: text "hello"').first().waitFor({ timeout: 15_000 });
    await scope.screenshot({ path: `${shots}server-lab-passed.png` });
    await page.locator(`#${ID}-diagram`).screenshot({ path: `${shots}server-lab-diagram.png` });

    // Stop, with a log poll under way: the companion gets that poll before the DELETE, so it answers
    // 200, not the 404 of a lab that is gone (which Chromium would print in the console).
    let held: Route | null = null;
    const answered: string[] = [];
    await page.route(/\/api\/labs\/[0-9a-f]{16}\/log/, async (route) => {
      if (held === null) held = route;
      else await route.continue();
    });
    page.on('response', (response) => {
      if (/\/api\/labs\/[0-9a-f]{16}(\/log)?(\?|$)/.test(response.url())) answered.push(`${response.request().method()} ${response.status()}`);
    });
    await expect.poll(() => held !== null, { timeout: 10_000 }).toBe(true);
    await press(scope.getByRole('button', { name: 'Stop', exact: true }));
    // Until the companion has closed the server, the status does not say it has.
    await scope.getByRole('status').getByText('Stopping your server…').waitFor({ timeout: 10_000 });
    expect(answered).not.toContain('DELETE 204');
    await (held as Route | null)?.continue();
    await scope.getByRole('status').getByText('Stopped: your server and its connections are closed.').waitFor({ timeout: 10_000 });
    // Stop ends the lab server: the API no longer knows it.
    expect(answered).toContain('DELETE 204');
    // Polls that went out before Stop answered too, each before the DELETE.
    expect({ last: answered.at(-1), before: [...new Set(answered.slice(0, -1))] }).toEqual({ last: 'DELETE 204', before: ['GET 200'] });
    const last = started.at(-1);
    expect(last).toMatch(/^[a-f0-9]{16}$/);
    await expect.poll(async () => (await fetch(`${env.origin}/api/labs/${last}/log`)).status).toBe(404);
    // Chromium logs every 4xx answer; the only ones are the two syntax errors' 400s, which the page handled.
    expect(record.consoleErrors).toEqual(Array(2).fill('Failed to load resource: the server responded with a status of 400 (Bad Request)'));
  });

  it('Ctrl+Enter again while the running server is being deleted, and again: one lab server is left', { timeout: 120_000 }, async () => {
    const record = await env.newPage();
    const { page } = record;
    await page.addInitScript(([key, code]) => localStorage.setItem(key, code), [progressKeys.code(ID, 'server'), SOLUTION] as const);
    const started = startedLabs(page);
    await load(page, `${env.origin}${LESSON}`);
    const scope = lab(page);
    await editor(scope);
    const passed = scope.locator('[data-verdict]').getByText('Check passed: well done!');
    await page.keyboard.press('ControlOrMeta+Enter');
    await passed.waitFor({ timeout: CHECK_MS });
    // The next Run's DELETE of that server is held until one more press has started a server of its own.
    let held: Route | null = null;
    await page.route(/\/api\/labs\/[0-9a-f]{16}$/, async (route) => {
      if (route.request().method() === 'DELETE' && held === null) held = route;
      else await route.continue();
    });
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => held !== null).toBe(true);
    await page.keyboard.press('ControlOrMeta+Enter');
    // A lab server's start is a child process or a Lua VM: bounded as the check is, for a busy machine.
    await expect.poll(() => started.length, { timeout: CHECK_MS }).toBe(2);
    await (held as Route | null)?.continue();
    await expect.poll(() => started.length, { timeout: CHECK_MS }).toBe(3);
    await passed.waitFor({ timeout: CHECK_MS });
    const alive = (): Promise<string[]> => labsAlive(env.origin, started);
    await expect.poll(alive).toEqual([started[2]]);
    await press(scope.getByRole('button', { name: 'Stop', exact: true }));
    await scope.getByRole('status').getByText('Stopped: your server and its connections are closed.').waitFor({ timeout: 10_000 });
    expect(await alive()).toEqual([]);
    expect({ console: record.consoleErrors, failed: record.failedRequests }).toEqual({ console: [], failed: [] });
  });

  it('the check\'s answer, read as the page reads it, to its end: never reported aborted in the network log', { timeout: 120_000 }, async () => {
    // Chromium reported about one in four such reads net::ERR_ABORTED while the companion sent the
    // answer with Cache-Control: no-store (7 of 30 here); 24 reads all finished by luck 2 times in 1,000.
    const READS = 24;
    const record = await env.newPage();
    const { page } = record;
    const finished: string[] = [];
    page.on('requestfinished', (request) => {
      if (request.url().endsWith('/check')) finished.push(request.url());
    });
    await load(page, `${env.origin}${LESSON}`);
    const lines = await page.evaluate(
      async ({ code, reads }) => {
        const started = await fetch('/api/labs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'lua', code, lab: 'echo' }) });
        const { id } = (await started.json()) as { id: string };
        const counts: number[] = [];
        for (let i = 0; i < reads; i++) {
          const answer = await fetch(`/api/labs/${id}/check`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' }, body: '{}' });
          // As LabStore reads it: decoded as it streams, to the end.
          if (answer.body === null) throw new Error(`the check answered ${answer.status} with no body`);
          const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
          let text = '';
          for (let part = await reader.read(); !part.done; part = await reader.read()) text += part.value;
          counts.push(text.trim().split('\n').length);
        }
        await fetch(`/api/labs/${id}`, { method: 'DELETE' });
        return counts;
      },
      { code: SOLUTION, reads: READS },
    );
    // Five cases, a line as each starts and one as it ends, then the verdict.
    expect(lines).toEqual(Array.from({ length: READS }, () => 11));
    // Each read ends in the network log as finished or failed; then none may have failed.
    await expect.poll(() => finished.length + record.failedRequests.filter((r) => r.includes('/check ')).length).toBe(READS);
    expect({ console: record.consoleErrors, failed: record.failedRequests }).toEqual({ console: [], failed: [] });
  });

  it('the Output keeps showing new lines once the server\'s log is full, each once, and counts the lines it skipped', async () => {
    const { page, consoleErrors } = await env.newPage();
    // The companion's log of a server that printed 2,500 lines: the newest 2,000 held, each numbered (seq), answered after a number.
    let total = 2500;
    const asked: string[] = [];
    await page.route(/\/api\/labs\/[0-9a-f]{16}\/log/, (route) => {
      const url = new URL(route.request().url());
      asked.push(url.search);
      const after = Number(url.searchParams.get('after') ?? 0);
      let body = '';
      for (let seq = Math.max(after + 1, total - 1999); seq <= total; seq++) body += `${JSON.stringify({ time: 1_000_000 + seq, level: 'stdout', text: `line ${seq}`, line: 4, seq })}\n`;
      return route.fulfill({ status: 200, contentType: 'application/x-ndjson', body });
    });
    await load(page, `${env.origin}${LESSON}`);
    const scope = lab(page);
    await editor(scope);
    await press(scope.getByRole('button', { name: 'Run', exact: true }));
    await scope.locator('[data-verdict]').getByText('Check failed:').waitFor({ timeout: CHECK_MS });
    const output = scope.getByRole('log', { name: "Output: your server's log" });
    const lines = async (): Promise<string[]> => (await output.innerText()).split('\n');
    // 500 lines went before the page asked, 1,001 more than the Output keeps came at once: one line counts them.
    await expect.poll(async () => (await lines())[0], { timeout: 10_000 }).toBe('… 1,501 lines skipped: your server logged faster than the Output can show.');
    expect((await lines()).slice(1)).toEqual(Array.from({ length: 999 }, (_, i) => `[stdout] line 4: line ${1502 + i}`));
    // The log is full; the server goes on: every new line appears, once.
    total = 2503;
    await expect.poll(async () => (await lines()).at(-1), { timeout: 10_000 }).toBe('[stdout] line 4: line 2503');
    expect(await lines()).toEqual(Array.from({ length: 1000 }, (_, i) => `[stdout] line 4: line ${1504 + i}`));
    expect(asked[0]).toBe('?after=0');
    await expect.poll(() => asked.at(-1), { timeout: 10_000 }).toBe('?after=2503');
    await press(scope.getByRole('button', { name: 'Stop', exact: true }));
    expect(consoleErrors).toEqual([]);
  });

  it.each([375, 1280])('at %i px: every button is a 44 px target and nothing is cut off', async (width) => {
    const { page } = await env.newPage({ context: layoutFor(width) });
    const scope = await showLab(page, `${env.origin}${LESSON}`, lab(page), 30_000);
    const outer = await scope.boundingBox();
    expect(outer).not.toBeNull();
    if (!outer) return;
    expect(outer.x).toBeGreaterThanOrEqual(0);
    expect(outer.x + outer.width).toBeLessThanOrEqual(width);
    for (const name of ['Run', 'Stop', 'Reset', 'Solution', 'Hint (0 of 3)']) {
      expectTargetWithin(name, await scope.getByRole('button', { name, exact: true }).boundingBox(), outer);
    }
    for (const part of [scope.locator('.monaco-editor').first(), scope.getByRole('log')]) {
      const box = await part.boundingBox();
      expect(box).not.toBeNull();
      if (!box) continue;
      expect(box.x).toBeGreaterThanOrEqual(outer.x);
      expect(box.x + box.width).toBeLessThanOrEqual(outer.x + outer.width);
    }
    // Nothing on the page scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await press(scope.getByRole('button', { name: 'Hint (0 of 3)', exact: true }));
    await scope.getByRole('list', { name: 'Hints' }).getByRole('listitem').first().waitFor();
    await scope.screenshot({ path: `${shots}server-lab-${width}.png` });
  });
});
