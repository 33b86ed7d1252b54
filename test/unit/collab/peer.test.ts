import { describe, expect, it } from 'vitest';
import { WholeDocPeer, YjsPeer, seedUpdate } from '../../../src/runtime/collab/peer.ts';
import { fromBase64, parseSyncMessage, toBase64, type UnsentMessage } from '../../../src/runtime/collab/wire.ts';
import { FakeClock } from './fakes.ts';

// One seed for every peer, as the room does: the same starting characters everywhere.
const SEED = seedUpdate('ab');
const peer = (id: string, clock: FakeClock, out: UnsentMessage[]) => new YjsPeer({ doc: 'd', id, clock, seed: SEED, send: (m) => out.push(m) });

describe('YjsPeer', () => {
  it('sends local changes, merged per 100 ms, and never sends on what it received', () => {
    const clock = new FakeClock();
    const fromA: UnsentMessage[] = [];
    const fromB: UnsentMessage[] = [];
    const a = peer('a', clock, fromA);
    const b = peer('b', clock, fromB);
    a.text.insert(2, 'x');
    a.text.insert(3, 'y');
    a.text.insert(4, 'z');
    expect(fromA.map((m) => m.kind)).toEqual(['update']);
    expect(a.waiting).toBe(true);
    clock.advance(100);
    expect(fromA.map((m) => m.kind)).toEqual(['update', 'update']);
    for (const m of fromA) b.receive({ ...m, seq: 0 });
    expect(b.text.toString()).toBe('abxyz');
    clock.runAll();
    expect(fromB).toEqual([]);
  });

  it('ignores its own messages and other documents', () => {
    const clock = new FakeClock();
    const out: UnsentMessage[] = [];
    const a = peer('a', clock, out);
    const other = new YjsPeer({ doc: 'elsewhere', id: 'b', clock, send: () => {}, seed: seedUpdate('ab') });
    other.text.insert(0, 'Q');
    a.receive({ kind: 'hello', doc: 'd', from: 'a', seq: 0, sv: 'AA==' });
    a.receive({ kind: 'update', doc: 'elsewhere', from: 'b', seq: 0, update: toBase64(new Uint8Array([0, 0])) });
    expect(out).toEqual([]);
    expect(a.text.toString()).toBe('ab');
  });

  it('answers a hello with exactly what the newcomer lacks', () => {
    const clock = new FakeClock();
    const out: UnsentMessage[] = [];
    const a = peer('a', clock, out);
    a.text.insert(0, 'Z');
    clock.runAll();
    out.length = 0;
    const newcomer = peer('n', clock, []);
    newcomer.join();
    a.receive({ kind: 'hello', doc: 'd', from: 'n', seq: 0, sv: toBase64(new Uint8Array([0])) });
    const reply = out[0];
    if (reply?.kind !== 'reply') throw new Error('no reply');
    expect(reply.to).toBe('n');
    newcomer.receive({ ...reply, seq: 0 });
    expect(newcomer.text.toString()).toBe('Zab');
    expect(fromBase64(reply.update).length).toBeGreaterThan(2);
  });
});

describe('WholeDocPeer', () => {
  it('sends its latest text at most once per 100 ms, and a copy that arrives replaces its own', () => {
    const clock = new FakeClock();
    const out: UnsentMessage[] = [];
    const p = new WholeDocPeer({ doc: 'd', id: 'a', clock, initial: 'x', send: (m) => out.push(m) });
    p.local('x1');
    p.local('x12');
    p.local('x123');
    clock.runAll();
    expect(out.map((m) => (m.kind === 'whole' ? m.whole : m.kind))).toEqual(['x1', 'x123']);
    expect(p.receive({ kind: 'whole', doc: 'd', from: 'b', seq: 0, whole: 'theirs' })).toBe('theirs');
    expect(p.text).toBe('theirs');
  });
});

describe('wire', () => {
  it('reads messages about its document only, and round-trips base64', () => {
    const bytes = new Uint8Array([0, 1, 254, 255, 128]);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    const text = JSON.stringify({ kind: 'whole', doc: 'd', from: 'a', seq: 3, whole: 'w' });
    expect(parseSyncMessage(text, 'd')).toEqual({ kind: 'whole', doc: 'd', from: 'a', seq: 3, whole: 'w' });
    expect(parseSyncMessage(text, 'other')).toBeNull();
    expect(parseSyncMessage('{"type":"error","code":"rate_limited"}', 'd')).toBeNull();
    expect(parseSyncMessage('not json', 'd')).toBeNull();
  });
});
