import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, onTestFinished } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { ServerOptions } from '../../server/config.ts';

/**
 * The e2e harness: the built site and the companion server on an ephemeral
 * port, and Debian's Chromium driven by playwright-core. No browser download
 * is possible here, so the browser is found, never fetched.
 */
import { CHROME_FLAGS, findChromium, findTestChromium, load, reload } from '../../tools/chrome.ts';

export { CHROME_FLAGS, findTestChromium, load, reload };

const HOW_TO_INSTALL =
  'Install Debian\'s headless Chromium (sudo apt-get update && sudo apt-get install -y chromium-headless-shell; its chromium package works too) or set CHROME_PATH to a Chromium or Chrome binary.';

const chromePath = findTestChromium();
const inCi = process.env['CI'] === 'true';
if (!chromePath) {
  if (inCi) {
    throw new Error(`CI=true and no Chromium was found. ${HOW_TO_INSTALL}`);
  }
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!! SKIPPING THE BROWSER (e2e) TESTS: no Chromium found.\n!! ${HOW_TO_INSTALL}\n${bar}\n\n`);
}

const siteDir = new URL('../../dist/', import.meta.url).pathname;
export const hasBuild = existsSync(join(siteDir, 'index.html'));

/** `describe` that skips (loudly, above) when there is no browser outside CI. */
export const describeBrowser = chromePath ? describe : describe.skip;

/**
 * Leaving a page and coming Back to it takes Chromium as a learner runs it: the headless shell keeps
 * no page in the back-forward cache, and playwright turns that cache off in every launch
 * (`--disable-back-forward-cache`). So those tests launch Debian's `chromium` with it on.
 */
const backForwardPath = findChromium();
if (chromePath && !backForwardPath) {
  const missing = "No chromium for the back-forward cache tests (the headless shell has no such cache): sudo apt-get install -y chromium, or set CHROME_PATH to a Chromium or Chrome binary.";
  if (inCi) throw new Error(`CI=true: ${missing}`);
  process.stderr.write(`\n!! SKIPPING THE BACK-FORWARD CACHE TESTS. ${missing}\n\n`);
}
export const describeBackForward = backForwardPath ? describeBrowser : describe.skip;

function backForwardBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: backForwardPath as string,
    headless: true,
    chromiumSandbox: false,
    args: CHROME_FLAGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
}

export interface PageRecord {
  page: Page;
  consoleErrors: string[];
  failedRequests: string[];
  foreignRequests: string[];
  requests: string[];
  /** Hands the page back (see `newPage`); a page opened in a test is handed back when the test ends. */
  release(): Promise<void>;
}

export interface NewPageOptions {
  /** Kept past the test that opened it, until `release()` or the end of the file. */
  keep?: boolean;
  /** The browser context's options (viewport, touch, colour scheme, user agent …). */
  context?: BrowserContextOptions;
}

export interface BrowserEnv {
  server: RunningServer;
  /** `http://127.0.0.1:port`: what the browser connects to. */
  origin: string;
  browser: Browser;
  /**
   * A page as a first visit sees it: no cookies, no storage, no init scripts, routes or listeners
   * of an earlier test. A page handed back is reset and handed out again, in the same browser
   * context and renderer, so later tests of the file reuse a warm renderer (see `PagePool`).
   */
  newPage(options?: NewPageOptions): Promise<PageRecord>;
}

/**
 * The pages of one test file. A lesson with its editors costs Chromium's headless shell 2.7–3.2
 * CPU-seconds in a new context against 1.2–1.8 in a page that has shown a lesson before (its
 * compiled scripts, parsed styles and fonts are kept in the renderer; `chromium`: 4.9 against
 * 1.2–1.7). So a page handed back is not closed but reset, and handed out
 * again to a test asking for the same context options:
 * - its other pages are closed, its listeners, routes and init scripts removed, and it is taken
 *   to about:blank (the lesson unloads: timers, sockets and workers end);
 * - the origin's cookies and storage are cleared, permissions and network conditions reset;
 * - the viewport and emulated media go back to the context's options, the mouse to the corner.
 * What cannot be undone (an installed fake clock, an exposed function, a WebSocket route) retires the
 * context instead: it is closed when handed back.
 */
class PagePool {
  readonly #idle = new Map<string, Slot[]>();
  readonly #all = new Set<BrowserContext>();
  readonly #browser: Browser;
  readonly #origin: string;

  constructor(browser: Browser, origin: string) {
    this.#browser = browser;
    this.#origin = origin;
  }

  async take(options: BrowserContextOptions): Promise<Slot> {
    const key = JSON.stringify(options);
    const slot = this.#idle.get(key)?.pop();
    if (slot) return slot;
    const context = await this.#browser.newContext(options);
    this.#all.add(context);
    await this.#grantDefaults(context);
    const page = await context.newPage();
    return trackSlot({ key, options, context, page, undo: [], retired: false });
  }

