import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadQuizzes } from '../quiz/engine/load.ts';
import { runIfMain, type BenchResult } from './types.ts';

/**
 * Quiz benchmarks: how long the build spends parsing every quiz file, and
 * what the quiz script costs each page that shows a quiz.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const dir = join(root, 'quiz');

export async function run(): Promise<BenchResult[]> {
  const times: number[] = [];
  let questions = 0;
  for (let i = 0; i < 25; i += 1) {
    const start = performance.now();
    const { quizzes } = await loadQuizzes({ dir, root });
    times.push(performance.now() - start);
    questions = quizzes.reduce((sum, quiz) => sum + quiz.questions.length, 0);
  }
  times.sort((a, b) => a - b);
  const results: BenchResult[] = [
    { name: 'quiz: read + parse every file in quiz/ (median of 25)', value: Number((times[12] ?? 0).toFixed(1)), unit: 'ms', target: '< 500 ms', ok: (times[12] ?? 0) < 500 },
    { name: 'quiz: questions parsed', value: questions, unit: 'questions' },
  ];
  const assets = join(root, 'dist', '_astro');
  const script = statSync(assets, { throwIfNoEntry: false }) ? readdirSync(assets).find((name) => name.startsWith('Quiz.astro_') && name.endsWith('.js')) : undefined;
  if (script) {
    const bytes = readFileSync(join(assets, script));
    const gz = gzipSync(bytes).length;
    results.push({ name: 'quiz: client script, gzip', value: gz, unit: 'bytes', target: '< 15000 bytes', ok: gz < 15_000 });
  }
  return results;
}

await runIfMain(import.meta, 'quiz', run);
