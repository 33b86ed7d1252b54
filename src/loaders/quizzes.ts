import { fileURLToPath } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { formatErrors, loadQuizzes } from '../../quiz/engine/load.ts';
import { QuizSchema } from '../../quiz/engine/schema.ts';
import { outline } from '../course.ts';

/**
 * Content-collection loader for quiz/**\/*.md. It parses every quiz at build
 * time (and at `astro check`/`astro sync`), so a malformed quiz stops the
 * build with file:line:column instead of breaking in a learner's browser.
 */
export interface QuizLoaderOptions {
  /** Folder of quiz files; quiz/ at the repository root by default. */
  dir?: URL;
  /** Messages show files relative to this folder; the repository root by default. */
  root?: URL;
}

const REPO_ROOT = new URL('../../', import.meta.url);
const knownLessons = new Set(outline.flatMap((part) => part.lessons.map((lesson) => lesson.slug)));

export function quizLoader(options: QuizLoaderOptions = {}): Loader & { schema: typeof QuizSchema } {
  const dir = fileURLToPath(options.dir ?? new URL('quiz/', REPO_ROOT));
  const root = fileURLToPath(options.root ?? REPO_ROOT);

  async function sync({ store, parseData, generateDigest }: Pick<LoaderContext, 'store' | 'parseData' | 'generateDigest'>) {
    const { quizzes, errors } = await loadQuizzes({ dir, root, knownLessons });
    if (errors.length > 0) throw new Error(formatErrors(errors));
    store.clear();
    for (const quiz of quizzes) {
      const data = await parseData({ id: quiz.id, data: quiz });
      store.set({ id: quiz.id, data, digest: generateDigest(data), filePath: quiz.file });
    }
  }

  return {
    name: 'full-duplex-quizzes',
    schema: QuizSchema,
    async load(context) {
      await sync(context);
      const { watcher, logger } = context;
      if (!watcher) return;
      // In `astro dev`, re-read on edits; a broken quiz is logged and the last good data stays.
      watcher.add(dir);
      const reload = (path: string) => {
        if (!path.startsWith(dir) || !path.endsWith('.md')) return;
        sync(context).catch((error: unknown) => logger.error(error instanceof Error ? error.message : String(error)));
      };
      watcher.on('change', reload);
      watcher.on('add', reload);
      watcher.on('unlink', reload);
    },
  };
}
