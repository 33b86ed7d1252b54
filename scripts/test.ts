/**
 * `npm test`: type check, lint, build (when stale), then every vitest project
 * (unit, integration, e2e in Chromium). All stages run even when one fails, so
 * one run shows everything; the last line is the count CI reads.
 *
 * The unit tests and the integration tests start with the build; once the
 * build is done the type check, the linter and the e2e tests (one shared
 * Chromium) join them, integration two files at a time and e2e three
 * (vitest.config.ts). Each stage's output is held and printed in one piece
 * when it ends. With
 * arguments (`npm test -- <vitest args>`) the checks run as above and vitest
 * runs once, after the build, with those arguments.
 *
 * Measured on the 2-core machine (other sessions busy on it too):
 * before, one stage after another and one test file at a time, 1655 s
 * (vitest 1547 s); figures after this change are in the commit that made it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedTests, machineCpu, type JsonReport } from './test-report.ts';
import type { FileTiming } from './test-timing.ts';
import { buildIfStale, root, runCaptured } from './site-build.ts';

interface Stage {
  name: string;
  ok: boolean;
  detail: string;
  seconds: number;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const node = process.execPath;
const bin = (pkg: string, file: string): string => `${root}node_modules/${pkg}/${file}`;
const stages: Stage[] = [];
const extraArgs = process.argv.slice(2);
const outDir = mkdtempSync(join(tmpdir(), 'full-duplex-vitest-'));
const t0 = performance.now();
/** Linux's CPU counters ('' elsewhere: no CPU line then). */
const readProcStat = (): string => {
  try {
    return readFileSync('/proc/stat', 'utf8');
  } catch {
    return '';
  }
};
const cpuAtStart = readProcStat();
const elapsed = (since: number): number => Math.round((performance.now() - since) / 100) / 10;

/** Runs one stage with its output held, then prints that output under the stage's name. */
async function stage(name: string, body: () => Promise<{ ok: boolean; output: string }>): Promise<boolean> {
  const started = performance.now();
  process.stdout.write(`… ${name}: started at +${elapsed(t0)} s\n`);
  const { ok, output } = await body();
  const seconds = elapsed(started);
  process.stdout.write(`\n── ${name} (${seconds} s) ${'─'.repeat(Math.max(0, 60 - name.length))}\n${output}`);
  stages.push({ name, ok, detail: ok ? 'ok' : 'FAILED', seconds });
  return ok;
}

async function command(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ok: boolean; output: string }> {
  const { code, output } = await runCaptured(node, args, env);
  return { ok: code === 0, output };
}

const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
const timings: FileTiming[] = [];
/** Each failed test or file, named again at the end: CI shows only the tail of a long run's output. */
const failures: string[] = [];

