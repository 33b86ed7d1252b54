import { describe, expect, it } from 'vitest';
import { loadSaved, quizStorageKey, save, type KeyValueStore, type SavedQuiz } from '../../../src/runtime/progress/quiz.ts';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const saved: SavedQuiz = { version: 'abcd1234', seed: 99, answers: { q1: ['a2'] }, best: 3, total: 4 };

describe('quiz storage', () => {
  it('uses the documented key', () => {
    expect(quizStorageKey('lessons/echo-server')).toBe('fd-quiz:lessons/echo-server');
  });

  it('round-trips an attempt', () => {
    const store = memoryStore();
    expect(save(store, 'final', saved)).toBe(true);
    expect(store.data.get('fd-quiz:final')).toBe('{"version":"abcd1234","seed":99,"answers":{"q1":["a2"]},"best":3,"total":4}');
    expect(loadSaved(store, 'final', 'abcd1234')).toEqual(saved);
  });

  it('drops another version, corrupt JSON, a wrong shape, or a throwing storage', () => {
    const store = memoryStore();
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
