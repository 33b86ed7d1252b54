/**
 * Every event the site's elements fire on the page, in one place and one
 * spelling (`fd:<what>`): the components dispatch them, the progress tracker
 * and the tests listen. All bubble to `document` (or are fired on it).
 */
export const PAGE_EVENTS = {
  /** detail: { id: string } — a playground's or server lab's exercise check passed. */
  exercisePassed: 'fd:exercise-passed',
  /** No detail: the stored course progress changed (recorded here, reset, or in another tab). */
  progressChanged: 'fd:progress-changed',
  /** detail: QuizEventDetail (progress/quiz.ts) — <fd-quiz> checked one question (bubbling, composed). */
  quizAnswered: 'fd:quiz-answered',
  /** detail: QuizEventDetail — the last unchecked question was checked: the quiz has a score. */
  quizCompleted: 'fd:quiz-completed',
  /** detail: { language: 'lua' | 'ts' } — the learner switched a server lab's language (the other labs on the page follow). */
  labLanguage: 'fd:lab-language',
} as const;
