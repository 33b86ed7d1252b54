export { QuizError, QUIZ_ERROR_CODES, type QuizErrorCode } from './errors.ts';
export { parseQuiz, digest, type ParseOptions } from './parse.ts';
export { isCorrect, scoreQuiz, type GradableQuestion, type Score } from './grade.ts';
export { mulberry32, shuffled, quizOrder, type QuizOrder } from './shuffle.ts';
export * from './schema.ts';
