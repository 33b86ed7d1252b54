import { existsSync } from 'node:fs';

/**
 * Finding and launching Debian's Chromium, shared by the e2e harness, the
 * Lighthouse audit and the browser benchmarks. No browser download is
 * possible here, so the browser is found, never fetched.
 */
export const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium(): string | null {
  const candidates = [process.env['CHROME_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string)) ?? null;
}
