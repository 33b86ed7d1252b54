import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TextBinding, applyDelta, diff, moveThroughDelta } from '../../../src/runtime/collab/binding.ts';
import { REMOTE } from '../../../src/runtime/collab/peer.ts';
import { FakeSurface } from './fakes.ts';

describe('diff', () => {
  it('finds one insert, one delete, or a replacement', () => {
    expect(diff('abc', 'abXc', 3)).toEqual({ pos: 2, remove: 0, insert: 'X' });
    expect(diff('abcd', 'ad', 1)).toEqual({ pos: 1, remove: 2, insert: '' });
    expect(diff('milk', 'oat', 3)).toEqual({ pos: 0, remove: 4, insert: 'oat' });
    expect(diff('same', 'same')).toBeNull();
  });

  it('uses the caret to place a keystroke among equal letters', () => {
    expect(diff('aa', 'aaa', 1)).toEqual({ pos: 0, remove: 0, insert: 'a' });
    expect(diff('aa', 'aaa', 3)).toEqual({ pos: 2, remove: 0, insert: 'a' });
  });
});

describe('moveThroughDelta and applyDelta', () => {
  const delta = [{ retain: 2 }, { delete: 3 }, { insert: 'XY' }];
  it('moves an index past inserts before it, back over deletes before it, to the start of a deletion around it', () => {
    // 5 is where the deletion ends and "XY" goes in: inserted at the index, so the index stays before it.
    expect([0, 1, 2, 3, 5, 6, 9].map((i) => moveThroughDelta(i, delta))).toEqual([0, 1, 2, 2, 2, 5, 8]);
  });
  it('leaves an index where text is inserted exactly at it (the caret stays with its own text)', () => {
    expect(moveThroughDelta(4, [{ retain: 4 }, { insert: 'abc' }])).toBe(4);
    expect(moveThroughDelta(5, [{ retain: 4 }, { insert: 'abc' }])).toBe(8);
    // The start of a selection goes with the text after it.
    expect(moveThroughDelta(4, [{ retain: 4 }, { insert: 'abc' }], true)).toBe(7);
  });
  it('applies a delta to a string', () => {
    expect(applyDelta('abcdefghi', delta)).toBe('abXYfghi');
  });
});

describe('TextBinding', () => {
  it('puts typing into the Y.Text and shows remote changes with the selection moved', () => {
    const doc = new Y.Doc();
    const text = doc.getText('text');
    text.insert(0, 'hello world');
    const surface = new FakeSurface();
    const binding = new TextBinding(text, surface);
    expect(surface.value).toBe('hello world');

    surface.caret(5);
    surface.type(',');
    binding.typed();
    expect(text.toString()).toBe('hello, world');

    // Someone else inserts at the start and deletes "world" while the selection covers "hello".
    surface.caret(0, 5);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getText('text').insert(0, '>> ');
    remote.getText('text').delete(10, 5);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), REMOTE);
    expect(surface.value).toBe('>> hello, ');
    expect([surface.selectionStart, surface.selectionEnd]).toEqual([3, 8]);
    binding.destroy();
  });
});
