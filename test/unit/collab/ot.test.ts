import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, compact, del, diff, EditError, insert, transform, transformCaret, type Edit, type Op } from '../../../src/runtime/collab/ot.ts';
import { CollabSession, parseCollabMessage, parseWholeMessage, type CollabMessage } from '../../../src/runtime/collab/session.ts';

describe('apply', () => {
  it('inserts and deletes by position, in order', () => {
    expect(apply('Hello', [insert(5, ' world'), del(0, 1), insert(0, 'J')])).toBe('Jello world');
  });
  it('refuses positions outside the document', () => {
    expect(() => apply('abc', [insert(4, 'x')])).toThrow(EditError);
    expect(() => apply('abc', [del(2, 2)])).toThrow('deleting 2 at 2 runs past the end (3)');
  });
});

describe('transform', () => {
  const both = (doc: string, a: Edit, b: Edit, aFirst = true): [string, string] => {
    const [a2, b2] = transform(a, b, aFirst);
    return [apply(apply(doc, a), b2), apply(apply(doc, b), a2)];
  };

  it('two inserts at one place: the one the server ordered first goes first, on both sides', () => {
    expect(both('ab', [insert(1, 'X')], [insert(1, 'Y')], true)).toEqual(['aXYb', 'aXYb']);
    expect(both('ab', [insert(1, 'X')], [insert(1, 'Y')], false)).toEqual(['aYXb', 'aYXb']);
  });

  it('an insert after a delete moves left by what was deleted before it', () => {
    expect(transform([insert(5, '!')], [del(0, 2)], true)[0]).toEqual([insert(3, '!')]);
  });

  it('an insert inside a deleted range survives at the start of the range', () => {
    expect(transform([insert(3, 'X')], [del(1, 4)], true)[0]).toEqual([insert(1, 'X')]);
    expect(both('abcdefg', [insert(3, 'X')], [del(1, 4)])).toEqual(['aXfg', 'aXfg']);
  });

  it('a delete around text typed inside it splits in two and keeps the new text', () => {
    expect(transform([del(1, 4)], [insert(3, 'XY')], true)[0]).toEqual([del(1, 2), del(3, 2)]);
    expect(both('abcdefg', [del(1, 4)], [insert(3, 'XY')])).toEqual(['aXYfg', 'aXYfg']);
  });

  it('overlapping deletes remove each character once', () => {
    expect(transform([del(2, 4)], [del(0, 3)], true)[0]).toEqual([del(0, 3)]);
    expect(transform([del(1, 2)], [del(0, 5)], true)[0]).toEqual([]);
    expect(both('abcdefgh', [del(2, 4)], [del(0, 3)])).toEqual(['gh', 'gh']);
  });

  const opOn = (length: number): fc.Arbitrary<Op> =>
    fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), pos: fc.integer({ min: 0, max: length }), text: fc.string({ minLength: 1, maxLength: 3 }) }),
      ...(length > 0
        ? [fc.integer({ min: 0, max: length - 1 }).chain((pos) => fc.integer({ min: 1, max: length - pos }).map((n): Op => del(pos, n)))]
        : []),
    );
  /** A random edit of several ops, each valid on the document the previous ones left. */
  const editOn = (doc: string): fc.Arbitrary<Edit> =>
    fc.integer({ min: 1, max: 3 }).chain((count) => {
      const step = (text: string, left: number): fc.Arbitrary<Op[]> =>
        left === 0 ? fc.constant([]) : opOn(text.length).chain((op) => step(apply(text, [op]), left - 1).map((rest) => [op, ...rest]));
      return step(doc, count);
    });

  it('converges for any two concurrent edits (property)', () => {
    const doc = 'the quick brown fox';
    fc.assert(
      fc.property(editOn(doc), editOn(doc), fc.boolean(), (a, b, aFirst) => {
        const [left, right] = both(doc, a, b, aFirst);
        expect(left).toBe(right);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compact', () => {
  it('merges typing, backspacing and typing-then-erasing into as few operations as give the same text', () => {
    expect(compact([insert(3, 'a'), insert(4, 'b'), insert(5, 'c')])).toEqual([insert(3, 'abc')]);
    expect(compact([del(5, 1), del(4, 1), del(3, 1)])).toEqual([del(3, 3)]);
    expect(compact([del(3, 1), del(3, 1)])).toEqual([del(3, 2)]);
    expect(compact([insert(3, 'abc'), del(5, 1)])).toEqual([insert(3, 'ab')]);
    expect(compact([insert(3, 'a'), del(3, 1)])).toEqual([]);
    expect(compact([insert(3, 'a'), insert(9, 'b')])).toEqual([insert(3, 'a'), insert(9, 'b')]);
  });

  it('never changes what an edit does (property)', () => {
    const doc = 'collaborate';
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.string({ minLength: 1, maxLength: 2 })), { maxLength: 12 }),
        (steps) => {
          let text = doc;
          const edit: Op[] = [];
          for (const [remove, seed, chars] of steps) {
            const pos = seed % (text.length + 1);
            const op = remove && pos < text.length ? del(pos, 1) : insert(pos, chars);
            edit.push(op);
            text = apply(text, [op]);
          }
          expect(apply(doc, compact(edit))).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('diff', () => {
  it('finds the one change between two values', () => {
    expect(diff('Hello', 'Hello!')).toEqual([insert(5, '!')]);
    expect(diff('Hello', 'Hllo', 1)).toEqual([del(1, 1)]);
    expect(diff('Hello world', 'Hello there', 11)).toEqual([del(6, 5), insert(6, 'there')]);
  });
  it('uses the caret where the change is ambiguous', () => {
    expect(diff('aa', 'aaa', 1)).toEqual([insert(0, 'a')]);
    expect(diff('aaa', 'aa', 1)).toEqual([del(1, 1)]);
  });
  it('reproduces the new value (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.nat(), (before, after, c) => {
        expect(apply(before, diff(before, after, c % (after.length + 1)))).toBe(after);
      }),
    );
  });
});

describe('transformCaret', () => {
  it('moves with text inserted or deleted before it', () => {
    expect(transformCaret(4, [insert(0, 'ab')])).toBe(6);
    expect(transformCaret(4, [del(1, 2)])).toBe(2);
    expect(transformCaret(4, [del(2, 5)])).toBe(2);
    expect(transformCaret(4, [insert(4, 'x')])).toBe(4);
    expect(transformCaret(4, [insert(4, 'x')], true)).toBe(5);
  });
});

describe('CollabSession', () => {
  /** A relay like /broadcast: one queue, every message to every session, the sender included. */
  function network(ids: string[], initial: string) {
    const relay: CollabMessage[] = [];
    const inbox = new Map<string, CollabMessage[]>(ids.map((id) => [id, []]));
    const sessions = new Map(ids.map((id) => [id, new CollabSession({ doc: 'd', id, initial, send: (m) => relay.push(m) })]));
    const deliverToServer = (): boolean => {
      const m = relay.shift();
      if (!m) return false;
      for (const box of inbox.values()) box.push(JSON.parse(JSON.stringify(m)) as CollabMessage);
      return true;
    };
    const deliverTo = (id: string): boolean => {
      const m = inbox.get(id)?.shift();
      if (!m) return false;
      sessions.get(id)?.receive(m);
      return true;
    };
    const drain = (): void => {
      while (deliverToServer() || ids.some((id) => deliverTo(id)));
    };
    return { sessions, deliverToServer, deliverTo, drain, relay };
  }

  it('two editors typing at the same place at the same moment end with the same text', () => {
    const net = network(['alice', 'bob'], 'Hi');
    const alice = net.sessions.get('alice') as CollabSession;
    const bob = net.sessions.get('bob') as CollabSession;
    alice.local([insert(2, ' Bob')]);
    bob.local([insert(2, ' Alice')]);
    expect([alice.text, bob.text]).toEqual(['Hi Bob', 'Hi Alice']);
    net.drain();
    // alice's edit reached the server first, so it comes first on both sides.
    expect([alice.text, bob.text]).toEqual(['Hi Bob Alice', 'Hi Bob Alice']);
    expect([alice.revision, bob.revision, alice.pending, bob.pending]).toEqual([2, 2, 0, 0]);
  });

  it('keeps one edit in flight and sends what was typed meanwhile as one edit', () => {
    const net = network(['alice'], '');
    const alice = net.sessions.get('alice') as CollabSession;
    alice.local([insert(0, 'a')]);
    alice.local([insert(1, 'b')]);
    alice.local([insert(2, 'c')]);
    expect(net.relay.map((m) => m.ops)).toEqual([[insert(0, 'a')]]);
    net.deliverToServer();
    net.deliverTo('alice');
    expect(net.relay).toEqual([{ doc: 'd', from: 'alice', base: 1, ops: [insert(1, 'bc')] }]);
    net.drain();
    expect([alice.text, alice.pending]).toEqual(['abc', 0]);
  });

  it('three editors converge whatever the timing (property)', () => {
    const ids = ['alice', 'bob', 'carol'];
    const action = fc.oneof(
      fc.record({ type: fc.constant('edit' as const), who: fc.nat(2), seed: fc.nat(), text: fc.string({ minLength: 1, maxLength: 2 }), remove: fc.boolean() }),
      fc.record({ type: fc.constant('server' as const) }),
      fc.record({ type: fc.constant('deliver' as const), who: fc.nat(2) }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const net = network(ids, 'shared text');
        for (const a of actions) {
          if (a.type === 'server') net.deliverToServer();
          else if (a.type === 'deliver') net.deliverTo(ids[a.who] as string);
          else {
            const session = net.sessions.get(ids[a.who] as string) as CollabSession;
            const len = session.text.length;
            const pos = a.seed % (len + 1);
            session.local(a.remove && pos < len ? [del(pos, Math.min(2, len - pos))] : [insert(pos, a.text)]);
          }
        }
        net.drain();
        const texts = ids.map((id) => net.sessions.get(id)?.text);
        expect(new Set(texts).size).toBe(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads only well-formed edits of its own document from the wire', () => {
    const ok = { doc: 'd', from: 'bob', base: 0, ops: [{ kind: 'insert', pos: 0, text: 'x' }] };
    expect(parseCollabMessage(JSON.stringify(ok), 'd')).toEqual(ok);
    expect(parseCollabMessage(JSON.stringify(ok), 'other')).toBeNull();
    expect(parseCollabMessage('bob says hello', 'd')).toBeNull();
    expect(parseCollabMessage(JSON.stringify({ ...ok, ops: [{ kind: 'delete', pos: 0, length: 0 }] }), 'd')).toBeNull();
    expect(parseCollabMessage(JSON.stringify({ ...ok, base: -1 }), 'd')).toBeNull();
  });

  it('reads whole copies of its own document only, for the naive mode', () => {
    const whole = { doc: 'd', from: 'bob', whole: 'Plan: bob brings snacks.' };
    expect(parseWholeMessage(JSON.stringify(whole), 'd')).toEqual(whole);
    expect(parseWholeMessage(JSON.stringify(whole), 'other')).toBeNull();
    expect(parseWholeMessage(JSON.stringify({ doc: 'd', from: 'bob', base: 0, ops: [] }), 'd')).toBeNull();
    expect(parseWholeMessage('null', 'd')).toBeNull();
  });
});
