// zod/mini: this runs on every page, and the full zod build would add ~26 KB gzip to each.
import { z } from 'zod/mini';
import { parseJsonOrNull } from '../../../protocol/json.ts';
import type { KeyValueStore } from '../storage.ts';

/**
 * The learner's course progress, kept in the browser only (no account): which
 * lessons were visited, which exercises passed, which knowledge checks were
 * answered. Storage is passed in, so the store runs under tests with a Map.
 *
 * A lesson is "done" when it was visited and every exercise and knowledge
 * check that its page carried at the last visit is passed / answered. The page
 * reports what it carries on each visit, so no build-time manifest is needed
 * and a lesson that gains an exercise stops being done until it is passed.
 */
export const PROGRESS_STORAGE_KEY = 'full-duplex:progress';

/** Attributes a lesson page's components carry so a visit knows what the lesson asks. */
export const PROGRESS_ATTRS = {
  exercise: 'data-progress-exercise',
  quiz: 'data-progress-quiz',
} as const;

const lessonSchema = z.object({
  visitedAt: z
    .nullable(z.number())
    .check(z.describe('When the lesson page was last opened (ms since epoch), or null.')),
  exercises: z.array(z.string()).check(z.describe('Ids of the exercises the page carried at the last visit.')),
  quizzes: z.array(z.string()).check(z.describe('Ids of the knowledge checks the page carried at the last visit.')),
  passed: z.array(z.string()).check(z.describe('Ids of exercises whose check passed at least once.')),
  answered: z
    .record(z.string(), z.object({ score: z.number().check(z.int(), z.nonnegative()), total: z.number().check(z.int(), z.positive()) }))
    .check(z.describe('Best result per knowledge check id.')),
});

export const progressSchema = z.object({
  version: z.literal(1).check(z.describe('Format version; an unknown version is discarded.')),
  lessons: z.record(z.string(), lessonSchema).check(z.describe('Per lesson slug, e.g. "lessons/first-client".')),
});

export type Progress = z.infer<typeof progressSchema>;
export type LessonProgress = z.infer<typeof lessonSchema>;
export type LessonState = 'not-started' | 'in-progress' | 'done';

export interface LessonStatus {
  state: LessonState;
  exercises: { passed: number; total: number };
  quizzes: { answered: number; total: number };
}


const empty = (): Progress => ({ version: 1, lessons: {} });
const emptyLesson = (): LessonProgress => ({ visitedAt: null, exercises: [], quizzes: [], passed: [], answered: {} });

export class ProgressStore {
  readonly #storage: KeyValueStore;
  readonly #now: () => number;

  constructor(storage: KeyValueStore, now: () => number = Date.now) {
    this.#storage = storage;
    this.#now = now;
  }

  /** The stored progress; anything unreadable (hand-edited, old format) counts as none. */
  read(): Progress {
    let raw: string | null;
    try {
      raw = this.#storage.getItem(PROGRESS_STORAGE_KEY);
    } catch {
      return empty();
    }
    return (raw && parseJsonOrNull(raw, progressSchema)) || empty();
  }

  #update(lesson: string, change: (entry: LessonProgress) => void): void {
    const progress = this.read();
    const entry = progress.lessons[lesson] ?? emptyLesson();
    change(entry);
    progress.lessons[lesson] = entry;
    try {
      this.#storage.setItem(PROGRESS_STORAGE_KEY, JSON.stringify(progress));
    } catch {
      // Storage full or disabled (private mode): progress is a convenience, never an error.
    }
  }

  visit(lesson: string, carries: { exercises: readonly string[]; quizzes: readonly string[] }): void {
    this.#update(lesson, (entry) => {
      entry.visitedAt = this.#now();
      entry.exercises = [...new Set(carries.exercises)].sort();
      entry.quizzes = [...new Set(carries.quizzes)].sort();
    });
  }

  passExercise(lesson: string, id: string): void {
    this.#update(lesson, (entry) => {
      if (!entry.passed.includes(id)) entry.passed = [...entry.passed, id].sort();
    });
  }

  /** Whether the exercise with this playground id passed, on whichever lesson carries it. */
  exercisePassed(id: string, progress: Progress = this.read()): boolean {
    return Object.values(progress.lessons).some((entry) => entry.passed.includes(id));
  }

  /**
   * What the lesson still asks for, in page order as last visited: each
   * exercise (passed or not) and each knowledge check (answered or not).
   */
  checklist(lesson: string, progress: Progress = this.read()): { exercises: { id: string; done: boolean }[]; quizzes: { id: string; done: boolean }[] } {
    const entry = progress.lessons[lesson];
    if (!entry) return { exercises: [], quizzes: [] };
    return {
      exercises: entry.exercises.map((id) => ({ id, done: entry.passed.includes(id) })),
      quizzes: entry.quizzes.map((id) => ({ id, done: id in entry.answered })),
    };
  }

  /**
   * Where to pick the course up: the last visited lesson if it is not done,
   * otherwise the first lesson in course order that is not done; null when
   * nothing was visited yet or everything is done.
   */
  resumeAt(lessons: readonly string[], progress: Progress = this.read()): string | null {
    const visited = lessons
      .map((slug) => ({ slug, at: progress.lessons[slug]?.visitedAt ?? null }))
      .filter((v): v is { slug: string; at: number } => v.at !== null);
    if (visited.length === 0) return null;
    const last = visited.reduce((a, b) => (b.at > a.at ? b : a));
    if (this.status(last.slug, progress).state !== 'done') return last.slug;
    return lessons.find((slug) => this.status(slug, progress).state !== 'done') ?? null;
  }

  answerQuiz(lesson: string, id: string, score: number, total: number): void {
    this.#update(lesson, (entry) => {
      const best = entry.answered[id];
      if (!best || score > best.score || total !== best.total) entry.answered[id] = { score, total };
    });
  }

  status(lesson: string, progress: Progress = this.read()): LessonStatus {
    const entry = progress.lessons[lesson];
    if (!entry) return { state: 'not-started', exercises: { passed: 0, total: 0 }, quizzes: { answered: 0, total: 0 } };
    const exercises = { passed: entry.exercises.filter((id) => entry.passed.includes(id)).length, total: entry.exercises.length };
    const quizzes = { answered: entry.quizzes.filter((id) => id in entry.answered).length, total: entry.quizzes.length };
    const complete = entry.visitedAt !== null && exercises.passed === exercises.total && quizzes.answered === quizzes.total;
    const started = entry.visitedAt !== null || entry.passed.length > 0 || Object.keys(entry.answered).length > 0;
    return { state: complete ? 'done' : started ? 'in-progress' : 'not-started', exercises, quizzes };
  }

  /** Lessons done out of those given (the written lessons of the outline). */
  overall(lessons: readonly string[]): { done: number; total: number } {
    const progress = this.read();
    return { done: lessons.filter((slug) => this.status(slug, progress).state === 'done').length, total: lessons.length };
  }

  /** Forgets everything: visits, passed exercises (their marks on the playgrounds too) and quiz results. */
  reset(): void {
    try {
      this.#storage.removeItem(PROGRESS_STORAGE_KEY);
    } catch {
      // See #update.
    }
  }
}
