import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeBackForward, labsAlive, load, showLab, startedLabs, useBrowser, type PageRecord } from './harness.ts';

/**
 * Leaving a page and pressing Back. Chromium keeps the page in its back-forward cache and shows it
 * again as it was left, but it closes the page's sockets on the way in. Each component that runs
 * something (a server lab, a playground, the collaborative editors) must come back saying what is
 * true then: the lab's server and the playground's run ended when the page was left, and the editors
 * connect again with the text they showed. Before, the lab said its deleted server was still running,
 * the diagram that the companion was not reachable, and the editors that a connection was lost (1006).
 */
const OTHER_PAGE = '/lessons/why-websockets/';
const STAYS_OPEN = "const socket = new WebSocket('ws://localhost:8080/echo');\nsocket.onopen = () => socket.send('hello');\nsocket.onmessage = (event) => console.log('echoed:', event.data);\n";

/** Records every pageshow, from the page's first script on: `persisted` is true for a page the cache gave back. */
async function recordPageShows(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shows: boolean[] = [];
    (window as unknown as { fdShows: boolean[] }).fdShows = shows;
    window.addEventListener('pageshow', (event) => shows.push(event.persisted));
  });
}

/** Follows a link to another page of the course, then Back: fails unless the page came back from the cache. */
async function leaveAndComeBack(page: Page, origin: string): Promise<void> {
  const left = page.url();
  await page.goto(`${origin}${OTHER_PAGE}`);
  await page.goBack({ waitUntil: 'commit' });
  expect(page.url()).toBe(left);
  // A page the cache gave back shows again (persisted); one loaded afresh has loaded once more.
  await page.waitForFunction(() => {
    const shows = (window as unknown as { fdShows?: boolean[] }).fdShows ?? [];
    return shows.at(-1) === true || (shows.length > 0 && document.readyState === 'complete');
  });
  const shows = await page.evaluate(() => (window as unknown as { fdShows: boolean[] }).fdShows);
  const why = await page.evaluate(() => JSON.stringify((performance.getEntriesByType('navigation')[0] as { notRestoredReasons?: unknown } | undefined)?.notRestoredReasons ?? null));
  expect(shows, `the page was loaded again, not given back by the back-forward cache; Chromium's reasons: ${why}`).toEqual([false, true]);
}

const status = (scope: Locator): Promise<string | null> => scope.locator('[data-status]').first().textContent();

/**
 * The page's console errors and failed requests, less the polls under way as the page was left:
 * Chromium reports such a request as net::ERR_ABORTED to playwright, yet the page's fetch never
 * failed (in 12 leaves of a lesson, /health was reported 4 times and no fetch rejected).
 */
function quiet(record: PageRecord): { console: string[]; failed: string[] } {
  const cutOff = /\/(health|api\/labs\/[0-9a-f]+\/log) \(net::ERR_ABORTED\)$/;
  return { console: record.consoleErrors, failed: record.failedRequests.filter((failed) => !cutOff.test(failed)) };
}

