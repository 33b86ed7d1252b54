/**
 * `npm test`: type check, lint, build (when stale), then every vitest project
 * (unit, integration, e2e in Chromium). All stages run even when one fails, so
 * one run shows everything; the last line is the count CI reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIfStale, root, run } from './site-build.ts';

interface Stage {
  name: string;
  ok: boolean;
  detail: string;
}

const node = process.execPath;
const bin = (pkg: string, file: string): string => `${root}node_modules/${pkg}/${file}`;
const stages: Stage[] = [];
const extraArgs = process.argv.slice(2);

async function stage(name: string, body: () => Promise<boolean>): Promise<void> {
  process.stdout.write(`\n── ${name} ${'─'.repeat(Math.max(0, 70 - name.length))}\n`);
  const ok = await body();
  stages.push({ name, ok, detail: ok ? 'ok' : 'FAILED' });
}

await stage('type check (astro check)', async () => (await run(node, [bin('astro', 'bin/astro.mjs'), 'check'])) === 0);
await stage('lint (eslint)', async () => (await run(node, [bin('eslint', 'bin/eslint.js'), '.'])) === 0);
await stage('build (astro build, when stale)', () => buildIfStale());

const outDir = mkdtempSync(join(tmpdir(), 'full-duplex-vitest-'));
const jsonFile = join(outDir, 'results.json');
let counts = { passed: 0, failed: 0, skipped: 0 };
await stage('tests (vitest: unit, integration, e2e)', async () => {
  const code = await run(node, [
    bin('vitest', 'vitest.mjs'),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonFile}`,
    ...extraArgs,
  ]);
  try {
    const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      testResults: { status: string; assertionResults: unknown[] }[];
    };
    const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0);
    counts = {
      passed: report.numPassedTests,
      // A file that fails to load (e.g. CI without a browser) has no tests, but is a failure.
      failed: report.numFailedTests + brokenFiles.length,
      skipped: report.numPendingTests + report.numTodoTests,
    };
  } catch {
    counts.failed += 1;
  }
  return code === 0;
});
rmSync(outDir, { recursive: true, force: true });

const failedStages = stages.filter((s) => !s.ok && !s.name.startsWith('tests')).length;
const okStages = stages.filter((s) => s.ok && !s.name.startsWith('tests')).length;
process.stdout.write(`\n${'═'.repeat(74)}\n`);
for (const s of stages) process.stdout.write(`${s.ok ? '✓' : '✗'} ${s.name}: ${s.detail}\n`);
process.stdout.write(
  `(type check, lint and build count as one check each; the rest are vitest tests)\n` +
    `Summary: ${counts.passed + okStages} passed, ${counts.failed + failedStages} failed, ${counts.skipped} skipped\n`,
);
process.exit(stages.every((s) => s.ok) ? 0 : 1);
