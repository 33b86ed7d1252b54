/**
 * The collaborative editors' sync path: how many keystrokes three editors keep
 * in sync per second, each keystroke going the whole way (textarea value →
 * diff → Yjs transaction → update, merged per 100 ms → base64 JSON → relay →
 * parse → applyUpdate → delta → the other textareas), while the updates cross
 * in flight; against the same keystrokes applied to one string with nothing to
 * sync (the baseline, run here too). People type about ten characters a
 * second; the target leaves room for a hundred of them, on a slow phone. Keys
 * scattered all over the text are the worst case: Yjs cannot merge neighbouring
 * characters into one item, and computing each change's delta walks every item;
 * its target is ten people typing at full speed.
 */
import type { Surface } from '../src/runtime/collab/binding.ts';
import type { Clock } from '../src/runtime/collab/network.ts';
import { CollabRoom, type SocketLike } from '../src/runtime/collab/room.ts';
import { runIfMain, type BenchResult } from './types.ts';

const KEYS_PER_EDITOR = 2000;
const EDITORS = ['alice', 'bob', 'carol'];
/** Milliseconds of simulated time per round of keystrokes (one key per editor): fast typing. */
const ROUND_MS = 10;

/** A small seeded generator, so every run types the same keys. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Simulated time: timers run when the bench moves the clock. */
class StepClock implements Clock {
  #now = 0;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #id = 0;
  now = (): number => this.#now;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.#id;
    this.#timers.push({ at: this.#now + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  };
  get idle(): boolean {
    return this.#timers.length === 0;
  }
  advance(ms: number): void {
    this.#now += ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= this.#now).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) return;
      this.#timers = this.#timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

/** /broadcast in memory: every message to every socket at once, the sender included. */
function relay(): () => SocketLike {
  const sockets: SocketLike[] = [];
  return () => {
    const socket: SocketLike = {
      readyState: 1,
      onopen: null,
      onmessage: null,
      onclose: null,
      send: (data) => {
        for (const s of sockets) s.onmessage?.(new MessageEvent('message', { data }));
      },
      close: () => {},
    };
    sockets.push(socket);
    queueMicrotask(() => socket.onopen?.(new Event('open')));
    return socket;
  };
}

class Box implements Surface {
  value = '';
  selectionStart = 0;
  selectionEnd = 0;
  replace(value: string, start: number, end: number): void {
    this.value = value;
    this.selectionStart = start;
    this.selectionEnd = end;
  }
}

type Typist = (box: Box, random: () => number) => void;

/** Words at a caret that moves now and then, with the odd backspace: how people type. */
const words: Typist = (box, random) => {
  if (random() < 0.05) box.selectionStart = box.selectionEnd = Math.floor(random() * (box.value.length + 1));
  const at = box.selectionStart;
  if (random() < 0.1 && at > 0) {
    box.value = box.value.slice(0, at - 1) + box.value.slice(at);
    box.selectionStart = box.selectionEnd = at - 1;
    return;
  }
  box.value = box.value.slice(0, at) + (random() < 0.2 ? ' ' : 'x') + box.value.slice(at);
  box.selectionStart = box.selectionEnd = at + 1;
};

/** Every keystroke somewhere else: no two neighbouring characters typed together. */
const scattered: Typist = (box, random) => {
  const at = Math.floor(random() * (box.value.length + 1));
  box.value = `${box.value.slice(0, at)}x${box.value.slice(at)}`;
  box.selectionStart = box.selectionEnd = at + 1;
};

async function crossing(typist: Typist, delayMs: number): Promise<{ ms: number; keys: number; same: boolean }> {
  const random = rng(42);
  const clock = new StepClock();
  const boxes = new Map(EDITORS.map((id) => [id, new Box()]));
  const room = new CollabRoom({ ids: EDITORS, surfaces: boxes, initial: 'start', mode: 'crdt', clock, delay: () => delayMs, connect: relay(), onChange: () => {}, docId: 'bench' });
  await Promise.resolve();
  clock.advance(delayMs * 2 + 1);
  const started = performance.now();
  for (let round = 0; round < KEYS_PER_EDITOR; round++) {
    for (const id of EDITORS) {
      typist(boxes.get(id) as Box, random);
      room.typed(id);
    }
    clock.advance(ROUND_MS);
  }
  while (!clock.idle) clock.advance(ROUND_MS);
  const ms = performance.now() - started;
  const same = new Set([...boxes.values()].map((b) => b.value)).size === 1;
  room.stop();
  return { ms, keys: KEYS_PER_EDITOR * EDITORS.length, same };
}

/** The baseline: the same keystrokes typed into one box, nothing to sync. */
function direct(typist: Typist, count: number): number {
  const random = rng(42);
  const box = new Box();
  box.value = 'start';
  const started = performance.now();
  for (let i = 0; i < count; i++) typist(box, random);
  return performance.now() - started;
}

export async function run(): Promise<BenchResult[]> {
  await crossing(words, 400); // warm up the JIT
  const results: BenchResult[] = [];
  const cases: [string, Typist, number, number][] = [
    ['words at a caret', words, 0, 1000],
    ['words at a caret', words, 400, 1000],
    ['words at a caret', words, 1500, 1000],
    ['every key somewhere else (worst case)', scattered, 1500, 100],
  ];
  for (const [label, typist, delay, target] of cases) {
    const { ms, keys, same } = await crossing(typist, delay);
    const rate = Math.round((keys / ms) * 1000);
    const baseline = Math.round((keys / direct(typist, keys)) * 1000);
    results.push({
      name: `collab: keystrokes kept in sync by Yjs, 3 editors, ${label}, ${delay} ms delay each way${same ? '' : ' (DIVERGED)'}`,
      value: rate,
      unit: 'keys/s',
      baseline,
      target: `≥ ${target.toLocaleString('en-US')} keys/s, copies identical`,
      ok: same && rate >= target,
    });
  }
  return results;
}

await runIfMain(import.meta, 'collab', run);
