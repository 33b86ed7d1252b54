import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROME_FLAGS, findTestChromium } from '../../tools/chrome.ts';

/**
 * One Chromium for the whole e2e project: launched once here (in vitest's main
 * process), and every test file connects to it and opens its own contexts
 * (see `useBrowser` in harness.ts). A launch costs seconds on a busy 2-core
 * machine; a connection costs milliseconds. Each file still starts its own
 * companion server, so no file sees another's connections or rate limits.
 *
 * Without a Chromium nothing is launched: the harness skips (or, under CI,
 * fails) loudly on its own.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const executablePath = findTestChromium();
  if (!executablePath) return undefined;
  const server = await chromium.launchServer({
    executablePath,
    headless: true,
    chromiumSandbox: false,
    // playwright gives the launch a fresh temporary --user-data-dir of its own.
    args: CHROME_FLAGS,
  });
  project.provide('chromiumEndpoint', server.wsEndpoint());
  return async () => {
    await server.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** playwright's WebSocket endpoint of the shared Chromium; '' when none was launched. */
    chromiumEndpoint: string;
  }
}
