import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { axeViolations, describeBrowser, load, reload, useBrowser, type PageRecord } from './harness.ts';
import { MONACO_REQUEST, PAGE_WEIGHT } from '../../tools/budgets.ts';

/**
 * Playgrounds in Chromium, driven by role and keyboard: running the lesson's
 * starter against the server, Stop ending an endless loop, error lines,
 * several clients talking, TypeScript, persistence, Solution and Reset, the
 * server badge, the theme, and the JavaScript budget before any interaction.
 */

const LESSON = '/lessons/first-client/';
const JS_BUDGET_BYTES = PAGE_WEIGHT.jsGzipBytes;
const MONACO = MONACO_REQUEST;

describeBrowser('playgrounds', () => {
  const env = useBrowser();

  async function open(code: Record<string, string> = {}): Promise<PageRecord> {
    const record = await env.newPage();
    if (Object.keys(code).length > 0) {
      await record.page.addInitScript((entries) => {
        for (const [key, value] of entries) localStorage.setItem(key, value);
      }, Object.entries(code));
    }
    await load(record.page, `${env.origin}${LESSON}`);
    return record;
  }

  const region = (page: Page, title: string, lang = 'JavaScript'): Locator => page.getByRole('region', { name: `${title} (${lang})` });
  const output = (scope: Locator, name = 'Output'): Locator => scope.getByRole('log', { name, exact: true });
  async function waitForLine(log: Locator, text: string, timeout = 15_000): Promise<void> {
    try {
      await log.getByText(text).first().waitFor({ timeout });
    } catch (error) {
      const lines = await log.locator('.fd-line').allTextContents().catch(() => []);
      throw new Error(`"${text}" did not appear in ${String(log)}; it shows:\n${lines.join('\n')}`, { cause: error });
    }
  }
  /** Waits until the editor shows `text`; Monaco renders on the next frame, spaces as no-break spaces. */
  async function showsCode(scope: Locator, text: string): Promise<void> {
    const lines = scope.locator('.view-lines').first();
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await lines.innerText()).replace(/\u00a0/g, ' ').includes(text)) return;
      await scope.page().waitForTimeout(100);
    }
    throw new Error(`The editor never showed ${JSON.stringify(text)}; it shows:\n${await lines.innerText()}`);
  }

  /** Focuses a playground's editor (Monaco once loaded) by keyboard-reachable role. */
  async function editor(scope: Locator, name = 'Code'): Promise<Locator> {
    await scope.scrollIntoViewIfNeeded();
    await scope.locator('.monaco-editor').first().waitFor({ timeout: 30_000 });
    const box = scope.getByRole('textbox', { name, exact: true });
    await box.focus();
    return box;
  }

  async function press(button: Locator): Promise<void> {
    await button.focus();
    await button.page().keyboard.press('Enter');
  }

  /**
   * Presses Stop by keyboard and gives the page's own milliseconds from the key to a new "Run stopped."
   * in `log`: what the learner waits, without Playwright's round trips to a busy browser (measured from
   * the test, a loaded run once took over the second).
   */
  async function stopMs(scope: Locator, log: Locator): Promise<number> {
    const stop = scope.getByRole('button', { name: 'Stop' });
    await stop.focus();
    const seen = await log.evaluateHandle((el) => {
      const count = (): number => [...el.querySelectorAll('.fd-line')].filter((line) => line.textContent === 'Run stopped.').length;
      const before = count();
      const times = { pressed: 0, shown: 0 };
      document.addEventListener(
        'keydown',
        (event) => {
          if (event.key === 'Enter' && times.pressed === 0) times.pressed = performance.now();
        },
        { capture: true },
      );
      new MutationObserver(() => {
        if (times.shown === 0 && count() > before) times.shown = performance.now();
      }).observe(el, { childList: true, subtree: true, characterData: true });
      return times;
    });
    await stop.page().keyboard.press('Enter');
    await expect.poll(() => seen.evaluate((times) => times.shown > 0)).toBe(true);
    const { pressed, shown } = await seen.jsonValue();
    expect(pressed).toBeGreaterThan(0);
    return shown - pressed;
  }

  /** `reloaded`: a reload aborts whatever was still loading (Monaco's workers), which is not a failure. */
  function expectClean(record: PageRecord, reloaded = false): void {
    expect(record.foreignRequests).toEqual([]);
    expect(record.failedRequests.filter((r) => !(reloaded && r.endsWith('(net::ERR_ABORTED)')))).toEqual([]);
    expect(record.consoleErrors).toEqual([]);
  }

  it('loads at most 100 KB of JavaScript (gzip) before interaction, and no Monaco until the playground is near', async () => {
    const record = await env.newPage();
    const scripts = new Map<string, number>();
    record.page.on('response', async (response) => {
      if (response.request().resourceType() !== 'script') return;
      const body = await response.body().catch(() => Buffer.alloc(0));
      scripts.set(response.url(), gzipSync(body, { level: 9 }).length);
    });
    await load(record.page, `${env.origin}${LESSON}`);
    const inline = await record.page.evaluate(() =>
      [...document.querySelectorAll('script:not([src])')]
        .filter((s) => !['application/json', 'application/ld+json'].includes(s.getAttribute('type') ?? ''))
        .map((s) => s.textContent ?? '')
        .join('\n'),
    );
    const external = [...scripts.values()].reduce((a, b) => a + b, 0);
    const total = external + gzipSync(Buffer.from(inline), { level: 9 }).length;
    process.stdout.write(`[budget] ${LESSON}: ${scripts.size} script files, ${(total / 1024).toFixed(1)} KB gzip before interaction (budget ${JS_BUDGET_BYTES / 1024} KB)\n`);
    expect(total).toBeLessThanOrEqual(JS_BUDGET_BYTES);
    expect(record.requests.filter((url) => MONACO.test(url))).toEqual([]);
    // The page is usable before Monaco: the starter is in a plain, labelled text box.
    const echo = region(record.page, 'Echo client');
    await expect(echo.getByRole('textbox', { name: 'Code', exact: true }).inputValue()).resolves.toContain("ws.send('Hello, server!')");
    // Approaching the playground is what loads Monaco, so the check above can fail.
    await echo.scrollIntoViewIfNeeded();
    await echo.locator('.monaco-editor').first().waitFor({ timeout: 30_000 });
    expect(record.requests.some((url) => MONACO.test(url))).toBe(true);
    expectClean(record);
  });

  it('never fetches Monaco on a page without playgrounds, even scrolled to the end', async () => {
    const record = await env.newPage();
    // The final quiz: a long page with components of its own, and no playground.
    await load(record.page, `${env.origin}/quiz/`);
    await record.page.keyboard.press('End');
    await record.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await record.page.waitForLoadState('networkidle');
    expect(record.requests.filter((url) => MONACO.test(url) || url.includes('Playground'))).toEqual([]);
  });

  it('runs the starter with Ctrl+Enter and shows the echo of "Hello, server!" in Output', async () => {
    const record = await open();
    const echo = region(record.page, 'Echo client');
    await editor(echo);
    await expect(echo.getByText('Server: connected').count()).resolves.toBe(1);
    await record.page.keyboard.press('Control+Enter');
    const log = output(echo);
    await waitForLine(log, 'Echo: Hello, server!');
    await waitForLine(log, 'Closed: 1000 Done wasClean = true');
    await waitForLine(log, 'Run finished.');
    const lines = await log.locator('.fd-line').allTextContents();
    // The course runs on an ephemeral port here, so the rewrite of ws://localhost:8080 is announced where it happens.
    const port = new URL(env.origin).port;
    expect(lines).toEqual([
      `Note: your code says ws://localhost:8080; this course runs on ws://127.0.0.1:${port}, so the connection goes there. Code you run outside the course connects to the address it says.`,
      'Connected. readyState = 1',
      'Echo: Hello, server!',
      'Closed: 1000 Done wasClean = true',
      'Run finished.',
    ]);
    // The element is the diagram's RecordSource: the run's events, tagged.
    const recorded = await record.page.evaluate(() => {
      const source = document.getElementById('first-client') as unknown as { tag: string; events: { kind: string; url?: string; preview?: string }[] };
      return { tag: source.tag, kinds: source.events.map((e) => e.kind), url: source.events[0]?.url };
    });
    expect(recorded.tag).toMatch(/^first-client-[0-9a-z]+$/);
    expect(recorded.kinds).toEqual(['create', 'open', 'console', 'send', 'message', 'console', 'close', 'console', 'run-end']);
    expect(recorded.url).toBe('ws://localhost:8080');
    expectClean(record);
  });

  it('stops an endless loop with Stop within a second, and the page stays responsive', async () => {
    const record = await open({ [progressKeys.code('first-client', 'shared')]: "console.log('looping');\nwhile (true) {}" });
    const echo = region(record.page, 'Echo client');
    await editor(echo);
    await record.page.keyboard.press('Control+Enter');
    const log = output(echo);
    await waitForLine(log, 'looping');
    expect(await stopMs(echo, log)).toBeLessThan(1_000);
    // Responsive: the page answers, and the same playground runs again.
    await expect(record.page.evaluate(() => document.title)).resolves.toContain('Your first client');
    await press(echo.getByRole('button', { name: 'Run' }));
    await waitForLine(log, 'looping');
    expect(await stopMs(echo, log)).toBeLessThan(1_000);
    expectClean(record);
  });

  it('reports an uncaught error with its line in the learner code and marks it in the editor', async () => {
    const record = await open();
    const echo = region(record.page, 'Echo client');
    await editor(echo);
    await record.page.keyboard.press('ControlOrMeta+A');
    await record.page.keyboard.insertText('const a = 1;\nconst b = 2;\nmissingFunction(a + b);\n');
    await record.page.keyboard.press('Control+Enter');
    await waitForLine(output(echo), 'Uncaught error (line 3, column 1): ReferenceError: missingFunction is not defined');
    await echo.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
    expectClean(record);
  });

  it.each([
    ['a syntax error', 'const ok = 1;\nconst broken = (;\n', "Uncaught error (line 2, column 17): SyntaxError: Unexpected token ';'"],
    ['an unclosed brace', 'if (true) {\n  console.log(1);\n', 'Uncaught error (line 3, column 1): SyntaxError: Unexpected token'],
    ['an error in a later callback', 'setTimeout(() => {\n  null.boom;\n}, 10);', "Uncaught error (line 2, column 8): TypeError: Cannot read properties of null (reading 'boom')"],
    ['a rejected promise', 'async function f() {\n  throw new RangeError("too far");\n}\nf();', 'Uncaught error (line 2, column 9): Uncaught (in promise) RangeError: too far'],
  ])('shows the line of %s', async (_name, code, expected) => {
    const record = await open({ [progressKeys.code('first-client', 'shared')]: code });
    const echo = region(record.page, 'Echo client');
    await press(echo.getByRole('button', { name: 'Run' }));
    await waitForLine(output(echo), expected);
  });

  it('transpiles TypeScript in the browser and maps error lines back to the TypeScript source', async () => {
    const record = await open();
    const typed = region(record.page, 'Echo client, typed', 'TypeScript');
    const log = output(typed);
    await editor(typed);
    await record.page.keyboard.press('Control+Enter');
    // A cold TypeScript worker loads the compiler and the DOM's types first: on a busy machine that takes a while.
    await waitForLine(log, "Ada's greeting came back after", 120_000);
    await waitForLine(log, 'Closed with code 1000');
    expectClean(record);
    // Interfaces disappear in JavaScript, so the line would be off without the source map.
    const broken = await open({
      [progressKeys.code('first-client-typed', 'shared')]: 'interface A {\n  x: number;\n}\ntype B = A;\nconst value: B = { x: 1 };\n(value as any).nope.call();\n',
    });
    const again = region(broken.page, 'Echo client, typed', 'TypeScript');
    await press(again.getByRole('button', { name: 'Run' }));
    await waitForLine(output(again), "(line 6, column 21): TypeError: Cannot read properties of undefined (reading 'call')", 120_000);
  }, 300_000);

  it('reports a TypeScript syntax error found while stripping the types as it reports a JavaScript one, and marks it', async () => {
    const record = await open({ [progressKeys.code('first-client-typed', 'shared')]: 'const ok: number = 1;\nconst broken = (;\n' });
    const typed = region(record.page, 'Echo client, typed', 'TypeScript');
    await editor(typed);
    await press(typed.getByRole('button', { name: 'Run' }));
    await waitForLine(output(typed), 'Uncaught error (line 2, column 17): SyntaxError: Unexpected token', 120_000);
    // The run's own mark, there before the editor's TypeScript worker has checked anything.
    const mark = typed.locator('.monaco-editor .squiggly-error').first();
    await mark.waitFor({ timeout: 15_000 });
    // On the line the learner wrote it: the mark lies within that line's box.
    // (Measured until the editor has settled: it lays its lines out again as the Output grows.)
    const onLine = async (): Promise<boolean> => {
      const markBox = await mark.boundingBox();
      const lineBox = await typed.locator('.view-line', { hasText: 'const broken' }).boundingBox();
      return markBox !== null && lineBox !== null && markBox.y >= lineBox.y && markBox.y < lineBox.y + lineBox.height;
    };
    await expect.poll(onLine, { timeout: 10_000 }).toBe(true);
  }, 300_000);

  it('shows each chat client\'s messages in the other clients\' Output', async () => {
    const record = await open();
    const chat = region(record.page, 'Three chat clients');
    await chat.scrollIntoViewIfNeeded();
    await press(chat.getByRole('button', { name: 'Run' }));
    const names = ['alice', 'bob', 'carol'];
    for (const name of names) {
      const log = output(chat, `Output ${name}`);
      for (const other of names.filter((n) => n !== name)) await waitForLine(log, `${other}: Hi, ${other} here!`);
      await expect(log.getByText(`${name}: Hi, ${name} here!`).count()).resolves.toBe(0);
    }
    const sockets = await record.page.evaluate(() => {
      const source = document.getElementById('first-client-chat') as unknown as { events: { kind: string; client: string }[] };
      return [...new Set(source.events.filter((e) => e.kind === 'open').map((e) => e.client))].sort();
    });
    expect(sockets).toEqual(names);
    expectClean(record);
  });

  it('keeps code across reloads, shows the solution without losing it, resets after confirming, and remembers a passed check', async () => {
    const record = await open();
    const page = record.page;
    const exercise = region(page, 'Exercise: greet, listen, hang up');
    const box = await editor(exercise);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('// mine\n');
    await reload(page);
    await editor(exercise);
    const code = (): Promise<string> => page.evaluate(() => localStorage.getItem('fd:v1:code:first-client-exercise:shared') ?? '');
    await expect(code()).resolves.toBe('// mine\n');
    await showsCode(exercise, '// mine');

    const solution = exercise.getByRole('button', { name: 'Solution' });
    await press(solution);
    await expect(solution.getAttribute('aria-pressed')).resolves.toBe('true');
    await showsCode(exercise, "ws.close(1000, 'Thanks, bye')");
    await expect(page.locator('fd-playground[data-progress-exercise]').evaluateAll((els) => els.map((e) => e.id))).resolves.toEqual(['first-client-exercise']);
    await page.evaluate(() =>
      document.addEventListener('fd:exercise-passed', (e) => (document.body.dataset['passed'] = (e as CustomEvent<{ id: string }>).detail.id)),
    );
    // Running the solution shows that it passes, and earns nothing.
    const passedIds = (): Promise<string[]> =>
      page.evaluate(() => JSON.parse(localStorage.getItem('full-duplex:progress') ?? '{"lessons":{}}').lessons['lessons/first-client']?.passed ?? []);
    await press(exercise.getByRole('button', { name: 'Run' }));
    const status = exercise.locator('[data-check-status]');
    await status.getByText('The solution passes the check. Press Solution again to go back to your code: the exercise counts when your code passes.').waitFor({ timeout: 15_000 });
    await expect(passedIds()).resolves.toEqual([]);
    await expect(page.evaluate(() => document.body.dataset['passed'])).resolves.toBeUndefined();
    await press(solution);
    await showsCode(exercise, '// mine');
    await expect(code()).resolves.toContain('// mine');
    // The learner's own passing code earns the mark.
    const answer = readFileSync(new URL('../../samples/playgrounds/first-client-exercise.solution.js', import.meta.url), 'utf8');
    await editor(exercise);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(answer);
    await press(exercise.getByRole('button', { name: 'Run' }));
    await status.getByText('Check passed: well done!').waitFor({ timeout: 15_000 });
    await expect(passedIds()).resolves.toEqual(['first-client-exercise']);
    await expect(page.evaluate(() => document.body.dataset['passed'])).resolves.toBe('first-client-exercise');

    page.once('dialog', (dialog) => void dialog.accept());
    await press(exercise.getByRole('button', { name: 'Reset' }));
    await showsCode(exercise, '1. Send a greeting of your own.');
    await expect(box.isVisible()).resolves.toBe(true);
    expectClean(record, true);
  });

  it('says when the server is not running, how to start it, and why Run fails', async () => {
    const record = await env.newPage();
    await record.page.route('**/health', (route) => route.fulfill({ status: 503, body: 'down' }));
    await load(record.page, `${env.origin}${LESSON}`);
    const echo = region(record.page, 'Echo client');
    await echo.getByText('Server: not running').waitFor();
    await expect(echo.getByText('npm start').first().isVisible()).resolves.toBe(true);
    await press(echo.getByRole('button', { name: 'Run' }));
    await waitForLine(output(echo), 'The companion server is not running');
  });

  it('never traps the keyboard in the editor: Tab goes on to Run', async () => {
    const record = await open();
    const echo = region(record.page, 'Echo client');
    await editor(echo);
    await record.page.keyboard.press('Tab');
    await expect(record.page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Run');
    await record.page.keyboard.press('Enter');
    await waitForLine(output(echo), 'Echo: Hello, server!');
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`has no axe violations with Monaco loaded and output shown (${theme} theme)`, async () => {
      const record = await env.newPage();
      await record.page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
      await load(record.page, `${env.origin}${LESSON}`);
      const echo = region(record.page, 'Echo client');
      await editor(echo);
      await record.page.keyboard.press('Control+Enter');
      await waitForLine(output(echo), 'Run finished.');
      const chat = region(record.page, 'Three chat clients');
      await editor(chat);
      await expect(axeViolations(record.page)).resolves.toEqual([]);
      expectClean(record);
    });
  }

  it('follows the site theme in the editor', async () => {
    const record = await env.newPage();
    await record.page.addInitScript(() => localStorage.setItem('starlight-theme', 'light'));
    await load(record.page, `${env.origin}${LESSON}`);
    const echo = region(record.page, 'Echo client');
    await editor(echo);
    const theme = (): Promise<string | null> => echo.locator('.monaco-editor').first().getAttribute('class');
    await expect(theme()).resolves.toMatch(/\bvs\b/);
    await record.page.evaluate(() => (document.documentElement.dataset['theme'] = 'dark'));
    await record.page.waitForFunction(() => document.querySelector('.monaco-editor')?.classList.contains('vs-dark'));
    await expect(theme()).resolves.toMatch(/\bvs-dark\b/);
  });
});
