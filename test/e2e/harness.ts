import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, onTestFinished } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { ServerOptions } from '../../server/config.ts';

/**
 * The e2e harness: the built site and the companion server on an ephemeral
 * port, and Debian's Chromium driven by playwright-core. No browser download
 * is possible here, so the browser is found, never fetched.
 */
import { CHROME_FLAGS, findChromium } from '../../tools/chrome.ts';

export { CHROME_FLAGS, findChromium };

const HOW_TO_INSTALL =
  'Install Debian\'s Chromium (sudo apt-get update && sudo apt-get install -y chromium) or set CHROME_PATH to a Chromium or Chrome binary.';

const chromePath = findChromium();
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

export interface PageRecord {
  page: Page;
  consoleErrors: string[];
  failedRequests: string[];
  foreignRequests: string[];
  requests: string[];
}

export interface BrowserEnv {
  server: RunningServer;
  /** `http://127.0.0.1:port`: what the browser connects to. */
  origin: string;
  browser: Browser;
  /**
   * A page in a context of its own, closed when the test that opened it ends; with `keep`, or when
   * opened in a hook, it lives until the caller closes its context or the file ends.
   */
  newPage(options?: { keep?: boolean }): Promise<PageRecord>;
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
export function useBrowser(serverOptions: ServerOptions = {}): BrowserEnv {
  const env = {} as BrowserEnv;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (!hasBuild) throw new Error(`No built site in ${siteDir}. Run: npm run build`);
    env.server = await startServer({ port: 0, siteDir, logLevel: 'error', ...serverOptions });
    env.origin = `http://127.0.0.1:${env.server.port}`;
    env.browser = await sharedOrOwnBrowser();
    env.newPage = async ({ keep = false } = {}) => {
      const context = await env.browser.newContext();
      contexts.push(context);
      // A page opened in a test closes when that test ends: an open lesson keeps running its
      // timers, health polls and charts, and 49 of them left open compete with the test that runs.
      try {
        if (!keep) onTestFinished(() => context.close().catch(() => {}));
      } catch {
        // Opened outside a test (a hook): closed with the file, below.
      }
      const page = await context.newPage();
      const record: PageRecord = { page, consoleErrors: [], failedRequests: [], foreignRequests: [], requests: [] };
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
        record.failedRequests.push(`${request.url()} (${error})`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) record.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
      });
      return record;
    };
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
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