  async give(slot: Slot): Promise<void> {
    const { context, page } = slot;
    try {
      if (slot.retired || page.isClosed()) throw new Error('not reusable');
      for (const other of context.pages()) if (other !== page) await other.close();
      // The context's own listeners stay: removing them all leaves its close() waiting forever
      // (playwright-core 1.65); no test listens on a context.
      page.removeAllListeners();
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      await context.unrouteAll({ behavior: 'ignoreErrors' });
      for (const undo of slot.undo.splice(0)) await undo.dispose();
      await page.goto('about:blank');
      await context.clearCookies();
      await context.clearPermissions();
      await this.#grantDefaults(context);
      await context.setOffline(false);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.clearDataForOrigin', { origin: this.#origin, storageTypes: 'all' });
      await cdp.detach();
      await page.setViewportSize(slot.options.viewport ?? { width: 1280, height: 720 });
      await page.emulateMedia({
        media: null,
        colorScheme: slot.options.colorScheme ?? 'light',
        reducedMotion: slot.options.reducedMotion ?? 'no-preference',
        forcedColors: slot.options.forcedColors ?? 'none',
      });
      await page.mouse.move(0, 0);
      const idle = this.#idle.get(slot.key) ?? [];
      idle.push(slot);
      this.#idle.set(slot.key, idle);
    } catch {
      this.#all.delete(context);
      await context.close().catch(() => {});
    }
  }

