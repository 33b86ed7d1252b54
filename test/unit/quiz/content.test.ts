import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QUIZ_ERROR_CODES } from '../../../quiz/engine/errors.ts';
import { loadQuizzes } from '../../../quiz/engine/load.ts';
import { outline } from '../../../src/course.ts';

/** The course's own quizzes: one knowledge check per outline lesson, and a final quiz over every part. */
const knownLessons = new Set(outline.flatMap((part) => part.lessons.map((lesson) => lesson.slug)));
const { quizzes, errors } = await loadQuizzes({
  dir: fileURLToPath(new URL('../../../quiz/', import.meta.url)),
  root: fileURLToPath(new URL('../../../', import.meta.url)),
  knownLessons,
});
const byId = new Map(quizzes.map((quiz) => [quiz.id, quiz]));

describe('the quizzes in quiz/', () => {
  it('all parse', () => {
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it('has a knowledge check of 2 to 4 questions for every lesson in src/course.ts, checking that lesson', () => {
    for (const slug of knownLessons) {
      const quiz = byId.get(slug);
      expect(quiz, `quiz/${slug}.md`).toBeDefined();
      expect(quiz?.lessons, slug).toEqual([slug]);
      expect(quiz?.questions.length, slug).toBeGreaterThanOrEqual(2);
      expect(quiz?.questions.length, slug).toBeLessThanOrEqual(4);
    }
    expect([...byId.keys()].sort()).toEqual(['final', ...knownLessons].sort());
  });

  it('has a final quiz of at least 15 questions, all three kinds, drawn from every part of the course', () => {
    const final = byId.get('final');
    expect(final?.questions.length).toBeGreaterThanOrEqual(15);
    expect(new Set(final?.questions.map((q) => q.kind))).toEqual(new Set(['single', 'multiple', 'true-false']));
    const taught = new Set(final?.questions.map((q) => q.lesson));
    for (const part of outline) {
      expect(part.lessons.some((lesson) => taught.has(lesson.slug)), part.title).toBe(true);
    }
  });

  it('covers what the syllabus Quiz section asks the final quiz to test', () => {
    const texts = (byId.get('final')?.questions ?? []).map((q) => `${q.text} ${q.answers.map((a) => a.text).join(' ')}`);
    const asks = [
      /main advantage of WebSockets over plain HTTP.*Full-duplex/,
      /Lua \(OpenResty\) WebSocket server handle a connection.*branch on its type/,
      /typical use case.*chat application.*static website.*batch job/,
      /echo server do with a text frame/,
      /broadcast function for/,
      /NOT a property.*Statelessness/,
      /role of `?onmessage`?/,
      /live data feeds.*better than polling/,
      /opens a new connection for every message/,
      /sensible extension of the chat example.*Authenticating/,
    ];
    for (const ask of asks) expect(texts.some((text) => ask.test(text)), String(ask)).toBe(true);
  });
});

describe('the authoring guide', () => {
  it('explains every error code the parser can report', () => {
    const guide = readFileSync(new URL('../../../src/content/docs/guides/authoring.mdx', import.meta.url), 'utf8');
    expect(QUIZ_ERROR_CODES.filter((code) => !guide.includes(`| \`${code}\` |`))).toEqual([]);
  });
});
