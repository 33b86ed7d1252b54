import { describe, expect, it } from 'vitest';
import { loadSaved, quizStorageKey, save, type SavedQuiz } from '../../../src/runtime/progress/quiz.ts';
import type { KeyValueStore } from '../../../src/runtime/storage.ts';
import { memoryStorage } from '../memory-storage.ts';

const saved: SavedQuiz = { version: 'abcd1234', seed: 99, answers: { q1: ['a2'] }, best: 3, total: 4 };

describe('quiz storage', () => {
  it('uses the documented key', () => {
    expect(quizStorageKey('lessons/echo-server')).toBe('fd-quiz:lessons/echo-server');
  });

  it('round-trips an attempt', () => {
    const store = memoryStorage();
    expect(save(store, 'final', saved)).toBe(true);
    expect(store.data.get('fd-quiz:final')).toBe('{"version":"abcd1234","seed":99,"answers":{"q1":["a2"]},"best":3,"total":4}');
    expect(loadSaved(store, 'final', 'abcd1234')).toEqual(saved);
  });

  it('drops another version, corrupt JSON, a wrong shape, or a throwing storage', () => {
    const store = memoryStorage();
    save(store, 'final', saved);
    expect(loadSaved(store, 'final', 'ffffffff')).toBeNull();
    store.data.set('fd-quiz:final', '{not json');
    expect(loadSaved(store, 'final', 'abcd1234')).toBeNull();
    store.data.set('fd-quiz:final', JSON.stringify({ ...saved, seed: -1 }));
    expect(loadSaved(store, 'final', 'abcd1234')).toBeNull();
    expect(loadSaved(store, 'nothing', 'abcd1234')).toBeNull();
    const blocked: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(loadSaved(blocked, 'final', 'abcd1234')).toBeNull();
    expect(save(blocked, 'final', saved)).toBe(false);
  });
});
