import type { LoaderContext } from 'astro/loaders';
import { describe, expect, it } from 'vitest';
import { QuizSchema } from '../../../quiz/engine/schema.ts';
import { quizLoader } from '../../../src/loaders/quizzes.ts';

/** Just enough of Astro's loader context: a Map for the store, zod for parseData. */
function fakeContext() {
  const entries = new Map<string, { id: string; data: Record<string, unknown>; filePath?: string }>();
  const context = {
    store: {
      clear: () => entries.clear(),
      set: (entry: { id: string; data: Record<string, unknown>; filePath?: string }) => {
        entries.set(entry.id, entry);
        return true;
      },
    },
    parseData: async ({ data }: { data: Record<string, unknown> }) => QuizSchema.parse(data),
    generateDigest: (data: unknown) => JSON.stringify(data).length.toString(),
    logger: { error: () => {} },
  };
  return { entries, context: context as unknown as LoaderContext };
}

const fixtures = new URL('../../fixtures/quiz/', import.meta.url);
const root = new URL('../../../', import.meta.url);

describe('quizLoader (the build-time content loader)', () => {
  it('fails with every malformed file named as file:line:column', async () => {
    const { context } = fakeContext();
    const load = quizLoader({ dir: new URL('errors/', fixtures), root }).load(context);
    await expect(load).rejects.toThrow(/^22 quiz files are malformed:\n/);
    await expect(load).rejects.toThrow(
      'test/fixtures/quiz/errors/no-correct-answer.md:8:1: question "What does an echo server do?" has no correct answer: mark one with [x] [no-correct-answer]',
    );
    await expect(load).rejects.toThrow(
      'test/fixtures/quiz/errors/missing-explanation.md:13:1: question "Second, without explanation" has no explanation',
    );
  });

  it('stores the quizzes of the real quiz/ folder under their ids, lessons checked against the outline', async () => {
    const { context, entries } = fakeContext();
    await quizLoader().load(context);
    expect(entries.get('final')?.filePath).toBe('quiz/final.md');
    expect(entries.get('lessons/echo-server')?.data['id']).toBe('lessons/echo-server');
  });
});
