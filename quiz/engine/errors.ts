/**
 * Authoring errors. Each has a stable code (tests, the authoring guide and
 * anyone grepping build logs rely on it) and the place in the file where the
 * author has to look.
 */
export const QUIZ_ERROR_CODES = [
  'bad-front-matter',
  'unknown-front-matter-key',
  'unknown-lesson',
  'stray-content',
  'no-questions',
  'empty-question',
  'no-answers',
  'not-a-task-item',
  'too-few-answers',
  'empty-answer',
  'duplicate-answer',
  'no-correct-answer',
  'several-correct',
  'duplicate-hint',
  'several-answer-lists',
  'misplaced-explanation',
  'missing-explanation',
  'duplicate-explanation',
  'duplicate-lesson',
  'unexpected-content',
] as const;

export type QuizErrorCode = (typeof QUIZ_ERROR_CODES)[number];

export class QuizError extends Error {
  readonly code: QuizErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The problem without the location prefix. */
  readonly detail: string;

  constructor(code: QuizErrorCode, file: string, line: number, column: number, detail: string) {
    super(`${file}:${line}:${column}: ${detail} [${code}]`);
    this.name = 'QuizError';
    this.code = code;
    this.file = file;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}