  /**
   * What a learner's browser allows a page without asking: writing the clipboard (Chromium grants
   * it; navigator.permissions says 'granted'). The headless shell has no one to ask, so its answer
   * is 'prompt' and every write is refused, which Monaco logs on a tap as an iPhone.
   */
  async #grantDefaults(context: BrowserContext): Promise<void> {
    await context.grantPermissions(['clipboard-write'], { origin: this.#origin });
  }

  async close(): Promise<void> {
    for (const context of this.#all) await context.close().catch(() => {});
    this.#all.clear();
    this.#idle.clear();
  }
}

interface Slot {
  key: string;
  options: BrowserContextOptions;
  context: BrowserContext;
  page: Page;
  /** Init scripts the test added, removed when the page is handed back. */
  undo: { dispose(): Promise<void> }[];
  /** The test changed what a reset cannot undo: the context is closed, not reused. */
  retired: boolean;
}

/** Wraps the page's and context's methods whose effect outlives a navigation, so `give` can undo them. */
function trackSlot(slot: Slot): Slot {
  for (const target of [slot.page, slot.context] as const) {
    const addInitScript = target.addInitScript.bind(target) as (...args: unknown[]) => Promise<{ dispose(): Promise<void> }>;
    (target as { addInitScript: unknown }).addInitScript = async (...args: unknown[]) => {
      const script = await addInitScript(...args);
      slot.undo.push(script);
      return script;
    };
    // unrouteAll leaves WebSocket routes in place (playwright-core 1.65), so they retire the context too.
    for (const name of ['exposeFunction', 'exposeBinding', 'routeWebSocket', 'routeFromHAR'] as const) {
      const original = (target[name] as (...args: unknown[]) => Promise<unknown>).bind(target);
      (target as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        slot.retired = true;
        return original(...args);
      };
    }
    // Any clock call installs the fake clock (setFixedTime and setSystemTime too), in the page for good.
    const clock = target.clock as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    for (const name of ['install', 'setFixedTime', 'setSystemTime', 'pauseAt', 'fastForward', 'runFor', 'resume'] as const) {
      const original = clock[name]?.bind(target.clock);
      if (!original) continue;
      clock[name] = (...args: unknown[]) => {
        slot.retired = true;
        return original(...args);
      };
    }
  }
  return slot;
}

/**
 * The project's shared Chromium (launched once by global-setup.ts) when there
 * is one; otherwise (a run without that setup) a browser of this file's own.
 * Closing a connected browser only disconnects it, closing its contexts.
 */
async function sharedOrOwnBrowser(): Promise<Browser> {
  const endpoint = inject('chromiumEndpoint');
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch({
    executablePath: chromePath as string,
    headless: true,
    chromiumSandbox: false,
    // playwright gives every launch a fresh temporary --user-data-dir of its own.
    args: CHROME_FLAGS,
  });
}

/**
 * Starts the server and connects to the browser once per test file. Every page opened through it
 * records console errors, failed requests and any request leaving the origin; it lives until the
 * test that opened it ends, so tests of a file may run side by side (`describe.concurrent`), each
 * with pages of its own.
 */
export function useBrowser(serverOptions: ServerOptions = {}, { backForwardCache = false }: { backForwardCache?: boolean } = {}): BrowserEnv {
  const env = {} as BrowserEnv;
  let pool: PagePool | undefined;
  beforeAll(async () => {
    if (!hasBuild) throw new Error(`No built site in ${siteDir}. Run: npm run build`);
    env.server = await startServer({ port: 0, siteDir, logLevel: 'error', ...serverOptions });
    env.origin = `http://127.0.0.1:${env.server.port}`;
    env.browser = backForwardCache ? await backForwardBrowser() : await sharedOrOwnBrowser();
    const pages = new PagePool(env.browser, env.origin);
    pool = pages;
    env.newPage = async ({ keep = false, context: options = {} } = {}) => {
      const slot = await pages.take(options);
      const { page } = slot;
      let released: Promise<void> | undefined;
      const release = (): Promise<void> => (released ??= pages.give(slot));
      // A page opened in a test is handed back when that test ends: an open lesson keeps running its
      // timers, health polls and charts, and 49 of them left open compete with the test that runs.
      try {
        if (!keep) onTestFinished(release);
      } catch {
        // Opened outside a test (a hook): handed back by its caller or closed with the file.
      }
      const record: PageRecord = { page, consoleErrors: [], failedRequests: [], foreignRequests: [], requests: [], release };
      page.on('console', (message) => {
        if (message.type() === 'error') record.consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => record.consoleErrors.push(`pageerror: ${error.message}`));
      page.on('request', (request) => {
        const url = request.url();
        record.requests.push(url);
        if (!isSameSite(url, env.origin)) record.foreignRequests.push(url);
      });
      page.on('requestfailed', (request) => {
        const error = request.failure()?.errorText ?? 'failed';
        // Chromium 156 sometimes prefetches a link's page on its own when the
        // link is activated (`Sec-Purpose: prefetch`, type "other"; no page of
        // ours asks for it) and cancels that prefetch once the real navigation
        // commits. Nothing the learner sees failed; a prefetch that gets an
        // error answer is still caught by the 'response' listener below.
        if (error === 'net::ERR_ABORTED' && request.headers()['sec-purpose']?.startsWith('prefetch')) return;
        // `chromium` (not the headless shell) fetches the page's icon for its tab on its own, and
        // leaving the page before the icon came cancels that fetch. An icon that fails to load gets
        // an error answer, which the 'response' listener below catches.
        if (error === 'net::ERR_ABORTED' && new URL(request.url()).pathname === '/favicon.svg') return;
        record.failedRequests.push(`${request.url()} (${error})`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) record.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
      });
      return record;
    };
  });
  afterAll(async () => {
    await pool?.close();
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * The two layouts the tests check: below 800 px a phone (812 px tall, touch, a mobile viewport),
 * otherwise a laptop window 900 px tall.
 */
export function layoutFor(width: number): BrowserContextOptions {
  return width < 800
    ? { viewport: { width, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 }
    : { viewport: { width, height: 900 } };
}

/** Loads `url`, brings the server lab `scope` into view and waits for its first editor; returns `scope`. */
export async function showLab(page: Page, url: string, scope: Locator, timeout = 120_000): Promise<Locator> {
  await load(page, url);
  await scope.scrollIntoViewIfNeeded();
  await scope.locator('.monaco-editor').first().waitFor({ timeout });
  return scope;
}

/** The ids of the lab servers the page starts, as the companion answers each. */
export function startedLabs(page: Page): string[] {
  const started: string[] = [];
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/labs' && response.status() === 201) {
      void response.json().then((body: { id: string }) => started.push(body.id));
    }
  });
  return started;
}

/** Which of these lab servers the companion still runs (its log answers 200). */
export async function labsAlive(origin: string, ids: readonly string[]): Promise<string[]> {
  const answers = await Promise.all(ids.map(async (id) => ((await fetch(`${origin}/api/labs/${id}/log`)).status === 200 ? id : null)));
  return answers.filter((id): id is string => id !== null);
}

/** A visible element's box; a hidden one fails the test with its locator. */
export async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${String(locator)} has no box: it is not visible`);
  return found;
}

/** `name`'s box is a 44 px tap target lying within `outer` from side to side. */
export function expectTargetWithin(name: string, box: { x: number; y: number; width: number; height: number } | null, outer: { x: number; width: number }): void {
  expect(box, name).not.toBeNull();
  if (!box) return;
  expect(box.height, `${name} height`).toBeGreaterThanOrEqual(44);
  expect(box.width, `${name} width`).toBeGreaterThanOrEqual(44);
  expect(box.x, `${name} left`).toBeGreaterThanOrEqual(outer.x);
  expect(box.x + box.width, `${name} right`).toBeLessThanOrEqual(outer.x + outer.width);
}

/** Same origin, or a WebSocket to the same host and port, or an in-page URL. */
export function isSameSite(url: string, origin: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return true;
  const target = new URL(url);
  const site = new URL(origin);
  return target.host === site.host && ['http:', 'https:', 'ws:', 'wss:'].includes(target.protocol);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations on the page as it is now, one line each (`id (impact): help at targets`);
 * `[]` when there are none. Only violations are gathered (`resultTypes`): axe then stops building a
 * selector for every node that passes, which was most of its time (event-driven lesson: 3.9 s → 1.5 s),
 * and every violating node is still reported.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    interface Violation {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[] }[];
    }
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
