import type { Question } from './schema.ts';

/** What grading needs to know about a question; the browser gets only this much. */
export type GradableQuestion = Pick<Question, 'id' | 'kind'> & { answers: readonly { id: string; correct: boolean }[] };

/**
 * Single choice (and true/false): exactly one answer chosen, and it is the
 * correct one. Multiple choice: all of the correct answers and none of the
 * others. No partial credit: a question is right or wrong.
 */
export function isCorrect(question: GradableQuestion, selected: readonly string[]): boolean {
  const chosen = new Set(selected);
  if (chosen.size !== selected.length) return false;
  const correct = question.answers.filter((answer) => answer.correct).map((answer) => answer.id);
  if (question.kind !== 'multiple' && selected.length !== 1) return false;
  return chosen.size === correct.length && correct.every((id) => chosen.has(id));
}

export interface Score {
  correct: number;
  total: number;
}

/** Score over the whole quiz; a question with no saved answer counts as wrong. */
export function scoreQuiz(questions: readonly GradableQuestion[], answers: Readonly<Record<string, readonly string[]>>): Score {
  const correct = questions.filter((question) => isCorrect(question, answers[question.id] ?? [])).length;
  return { correct, total: questions.length };
}
