import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isCorrect, mulberry32, parseQuiz, quizOrder, scoreQuiz, shuffled } from '../../../quiz/engine/index.ts';

const quiz = parseQuiz(readFileSync(new URL('../../fixtures/quiz/valid.md', import.meta.url), 'utf8'), 'valid.md');
const [single, multiple, trueFalse] = quiz.questions as [NonNullable<(typeof quiz.questions)[0]>, NonNullable<(typeof quiz.questions)[0]>, NonNullable<(typeof quiz.questions)[0]>];

describe('isCorrect', () => {
  it('single choice: exactly the right answer', () => {
    expect(isCorrect(single, ['a1'])).toBe(true);
    expect(isCorrect(single, ['a2'])).toBe(false);
    expect(isCorrect(single, [])).toBe(false);
    expect(isCorrect(single, ['a1', 'a2'])).toBe(false);
    expect(isCorrect(single, ['a1', 'a1'])).toBe(false);
  });

  it('true/false grades as single choice', () => {
    expect(isCorrect(trueFalse, ['a2'])).toBe(true);
    expect(isCorrect(trueFalse, ['a1'])).toBe(false);
    expect(isCorrect(trueFalse, ['a1', 'a2'])).toBe(false);
  });

  it('multiple choice: all of the correct answers and none of the others', () => {
    expect(isCorrect(multiple, ['a2', 'a3'])).toBe(true);
    expect(isCorrect(multiple, ['a3', 'a2'])).toBe(true);
    expect(isCorrect(multiple, ['a2'])).toBe(false);
    expect(isCorrect(multiple, ['a2', 'a3', 'a4'])).toBe(false);
    expect(isCorrect(multiple, ['a1', 'a2', 'a3', 'a4'])).toBe(false);
    expect(isCorrect(multiple, [])).toBe(false);
    expect(isCorrect(multiple, ['a2', 'a3', 'a9'])).toBe(false);
  });

  it('a multiple-choice question whose one correct answer is chosen alone is right', () => {
    const oneRight = { id: 'q', kind: 'multiple' as const, answers: [{ id: 'a1', correct: true }, { id: 'a2', correct: false }] };
    expect(isCorrect(oneRight, ['a1'])).toBe(true);
    expect(isCorrect(oneRight, ['a1', 'a2'])).toBe(false);
  });
});

describe('scoreQuiz', () => {
  it('counts right answers; unanswered questions are wrong', () => {
    expect(scoreQuiz(quiz.questions, { q1: ['a1'], q2: ['a2', 'a3'], q3: ['a2'] })).toEqual({ correct: 3, total: 3 });
    expect(scoreQuiz(quiz.questions, { q1: ['a1'], q2: ['a2'], q3: ['a2'] })).toEqual({ correct: 2, total: 3 });
    expect(scoreQuiz(quiz.questions, { q2: ['a2', 'a3'] })).toEqual({ correct: 1, total: 3 });
    expect(scoreQuiz(quiz.questions, {})).toEqual({ correct: 0, total: 3 });
  });
});

describe('seeded shuffle', () => {
  it('mulberry32 is a pure function of its seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(first[0]);
  });

  it('shuffled returns a permutation and leaves its input alone', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (items, seed) => {
        const copy = [...items];
        const out = shuffled(items, mulberry32(seed));
        expect(items).toEqual(copy);
        expect([...out].sort()).toEqual([...items].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('quizOrder: same seed, same order; file order when shuffle is off; True before False always', () => {
    const order = quizOrder(quiz.questions, true, 7);
    expect(quizOrder(quiz.questions, true, 7)).toEqual(order);
    expect([...order.questions].sort()).toEqual(['q1', 'q2', 'q3']);
    expect(order.answers['q3']).toEqual(['a1', 'a2']);
    expect([...(order.answers['q2'] ?? [])].sort()).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(quizOrder(quiz.questions, false, 7)).toEqual({
      questions: ['q1', 'q2', 'q3'],
      answers: { q1: ['a1', 'a2', 'a3'], q2: ['a1', 'a2', 'a3', 'a4'], q3: ['a1', 'a2'] },
    });
  });

  it('quizOrder: different seeds give different orders (over 50 seeds, several distinct)', () => {
    const orders = new Set(Array.from({ length: 50 }, (_, seed) => JSON.stringify(quizOrder(quiz.questions, true, seed))));
    expect(orders.size).toBeGreaterThan(10);
  });
});
