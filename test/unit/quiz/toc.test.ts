import { describe, expect, it } from 'vitest';
import { quizDomId, quizHeadingId, quizPlacements, withQuizzes, type TocEntry } from '../../../src/components/quiz/toc.ts';

const entry = (slug: string, text: string, depth = 2, children: TocEntry[] = []): TocEntry => ({ depth, slug, text, children });

describe('quiz headings in the table of contents', () => {
  it('names a quiz heading as Quiz.astro renders it', () => {
    expect(quizDomId('lessons/first-client')).toBe('quiz-lessons-first-client');
    expect(quizHeadingId('lessons/first-client')).toBe('quiz-lessons-first-client-title');
  });

  it('finds each level-2 quiz after the headings above it, skipping code blocks and level-3 quizzes', () => {
    const body = [
      'Intro.',
      '## One',
      '```md',
      '## not a heading',
      '<Quiz id="in-code" />',
      '```',
      '### A subsection',
      '<Quiz id="lessons/a" />',
      '## Two',
      '<Quiz id="nested" level={3} />',
      '## Three',
      '  <Quiz id="lessons/b"/>',
    ].join('\n');
    expect(quizPlacements(body)).toEqual([
      { quizId: 'lessons/a', headingsBefore: 1 },
      { quizId: 'lessons/b', headingsBefore: 3 },
    ]);
    expect(quizPlacements('No quiz here.\n## Heading')).toEqual([]);
  });

  it('inserts each quiz after the headings above it, after Starlight’s Overview entry', () => {
    const items = [entry('_top', 'Overview'), entry('one', 'One', 2, [entry('sub', 'Sub', 3)]), entry('whats-next', 'What’s next')];
    const titles = new Map([
      ['lessons/a', 'Check: A'],
      ['final', 'Final quiz'],
    ]);
    const out = withQuizzes(items, [{ quizId: 'lessons/a', headingsBefore: 1 }, { quizId: 'unknown', headingsBefore: 1 }], titles);
    expect(out.map((i) => i.slug)).toEqual(['_top', 'one', 'quiz-lessons-a-title', 'whats-next']);
    expect(out[2]).toEqual(entry('quiz-lessons-a-title', 'Check: A'));
    expect(items).toHaveLength(3);
    // A page that is only a quiz, and quizzes placed one after another.
    expect(withQuizzes([entry('_top', 'Overview')], [{ quizId: 'final', headingsBefore: 0 }], titles).map((i) => i.text)).toEqual(['Overview', 'Final quiz']);
    expect(
      withQuizzes([entry('_top', 'Overview'), entry('x', 'X')], [{ quizId: 'lessons/a', headingsBefore: 0 }, { quizId: 'final', headingsBefore: 1 }], titles).map((i) => i.slug),
    ).toEqual(['_top', 'quiz-lessons-a-title', 'x', 'quiz-final-title']);
  });
});
