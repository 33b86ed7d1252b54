import { describe, expect, it } from 'vitest';
import {
  forgetCode,
  loadCode,
  saveCode,
  type StorageLike,
} from '../../../src/runtime/progress/playground.ts';

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, String(v)),
    removeItem: (k) => void map.delete(k),
    key: (i) => [...map.keys()][i] ?? null,
    get length() {
      return map.size;
    },
  };
}

describe('progress store', () => {
  it('keeps code per playground and file under the documented keys', () => {
    const s = memoryStorage();
    saveCode(s, 'first-client', 'shared', 'ws.send(1)');
    saveCode(s, 'chat-trio', 'alice', 'hi');
    expect([...s.map.keys()]).toEqual(['fd:v1:code:first-client:shared', 'fd:v1:code:chat-trio:alice']);
    expect(loadCode(s, 'first-client', 'shared')).toBe('ws.send(1)');
    forgetCode(s, 'first-client', 'shared');
    expect(loadCode(s, 'first-client', 'shared')).toBeNull();
  });

  it('treats throwing storage as nothing saved', () => {
    const broken: StorageLike = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
      key: () => null,
      length: 0,
    };
    expect(loadCode(broken, 'p', 'shared')).toBeNull();
    expect(() => saveCode(broken, 'p', 'shared', 'x')).not.toThrow();
  });
});
