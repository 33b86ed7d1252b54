/**
 * The collaborative editor's transformation core: how many keystrokes three
 * editors keep in sync per second while their edits cross in flight, against
 * the same keystrokes applied to one string with nothing to transform (the
 * baseline, run here too). People type about ten characters a second; the
 * target leaves room for a hundred of them, on a slow phone.
 */
import { apply, del, insert, type Op } from '../src/runtime/collab/ot.ts';
import { CollabSession, type CollabMessage } from '../src/runtime/collab/session.ts';
import { runIfMain, type BenchResult } from './types.ts';

const EDITS_PER_CLIENT = 2000;
const CLIENTS = ['alice', 'bob', 'carol'];

/** A small seeded generator, so every run types the same edits. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Typist = (text: string, random: () => number, state: { caret: number }) => Op;

/** Words at a caret that moves now and then, with the odd backspace: how people type. */
const words: Typist = (text, random, state) => {
  if (random() < 0.05 || state.caret > text.length) state.caret = Math.floor(random() * (text.length + 1));
  if (random() < 0.1 && state.caret > 0) {
    state.caret -= 1;
    return del(state.caret, 1);
  }
  state.caret += 1;
  return insert(state.caret - 1, random() < 0.2 ? ' ' : 'x');
};

/** Every keystroke somewhere else: nothing merges, the worst case for the transformation. */
const scattered: Typist = (text, random) => insert(Math.floor(random() * (text.length + 1)), 'x');

/** Three sessions on an in-memory relay; each types, and reads what the relay sent only every `lag` rounds. */
function crossing(typist: Typist, lag: number): { ms: number; keystrokes: number; same: boolean } {
  const random = rng(42);
  const relay: CollabMessage[] = [];
  const inbox = new Map<string, CollabMessage[]>(CLIENTS.map((c) => [c, []]));
  const sessions = CLIENTS.map((id) => new CollabSession({ doc: 'bench', id, initial: 'start', send: (m) => relay.push(m) }));
  const carets = CLIENTS.map(() => ({ caret: 0 }));
  const deliver = (): void => {
    for (const message of relay.splice(0)) for (const box of inbox.values()) box.push(message);
    for (const [i, session] of sessions.entries()) {
      for (const message of (inbox.get(CLIENTS[i] as string) as CollabMessage[]).splice(0)) session.receive(message);
    }
  };
  const started = performance.now();
  for (let round = 1; round <= EDITS_PER_CLIENT; round++) {
    for (const [i, session] of sessions.entries()) session.local([typist(session.text, random, carets[i] as { caret: number })]);
    if (round % lag === 0) deliver();
  }
  while (relay.length > 0 || sessions.some((s) => s.pending > 0)) deliver();
  const ms = performance.now() - started;
  return { ms, keystrokes: EDITS_PER_CLIENT * CLIENTS.length, same: new Set(sessions.map((s) => s.text)).size === 1 };
}

/** The baseline: the same keystrokes applied to one string in order, nothing to transform or send. */
function direct(typist: Typist, count: number): number {
  const random = rng(42);
  const state = { caret: 0 };
  let text = 'start';
  const started = performance.now();
  for (let i = 0; i < count; i++) text = apply(text, [typist(text, random, state)]);
  return performance.now() - started;
}

export async function run(): Promise<BenchResult[]> {
  crossing(words, 8); // warm up the JIT
  const results: BenchResult[] = [];
  const cases: [string, Typist, number][] = [
    ['words at a caret', words, 1],
    ['words at a caret', words, 8],
    ['words at a caret', words, 32],
    ['every key somewhere else (worst case)', scattered, 32],
  ];
  for (const [label, typist, lag] of cases) {
    const { ms, keystrokes, same } = crossing(typist, lag);
    const rate = Math.round((keystrokes / ms) * 1000);
    const baseline = Math.round((keystrokes / direct(typist, keystrokes)) * 1000);
    results.push({
      name: `collab: keystrokes kept in sync, 3 editors, ${label}, ${lag} round${lag === 1 ? '' : 's'} in flight${same ? '' : ' (DIVERGED)'}`,
      value: rate,
      unit: 'keys/s',
      baseline,
      target: '≥ 1,000 keys/s, copies identical',
      ok: same && rate >= 1000,
    });
  }
  return results;
}

await runIfMain(import.meta, 'collab', run);
