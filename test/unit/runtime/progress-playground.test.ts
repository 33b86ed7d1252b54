import { describe, expect, it } from 'vitest';
import { forgetCode, loadCode, saveCode } from '../../../src/runtime/progress/playground.ts';
import type { KeyValueStore } from '../../../src/runtime/storage.ts';
import { memoryStorage } from '../memory-storage.ts';

describe('progress store', () => {
  it('keeps code per playground and file under the documented keys', () => {
    const s = memoryStorage();
    saveCode(s, 'first-client', 'shared', 'ws.send(1)');
    saveCode(s, 'chat-trio', 'alice', 'hi');
    expect([...s.data.keys()]).toEqual(['fd:v1:code:first-client:shared', 'fd:v1:code:chat-trio:alice']);
    expect(loadCode(s, 'first-client', 'shared')).toBe('ws.send(1)');
    forgetCode(s, 'first-client', 'shared');
    expect(loadCode(s, 'first-client', 'shared')).toBeNull();
  });

  it('treats throwing storage as nothing saved', () => {
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
    };
    expect(loadCode(broken, 'p', 'shared')).toBeNull();
    expect(() => saveCode(broken, 'p', 'shared', 'x')).not.toThrow();
  });
});
