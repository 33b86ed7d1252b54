import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runIfMain, type BenchResult } from './types.ts';

/**
 * Page weight of the playground, from the built files: the JavaScript a lesson
 * page loads before any interaction (its module scripts and everything they
 * import statically, gzip), and what the lazy parts cost when they are used.
 * The e2e test measures the same budget in Chromium; this prints the figures.
 */

const dist = new URL('../dist/', import.meta.url).pathname;
const gz = (bytes: Buffer): number => gzipSync(bytes, { level: 9 }).length;
const kb = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

/** Module scripts of a page plus their static imports, transitively (dynamic import() excluded). */
function eagerScripts(page: string): Set<string> {
  const html = readFileSync(join(dist, page, 'index.html'), 'utf8');
  const queue = [...html.matchAll(/<script[^>]*type="module"[^>]*src="(\/_astro\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dist, file), 'utf8');
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}\s,*]+from\s*)?["'](\.\/[^"']+\.js)["']/g)) {
      queue.push(`/_astro/${(m[1] as string).slice(2)}`);
    }
  }
  return seen;
}

function inlineScripts(page: string): number {
  const html = readFileSync(join(dist, page, 'index.html'), 'utf8');
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/(?:ld\+)?json)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  return gz(Buffer.from(inline));
}

function assetsMatching(pattern: RegExp): number {
  const dir = join(dist, '_astro');
  return readdirSync(dir)
    .filter((file) => pattern.test(file))
    .reduce((sum, file) => sum + gz(readFileSync(join(dir, file))), 0);
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(join(dist, 'lessons/first-client/index.html'))) throw new Error('No built site: run npm run build first.');
  const eager = (page: string): number =>
    [...eagerScripts(page)].reduce((sum, file) => sum + gz(readFileSync(join(dist, file))), 0) + inlineScripts(page);
  const lesson = eager('lessons/first-client');
  const plain = eager('references');
  const monacoLoaded = [...eagerScripts('lessons/first-client')].some((f) => /monaco|editor\.api/.test(f));
  return [
    // Static module graph only: scripts a page fetches at idle (the search UI) are not in it; the e2e
    // test (test/e2e/playground.test.ts) measures everything Chromium loads before interaction.
    { name: 'first-client: eager module graph (gzip)', value: kb(lesson), unit: 'KB', target: '≤ 100 KB, Monaco not included', ok: kb(lesson) <= 100 },
    { name: 'first-client: Monaco among eager scripts', value: monacoLoaded ? 1 : 0, unit: 'bool', target: '0', ok: !monacoLoaded },
    { name: 'references (no playground): eager module graph (gzip)', value: kb(plain), unit: 'KB' },
    { name: 'Monaco editor chunks, loaded on use (gzip)', value: kb(assetsMatching(/^(monaco-setup|editor\.api|tsMode|javascript|typescript)\..*\.js$/)), unit: 'KB' },
    { name: 'Monaco TS worker, loaded on use (gzip)', value: kb(assetsMatching(/^ts\.worker-.*\.js$/)), unit: 'KB' },
    { name: 'sandbox worker, loaded on Run (gzip)', value: kb(assetsMatching(/^sandbox\.worker-.*\.js$/)), unit: 'KB' },
  ];
}

await runIfMain(import.meta, 'playground-budget', run);
