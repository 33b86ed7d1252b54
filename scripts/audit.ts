/**
 * `npm run audit`: Lighthouse over the pages learners land on, in mobile and
 * desktop modes, against the built site served by the companion server.
 * Prints the four category scores and LCP/TBT/CLS; full HTML reports go to
 * reports/lighthouse/ (git-ignored). Exits 1 when a page misses a target.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { startServer } from '../server/app.ts';
import { AUDIT_PAGES, AUDIT_TARGETS } from '../tools/budgets.ts';
import { buildIfStale, root } from './site-build.ts';
import { CHROME_FLAGS, findChromium } from '../tools/chrome.ts';


const chromePath = findChromium();
if (!chromePath) {
  process.stderr.write('No Chromium found: install it (apt-get install chromium) or set CHROME_PATH.\n');
  process.exit(1);
}
if (!(await buildIfStale({ quiet: true }))) process.exit(1);

const server = await startServer({ port: 0, logLevel: 'error' });
const origin = `http://127.0.0.1:${server.port}`;
const reportDir = `${root}reports/lighthouse/`;
mkdirSync(reportDir, { recursive: true });

interface Row {
  page: string;
  mode: string;
  performance: number;
  accessibility: number;
  bestPractices: number;
  seo: number;
  lcp: number;
  tbt: number;
  cls: number;
}
const rows: Row[] = [];
const misses: string[] = [];

try {
  // `npm run audit -- /lessons/x/` audits just the pages named.
  const pages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : AUDIT_PAGES;
  for (const page of pages) {
    for (const mode of ['mobile', 'desktop'] as const) {
      // A fresh browser per run: one reused after a mobile run can lay out the first frames of the
      // next page at the old emulated width, which Lighthouse then counts as a huge layout shift.
      const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: CHROME_FLAGS });
      const result = await lighthouse(
        `${origin}${page}`,
        { port: chrome.port, output: 'html', logLevel: 'error' },
        mode === 'desktop' ? desktopConfig : undefined,
      ).finally(() => chrome.kill());
      if (!result) throw new Error(`Lighthouse returned nothing for ${page}`);
      const { lhr, report } = result;
      const score = (id: string): number => Math.round((lhr.categories[id]?.score ?? 0) * 100);
      const metric = (id: string): number => lhr.audits[id]?.numericValue ?? Number.NaN;
      const row: Row = {
        page,
        mode,
        performance: score('performance'),
        accessibility: score('accessibility'),
        bestPractices: score('best-practices'),
        seo: score('seo'),
        lcp: metric('largest-contentful-paint'),
        tbt: metric('total-blocking-time'),
        cls: metric('cumulative-layout-shift'),
      };
      rows.push(row);
      const name = `${page.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home'}-${mode}`;
      writeFileSync(`${reportDir}${name}.html`, Array.isArray(report) ? report.join('') : report);
      for (const [key, target] of Object.entries(AUDIT_TARGETS) as [keyof typeof AUDIT_TARGETS, number][]) {
        if (row[key] < target) misses.push(`${page} (${mode}): ${key} ${row[key]} < ${target}`);
      }
    }
  }
} finally {
  await server.close();
}

const header = ['page', 'mode', 'perf', 'a11y', 'best', 'seo', 'LCP ms', 'TBT ms', 'CLS'];
const table = rows.map((r) => [
  r.page,
  r.mode,
  String(r.performance),
  String(r.accessibility),
  String(r.bestPractices),
  String(r.seo),
  r.lcp.toFixed(0),
  r.tbt.toFixed(0),
  r.cls.toFixed(3),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
for (const row of table) process.stdout.write(`${line(row)}\n`);
process.stdout.write(`\nReports: ${reportDir}\n`);
if (misses.length > 0) {
  process.stdout.write(`\nBelow target:\n${misses.map((m) => `  - ${m}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`All pages meet the targets (${Object.entries(AUDIT_TARGETS).map(([k, v]) => `${k} ≥ ${v}`).join(', ')}).\n`);
