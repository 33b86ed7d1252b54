import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { QuizError } from './errors.ts';
import { parseQuiz } from './parse.ts';
import type { Quiz } from './schema.ts';

/**
 * The file-system edge of the engine: every `*.md` under a quiz folder, parsed.
 * All files are read before failing, so one build run reports every broken quiz.
 */
export interface LoadResult {
  quizzes: Quiz[];
  errors: QuizError[];
}

export interface LoadOptions {
  /** Directory holding the quiz files (quiz/ in the repo). */
  dir: string;
  /** How file names appear in messages: relative to this directory (the repo root). */
  root: string;
  knownLessons?: ReadonlySet<string>;
}

export async function loadQuizzes(options: LoadOptions): Promise<LoadResult> {
  const files = (await readdir(options.dir, { recursive: true }))
    .filter((name) => name.endsWith('.md') && !name.startsWith(`engine${sep}`))
    .map((name) => join(options.dir, name))
    .sort();
  const quizzes: Quiz[] = [];
  const errors: QuizError[] = [];
  for (const path of files) {
    const file = relative(options.root, path).split(sep).join('/');
    const id = relative(options.dir, path).split(sep).join('/').replace(/\.md$/, '');
    try {
      quizzes.push(
        parseQuiz(await readFile(path, 'utf8'), file, options.knownLessons ? { id, knownLessons: options.knownLessons } : { id }),
      );
    } catch (error) {
      if (error instanceof QuizError) errors.push(error);
      else throw error;
    }
  }
  return { quizzes, errors };
}

/** One message for the build log, each problem on its own line as file:line:column. */
export function formatErrors(errors: readonly QuizError[]): string {
  const noun = errors.length === 1 ? 'quiz file is' : 'quiz files are';
  return `${errors.length} ${noun} malformed:\n${errors.map((error) => `  ${error.message}`).join('\n')}`;
}
