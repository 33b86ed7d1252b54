import * as z from 'zod/mini';
import { parseJsonOrNull } from '../../../protocol/json.ts';
import type { KeyValueStore } from '../storage.ts';

/**
 * What a quiz keeps in the learner's browser, and the detail of the events
 * it fires (their names are in ../events.ts with every other page event).
 *
 * localStorage[`fd-quiz:<quiz id>`] = JSON of SavedQuiz, e.g. `fd-quiz:lessons/echo-server`.
 */
export const STORAGE_PREFIX = 'fd-quiz:';

export const quizStorageKey = (quizId: string): string => `${STORAGE_PREFIX}${quizId}`;

// zod/mini, not classic zod: this module ships to the browser with every quiz, and mini tree-shakes
// to a few kilobytes. `.check(z.describe(…))` is mini's spelling of `.describe(…)`.
const count = () => z.int().check(z.nonnegative());

export const SavedQuizSchema = z
  .strictObject({
    version: z.string().check(z.describe('Quiz version the answers belong to; another version means start afresh.')),
    seed: count().check(z.describe('Shuffle seed of this learner (uint32).')),
    answers: z
      .record(z.string(), z.array(z.string()))
      .check(z.describe('Checked questions only: question id → chosen answer ids.')),
    best: z.nullable(count()).check(z.describe('Best score of a completed attempt, null before the first.')),
    total: z.int().check(z.positive(), z.describe('Number of questions in the quiz.')),
  })
  .check(z.describe('A quiz attempt as saved in localStorage.'));

export type SavedQuiz = z.infer<typeof SavedQuizSchema>;

export const QuizEventDetailSchema = z
  .strictObject({
    quiz: z.string().check(z.describe('Quiz id, e.g. "lessons/echo-server" or "final".')),
    lessons: z.array(z.string()).check(z.describe('Lesson slugs the quiz checks (from its front matter).')),
    question: z.nullable(z.string()).check(z.describe('Question id just checked; null on the completed event.')),
    correct: z.nullable(z.boolean()).check(z.describe('Whether that answer was right; null on the completed event.')),
    answered: count().check(z.describe('Questions checked so far in this attempt.')),
    score: count().check(z.describe('Correct answers so far in this attempt.')),
    total: z.int().check(z.positive(), z.describe('Questions in the quiz.')),
    best: z.nullable(count()).check(z.describe('Best completed score, null before the first.')),
  })
  .check(z.describe('detail of the fd:quiz-answered and fd:quiz-completed events.'));

export type QuizEventDetail = z.infer<typeof QuizEventDetailSchema>;

/** The saved attempt for this version of the quiz, or null (none, corrupt, other version, storage blocked). */
export function loadSaved(store: KeyValueStore, quizId: string, version: string): SavedQuiz | null {
  let raw: string | null;
  try {
    raw = store.getItem(quizStorageKey(quizId));
  } catch {
    return null;
  }
  if (raw === null) return null;
  const saved = parseJsonOrNull(raw, SavedQuizSchema);
  return saved?.version === version ? saved : null;
}

/** Saves; returns false when storage is full or blocked (private mode), which the quiz survives. */
export function save(store: KeyValueStore, quizId: string, saved: SavedQuiz): boolean {
  try {
    store.setItem(quizStorageKey(quizId), JSON.stringify(saved));
    return true;
  } catch {
    return false;
  }
}
