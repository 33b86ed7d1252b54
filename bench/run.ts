/**
 * `npm run bench [-- name ...]`: runs every benchmark script in bench/ (or the
 * named ones) one after another, each in its own process so one suite's
 * heap and sockets cannot skew the next, prints one table, and writes
 * bench/results.json.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RESULT_MARK } from './helpers/marks.ts';
import { table, type BenchResult } from './types.ts';

const here = import.meta.dirname;
const own = new Set(['run.ts', 'types.ts']);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !own.has(f))
  .map((f) => basename(f, '.ts'))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark: ${unknown.join(', ')}\nUsage: npm run bench [-- ${available.join('|')} ...]\n`);
  process.exit(2);
}
const suites = wanted.length > 0 ? wanted : available;

function runSuite(suite: string): Promise<BenchResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'helpers', 'suite-child.ts'), join(here, `${suite}.ts`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || !line) {
        reject(new Error(`bench/${suite}.ts exited with ${code}\n${out}`));
        return;
      }
      for (const l of out.split('\n')) if (l && !l.startsWith(RESULT_MARK)) process.stdout.write(`  ${l}\n`);
      resolve(JSON.parse(line.slice(RESULT_MARK.length)) as BenchResult[]);
    });
  });
}

const all: Record<string, BenchResult[]> = {};
let failed = false;
for (const suite of suites) {
  process.stdout.write(`── bench/${suite}.ts\n`);
  try {
    all[suite] = await runSuite(suite);
  } catch (error) {
    failed = true;
    process.stderr.write(`${(error as Error).message}\n`);
  }
}

const rows = Object.entries(all);
const text = rows.map(([suite, results]) => table(suite, results)).join('\n\n');
process.stdout.write(`\n${text}\n`);
const missed = rows.flatMap(([suite, results]) => results.filter((r) => r.ok === false).map((r) => `${suite}: ${r.name}`));
if (missed.length > 0) process.stdout.write(`\nTargets missed: ${missed.join('; ')}\n`);
// A partial run (`npm run bench -- labs`) replaces only its suites' figures; each suite keeps
// the date it was measured, so a figure in the file is never older than it says.
const resultsFile = join(here, 'results.json');
const now = new Date().toISOString();
const previous = readPrevious(resultsFile);
const measured = Object.fromEntries(Object.keys(all).map((suite) => [suite, now]));
writeFileSync(
  resultsFile,
  `${JSON.stringify(
    {
      date: now,
      node: process.version,
      measured: { ...previous.measured, ...measured },
      suites: { ...previous.suites, ...all },
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`Wrote bench/results.json\n`);
process.exit(failed ? 1 : 0);

interface ResultsFile {
  measured: Record<string, string>;
  suites: Record<string, BenchResult[]>;
}

function readPrevious(file: string): ResultsFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ResultsFile> & { date?: string };
    const suites = parsed.suites ?? {};
    // Files written before per-suite dates carry one date for all.
    const measured = parsed.measured ?? Object.fromEntries(Object.keys(suites).map((s) => [s, parsed.date ?? 'unknown']));
    return { measured, suites };
  } catch {
    return { measured: {}, suites: {} };
  }
}
