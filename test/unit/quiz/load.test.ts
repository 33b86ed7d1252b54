import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatErrors, loadQuizzes } from '../../../quiz/engine/load.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../../fixtures/quiz/', import.meta.url));

describe('loadQuizzes', () => {
  it('reads every file, keeps the good ones and reports each broken one by repo-relative file:line', async () => {
    const { quizzes, errors } = await loadQuizzes({ dir: fixtures, root });
    expect(quizzes.map((quiz) => quiz.id)).toEqual(['valid']);
    expect(errors).toHaveLength(22);
    const several = errors.find((error) => error.code === 'several-correct');
    expect(several?.message).toBe(
      'test/fixtures/quiz/errors/several-correct.md:10:1: single-choice question "Pick one" has 2 correct answers; use a "- [x]" list for multiple choice [several-correct]',
    );
    expect(formatErrors(errors.slice(0, 1))).toBe(
      `1 quiz file is malformed:\n  test/fixtures/quiz/errors/bad-front-matter-type.md:4:10: "shuffle": Invalid input: expected boolean, received string [bad-front-matter]`,
    );
  });
});
