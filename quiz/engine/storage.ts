import { z } from 'zod';

/**
 * What a quiz keeps in the learner's browser, and the events it fires. The
 * course-progress UI reads the same key and listens to the same events, so
 * both are defined here, once.
 *
 * localStorage[`fd-quiz:<quiz id>`] = JSON of SavedQuiz, e.g. `fd-quiz:lessons/echo-server`.
 */
export const STORAGE_PREFIX = 'fd-quiz:';

export const quizStorageKey = (quizId: string): string => `${STORAGE_PREFIX}${quizId}`;

/** Fired (bubbling, composed) on the <fd-quiz> element when the learner checks a question. */
export const QUIZ_ANSWERED_EVENT = 'fd-quiz-answered';
/** Fired when the last unchecked question has been checked: the quiz has a score. */
export const QUIZ_COMPLETED_EVENT = 'fd-quiz-completed';

export const SavedQuizSchema = z
  .strictObject({
    version: z.string().describe('Quiz version the answers belong to; another version means start afresh.'),
    seed: z.number().int().nonnegative().describe('Shuffle seed of this learner (uint32).'),
    answers: z
      .record(z.string(), z.array(z.string()))
      .describe('Checked questions only: question id → chosen answer ids.'),
    best: z.number().int().nonnegative().nullable().describe('Best score of a completed attempt, null before the first.'),
    total: z.number().int().positive().describe('Number of questions in the quiz.'),
  })
  .describe('A quiz attempt as saved in localStorage.');

export type SavedQuiz = z.infer<typeof SavedQuizSchema>;

export const QuizEventDetailSchema = z
  .strictObject({
    quiz: z.string().describe('Quiz id, e.g. "lessons/echo-server" or "final".'),
    lessons: z.array(z.string()).describe('Lesson slugs the quiz checks (from its front matter).'),
    question: z.string().nullable().describe('Question id just checked; null on the completed event.'),
    correct: z.boolean().nullable().describe('Whether that answer was right; null on the completed event.'),
    answered: z.number().int().nonnegative().describe('Questions checked so far in this attempt.'),
    score: z.number().int().nonnegative().describe('Correct answers so far in this attempt.'),
    total: z.number().int().positive().describe('Questions in the quiz.'),
    best: z.number().int().nonnegative().nullable().describe('Best completed score, null before the first.'),
  })
  .describe('detail of the fd-quiz-answered and fd-quiz-completed events.');

export type QuizEventDetail = z.infer<typeof QuizEventDetailSchema>;

/** The part of the Web Storage API used here, so tests can pass a Map-backed fake. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The saved attempt for this version of the quiz, or null (none, corrupt, other version, storage blocked). */
export function loadSaved(store: KeyValueStore, quizId: string, version: string): SavedQuiz | null {
  let raw: string | null;
  try {
    raw = store.getItem(quizStorageKey(quizId));
  } catch {
    return null;
  }
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = SavedQuizSchema.safeParse(json);
  return parsed.success && parsed.data.version === version ? parsed.data : null;
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