/** One vitest run; its JSON report adds to the counts, its timing report to the table. */
function vitest(name: string, args: string[]): Promise<boolean> {
  const jsonFile = join(outDir, `${name}.json`);
  const timingFile = join(outDir, `${name}-timing.json`);
  return stage(`tests (vitest: ${name})`, async () => {
    const result = await command(
      [
        bin('vitest', 'vitest.mjs'),
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${jsonFile}`,
        `--reporter=${root}scripts/test-timing.ts`,
        ...args,
      ],
      { FULL_DUPLEX_TIMING: timingFile },
    );
    try {
      const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonReport;
      failures.push(...failedTests(name, report, root));
      const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'));
      counts.passed += report.numPassedTests;
      // A file that fails with no failed test is a failure too: it failed to load (e.g. CI without
      // a browser), or a hook after its tests failed (the server's error log was not clean).
      counts.failed += report.numFailedTests + brokenFiles.length;
      counts.skipped += report.numPendingTests + report.numTodoTests;
    } catch {
      counts.failed += 1;
      failures.push(`${name}: vitest wrote no report; its output is above, under "tests (vitest: ${name})"`);
    }
    try {
      timings.push(...(JSON.parse(readFileSync(timingFile, 'utf8')) as FileTiming[]));
    } catch {
      // No timing report (vitest did not start): nothing to add to the table.
    }
    return result;
  });
}

const built = stage('build (astro build, when stale)', async () => {
  let output = '';
  const ok = await buildIfStale({ quiet: true, onOutput: (text) => (output += text) });
  return { ok, output };
});
const tests: Promise<boolean>[] = [];
// Each stage waits only for what it needs. The unit tests take seconds and overlap the build.
// The type check and the linter (pure computation) follow the build, beside the tests.
const unit = extraArgs.length > 0 ? Promise.resolve(true) : vitest('unit', ['--project', 'unit']);
const checked = Promise.all([built, unit]).then(async () => {
  await Promise.all([
    stage('type check (astro check)', () => command([bin('astro', 'bin/astro.mjs'), 'check'])),
    // `npm run lint` itself (node --run: no npm process), so its cache flags are written once, in package.json.
    stage('lint (eslint)', () => command(['--run', 'lint'])),
  ]);
});
if (extraArgs.length > 0) {
  tests.push(built.then(() => vitest('as asked', extraArgs)));
} else {
  tests.push(unit);
  // Integration and e2e side by side: integration mostly waits (the machine sat ~90% idle through
  // it, alone), e2e computes in Chromium (~86% busy), so each fills the other's gaps. Integration
  // serves no site, so it starts at once, beside the build; the browser tests need the built site
  // (a failed build still runs them, so they say what is missing).
  tests.push(vitest('integration', ['--project', 'integration']));
  tests.push(built.then(() => vitest('e2e', ['--project', 'e2e'])));
}
await Promise.all([checked, built, ...tests]);
rmSync(outDir, { recursive: true, force: true });

// Where the time went: per project, and the slowest files.
process.stdout.write(`\n${'═'.repeat(74)}\nTime: ${elapsed(t0)} s in all; stages overlap.\n`);
// On a machine this busy the wall time follows the CPU time: the CPU is what a cut must cut.
const cpu = machineCpu(cpuAtStart, readProcStat());
if (cpu) {
  const busy = cpu.user + cpu.nice + cpu.system;
  process.stdout.write(
    `CPU: the machine's ${availableParallelism()} cores were busy ${Math.round(busy)} s of ${Math.round(busy + cpu.idle)} (${Math.round((100 * busy) / (busy + cpu.idle))}%; ` +
      `user ${Math.round(cpu.user)}, nice ${Math.round(cpu.nice)}, system ${Math.round(cpu.system)}), this run and anything else running.\n`,
  );
}
for (const s of stages) process.stdout.write(`  ${s.name}: ${s.seconds} s\n`);
const projects = [...new Set(timings.map((t) => t.project))];
for (const project of projects) {
  const files = timings.filter((t) => t.project === project);
  const sum = files.reduce((total, t) => total + t.ms, 0) / 1000;
  process.stdout.write(`  ${project}: ${files.length} files, ${sum.toFixed(1)} s of file time\n`);
}
const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 15);
if (slowest.length > 0) process.stdout.write('Slowest files:\n');
for (const t of slowest) process.stdout.write(`  ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.file} (${t.tests} tests)\n`);

const failedStages = stages.filter((s) => !s.ok && !s.name.startsWith('tests')).length;
const okStages = stages.filter((s) => s.ok && !s.name.startsWith('tests')).length;
process.stdout.write(`${'═'.repeat(74)}\n`);
for (const s of stages) process.stdout.write(`${s.ok ? '✓' : '✗'} ${s.name}: ${s.detail}\n`);
if (failures.length > 0) process.stdout.write(`Failed:\n${failures.map((f) => `  ✗ ${f}\n`).join('')}`);
process.stdout.write(
  `(type check, lint and build count as one check each; the rest are vitest tests)\n` +
    `Summary: ${counts.passed + okStages} passed, ${counts.failed + failedStages} failed, ${counts.skipped} skipped\n`,
);
process.exit(stages.every((s) => s.ok) ? 0 : 1);
