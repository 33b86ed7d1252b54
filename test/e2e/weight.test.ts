import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { HTTP_PATHS } from '../../protocol/endpoints.ts';
import { CLASSROOM_PATHS } from '../../protocol/classroom.ts';
import { MONACO_REQUEST, PAGE_WEIGHT } from '../../tools/budgets.ts';
import { builtPages, siteDir } from './pages.ts';
import { describeBrowser, useBrowser } from './harness.ts';

/**
 * Page weight before interaction: each built page is loaded in Chromium at a
 * desktop size, untouched; every same-origin request it made is weighed as the
 * gzip of the file served for it. Budgets live in tools/budgets.ts. The
 * companion's own HTTP answers (/health) are not part of the site; any other
 * request with no file in dist/ fails the test rather than weighing nothing.
 */
const pages = builtPages();
const gzipCache = new Map<string, number>();
// The companion's own answers (the classroom pages ask /api/classroom/me) are not files of the site.
const COMPANION_PATHS = new Set<string>([...Object.values(HTTP_PATHS), CLASSROOM_PATHS.me, CLASSROOM_PATHS.learners, CLASSROOM_PATHS.signIn, CLASSROOM_PATHS.teacherSession]);

function gzipBytes(pathname: string): number {
  let file = join(siteDir, decodeURIComponent(pathname));
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) throw new Error(`${pathname} was requested, but dist/ has no file for it, so its weight is unknown.`);
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(file), { level: 9 }).length;
    gzipCache.set(file, size);
  }
  return size;
}

interface Weight {
  page: string;
  js: number;
  total: number;
  requests: number;
  monaco: number;
}

const weights: Weight[] = [];
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

describeBrowser('page weight before interaction (gzip)', () => {
  const env = useBrowser();

  afterAll(() => {
    if (weights.length === 0) return;
    const lines = weights.map(
      (w) => `${w.page.padEnd(40)} JS ${kb(w.js).padStart(9)}   total ${kb(w.total).padStart(9)}   ${w.requests} requests${w.monaco ? `   MONACO ${w.monaco}` : ''}`,
    );
    process.stdout.write(
      `\nPage weight (gzip, before interaction; budgets: JS ≤ ${kb(PAGE_WEIGHT.jsGzipBytes)}, lesson total ≤ ${kb(PAGE_WEIGHT.lessonTotalGzipBytes)})\n${lines.join('\n')}\n`,
    );
  });

  it.each(pages)('%s stays within its budget and fetches no Monaco', async (path) => {
    const { page, requests } = await env.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${env.origin}${path}`, { waitUntil: 'networkidle' });
    const sameOrigin = requests
      .filter((url) => url.startsWith(env.origin))
      .map((url) => new URL(url).pathname)
      .filter((path) => !COMPANION_PATHS.has(path));
    const js = sameOrigin.filter((p) => /\.m?js$/.test(p) && !MONACO_REQUEST.test(p));
    const weight: Weight = {
      page: path,
      js: js.reduce((sum, p) => sum + gzipBytes(p), 0),
      total: sameOrigin.reduce((sum, p) => sum + gzipBytes(p), 0),
      requests: sameOrigin.length,
      monaco: sameOrigin.filter((p) => MONACO_REQUEST.test(p)).length,
    };
    weights.push(weight);
    expect(weight.total).toBeGreaterThan(0);
    expect(weight.monaco).toBe(0);
    expect(weight.js).toBeLessThanOrEqual(PAGE_WEIGHT.jsGzipBytes);
    if (path.startsWith('/lessons/') || path.startsWith('/projects/')) {
      expect(weight.total).toBeLessThanOrEqual(PAGE_WEIGHT.lessonTotalGzipBytes);
    }
  });
});