describeBackForward('leaving a page and coming Back (back-forward cache)', () => {
  const env = useBrowser({}, { backForwardCache: true });

  it('a server lab left running says its server was stopped, the companion runs it no more, and Run starts one again', async () => {
    const record = await env.newPage();
    const { page } = record;
    await recordPageShows(page);
    const started = startedLabs(page);
    const lab = await showLab(page, `${env.origin}/lessons/echo-server/`, page.getByRole('region', { name: 'Server lab: An echo server' }));
    const diagram = page.locator('#lab-echo-diagram');
    await lab.getByRole('button', { name: 'Run', exact: true }).click();
    await lab.locator('[data-verdict]').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await status(lab)).toBe('Your server is still running (Stop ends it).');
    expect(await labsAlive(env.origin, started)).toEqual([started[0]]);

    await leaveAndComeBack(page, env.origin);
    expect(await status(lab)).toBe('Your server was stopped when you left the page. Press Run to start it again.');
    expect(await lab.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    // The check had ended before the page was left: the diagram still says so, not "not reachable".
    expect(await status(diagram)).toBe('Check finished: every frame between its clients and your server is drawn below; the verdict is in the lab above.');
    // The DELETE went out with keepalive as the page was left.
    await expect.poll(() => labsAlive(env.origin, started)).toEqual([]);

    await lab.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => started.length, { timeout: 60_000 }).toBe(2);
    await lab.getByText('Your server is still running (Stop ends it).').waitFor({ timeout: 60_000 });
    expect(await status(diagram)).toBe('Check finished: every frame between its clients and your server is drawn below; the verdict is in the lab above.');
    expect(await labsAlive(env.origin, started)).toEqual([started[1]]);
    await lab.getByRole('button', { name: 'Stop', exact: true }).click();
    await lab.getByText('Stopped: your server and its connections are closed.').waitFor();
    expect(quiet(record)).toEqual({ console: [], failed: [] });
  });

  it('a playground left mid-run says the run stopped when the page was left, in its Output and on its diagram', async () => {
    const record = await env.newPage();
    const { page } = record;
    await recordPageShows(page);
    // The learner's code (saved from an earlier visit) stays connected until Stop.
    await page.addInitScript(
      ([key, code]) => localStorage.setItem(key as string, code as string),
      [progressKeys.code('first-client', 'shared'), STAYS_OPEN],
    );
    await load(page, `${env.origin}/lessons/first-client/`);
    const playground = page.locator('fd-playground#first-client');
    const log = playground.getByRole('log', { name: 'Output', exact: true });
    const diagram = page.locator('#first-client-diagram');
    const rows = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
    await playground.scrollIntoViewIfNeeded();
    await playground.locator('[data-editor]').first().waitFor({ state: 'visible' });
    await playground.getByRole('button', { name: 'Run', exact: true }).click();
    await log.getByText('echoed: hello', { exact: true }).waitFor({ timeout: 30_000 });
    // The handshake (request, answer), "hello" and its echo.
    await expect.poll(() => rows.count()).toBe(4);
    expect(await status(diagram)).toBe('Drawing this run as it happens.');
    await leaveAndComeBack(page, env.origin);
    // Before it, "echoed: hello", and "Still running: …" once the run has been quiet for a while.
    expect((await log.locator('.fd-line').allTextContents()).at(-1)).toBe('Run stopped: you left the page.');
    expect(await playground.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    expect(await status(diagram)).toBe('Run stopped when you left the page: no connection closed during the run.');
    expect(await rows.count()).toBe(4);

    await playground.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(4);
    await log.getByText('echoed: hello', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await status(diagram)).toBe('Drawing this run as it happens.');
    await playground.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => status(diagram)).toBe('Run stopped: no connection closed during the run.');
    expect(quiet(record)).toEqual({ console: [], failed: [] });
  });

  it('the collaborative editors connect again with the text they showed, and go on syncing', async () => {
    const record = await env.newPage();
    const { page } = record;
    await recordPageShows(page);
    await load(page, `${env.origin}/projects/collaborative-editor/`);
    const editors = page.getByRole('region', { name: 'Two editors, one document' });
    const texts = (): Promise<string[]> => Promise.all(["Alice's editor", "Bob's editor"].map((name) => page.getByRole('textbox', { name }).inputValue()));
    const connected = async (): Promise<void> => {
      await editors.getByRole('status').filter({ hasText: 'Connected: both editors share one document' }).waitFor();
      for (const name of ["Alice's editor", "Bob's editor"]) await expect.poll(() => page.getByRole('textbox', { name }).isEnabled()).toBe(true);
    };
    await editors.scrollIntoViewIfNeeded();
    await connected();
    const [initial] = await texts();
    await page.getByRole('textbox', { name: "Alice's editor" }).focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('- eggs\n');
    await expect.poll(texts).toEqual([`${initial}- eggs\n`, `${initial}- eggs\n`]);

    await leaveAndComeBack(page, env.origin);
    await connected();
    expect(await texts()).toEqual([`${initial}- eggs\n`, `${initial}- eggs\n`]);
    await page.getByRole('textbox', { name: "Bob's editor" }).focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('- tea\n');
    await expect.poll(texts).toEqual([`${initial}- eggs\n- tea\n`, `${initial}- eggs\n- tea\n`]);
    await page.getByText('✓ Both copies are the same.').waitFor();
    expect(quiet(record)).toEqual({ console: [], failed: [] });
  });
});
