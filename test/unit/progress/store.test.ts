import { describe, expect, it } from 'vitest';
import { PROGRESS_STORAGE_KEY, ProgressStore } from '../../../src/runtime/progress/store.ts';
import type { KeyValueStore } from '../../../src/runtime/storage.ts';
import { memoryStorage } from '../memory-storage.ts';
import { slugOf } from '../../../src/runtime/progress/page.ts';

describe('ProgressStore', () => {
  const lesson = 'lessons/first-client';

  it('a lesson with nothing to do is done once visited', () => {
    const store = new ProgressStore(memoryStorage(), () => 1000);
    expect(store.status(lesson).state).toBe('not-started');
    store.visit(lesson, { exercises: [], quizzes: [] });
    expect(store.status(lesson)).toEqual({
      state: 'done',
      exercises: { passed: 0, total: 0 },
      quizzes: { answered: 0, total: 0 },
    });
    expect(store.read().lessons[lesson]?.visitedAt).toBe(1000);
  });

  it('needs every exercise passed and every check answered', () => {
    const store = new ProgressStore(memoryStorage());
    store.visit(lesson, { exercises: ['greet', 'limit'], quizzes: ['first-client'] });
    expect(store.status(lesson).state).toBe('in-progress');
    store.passExercise(lesson, 'greet');
    store.passExercise(lesson, 'greet');
    store.answerQuiz(lesson, 'first-client', 1, 3);
    expect(store.status(lesson)).toEqual({
      state: 'in-progress',
      exercises: { passed: 1, total: 2 },
      quizzes: { answered: 1, total: 1 },
    });
    store.passExercise(lesson, 'limit');
    expect(store.status(lesson).state).toBe('done');
  });

  it('keeps the best quiz score', () => {
    const store = new ProgressStore(memoryStorage());
    store.answerQuiz(lesson, 'q', 3, 4);
    store.answerQuiz(lesson, 'q', 1, 4);
    expect(store.read().lessons[lesson]?.answered).toEqual({ q: { score: 3, total: 4 } });
  });

  it('a lesson that gains an exercise is no longer done until it is passed', () => {
    const store = new ProgressStore(memoryStorage());
    store.visit(lesson, { exercises: [], quizzes: [] });
    store.visit(lesson, { exercises: ['new'], quizzes: [] });
    expect(store.status(lesson).state).toBe('in-progress');
  });

  it('counts done lessons and resets', () => {
    const storage = memoryStorage();
    const store = new ProgressStore(storage);
    store.visit('lessons/a', { exercises: [], quizzes: [] });
    store.visit('lessons/b', { exercises: ['x'], quizzes: [] });
    expect(store.overall(['lessons/a', 'lessons/b', 'lessons/c'])).toEqual({ done: 1, total: 3 });
    store.reset();
    expect(storage.data.has(PROGRESS_STORAGE_KEY)).toBe(false);
    expect(store.overall(['lessons/a'])).toEqual({ done: 0, total: 1 });
  });

  it('knows which exercises passed, what each lesson still needs, and forgets both on reset', () => {
    const store = new ProgressStore(memoryStorage());
    store.visit(lesson, { exercises: ['first-client-exercise'], quizzes: ['lessons/first-client'] });
    expect(store.exercisePassed('first-client-exercise')).toBe(false);
    expect(store.checklist(lesson)).toEqual({
      exercises: [{ id: 'first-client-exercise', done: false }],
      quizzes: [{ id: 'lessons/first-client', done: false }],
    });
    store.passExercise(lesson, 'first-client-exercise');
    expect(store.exercisePassed('first-client-exercise')).toBe(true);
    expect(store.checklist(lesson).exercises).toEqual([{ id: 'first-client-exercise', done: true }]);
    store.reset();
    expect(store.exercisePassed('first-client-exercise')).toBe(false);
    expect(store.checklist(lesson)).toEqual({ exercises: [], quizzes: [] });
  });

  it('resumes at the last visited lesson unless it is done, then at the first lesson not done', () => {
    let now = 1;
    const store = new ProgressStore(memoryStorage(), () => now);
    const course = ['lessons/a', 'lessons/b', 'lessons/c'];
    expect(store.resumeAt(course)).toBeNull();
    store.visit('lessons/b', { exercises: ['x'], quizzes: [] });
    now = 2;
    store.visit('lessons/a', { exercises: [], quizzes: [] });
    // a is done (nothing to do), so the first lesson not done: b.
    expect(store.resumeAt(course)).toBe('lessons/b');
    now = 3;
    store.visit('lessons/c', { exercises: ['y'], quizzes: [] });
    expect(store.resumeAt(course)).toBe('lessons/c');
    store.passExercise('lessons/b', 'x');
    store.passExercise('lessons/c', 'y');
    expect(store.resumeAt(course)).toBeNull();
  });

  it('treats unreadable or foreign data as no progress, and survives a throwing storage', () => {
    const storage = memoryStorage();
    storage.data.set(PROGRESS_STORAGE_KEY, '{"version":2,"lessons":{}}');
    expect(new ProgressStore(storage).read()).toEqual({ version: 1, lessons: {} });
    storage.data.set(PROGRESS_STORAGE_KEY, 'not json');
    expect(new ProgressStore(storage).read()).toEqual({ version: 1, lessons: {} });
    const full: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(() => new ProgressStore(full).visit(lesson, { exercises: [], quizzes: [] })).not.toThrow();
  });
});

describe('slugOf', () => {
  it.each([
    ['/lessons/chat/', '/', 'lessons/chat'],
    ['/lessons/chat', '/', 'lessons/chat'],
    ['/course/lessons/chat/', '/course/', 'lessons/chat'],
    ['/', '/', ''],
  ])('%s (base %s) → %s', (path, base, slug) => {
    expect(slugOf(path, base)).toBe(slug);
  });
});
