/**
 * `npm run bench [-- name ...]`: runs every benchmark script in bench/ (or the
 * named ones) one after another, each in its own process so one suite's
 * heap and sockets cannot skew the next, prints one table, and writes
 * bench/results.json.
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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

const RESULT_MARK = 'BENCH_RESULTS ';

function runSuite(suite: string): Promise<BenchResult[]> {
  // The child imports the module and prints its results as one marked JSON line.
  const program = `const m = await import(${JSON.stringify(join(here, `${suite}.ts`))});
const r = await m.run();
process.stdout.write(${JSON.stringify(RESULT_MARK)} + JSON.stringify(r) + '\\n');
process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', program], {
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
writeFileSync(
  join(here, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, suites: all }, null, 2)}\n`,
);
process.stdout.write(`Wrote bench/results.json\n`);
process.exit(failed ? 1 : 0);
