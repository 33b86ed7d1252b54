import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CollabRoom } from '../../../src/runtime/collab/room.ts';
import { FakeBroadcast, FakeClock, FakeSurface } from './fakes.ts';

/**
 * Random concurrent typing by two or three editors, under random schedules and
 * random network delays (each message waits its own time, so they overtake
 * each other): every copy ends the same, and a run each editor typed left to
 * right stays in one piece, wherever the others typed meanwhile.
 */
const INITIAL = 'one two\n';
const LETTERS = ['a', 'b', 'c'];

const cyclic = (values: readonly number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

function setUp(peers: number, delays: number[], jitters: number[]) {
  const ids = LETTERS.slice(0, peers);
  const clock = new FakeClock();
  const server = new FakeBroadcast(clock, cyclic(jitters));
  const surfaces = new Map(ids.map((id) => [id, new FakeSurface()]));
  const room = new CollabRoom({ ids, surfaces, initial: INITIAL, mode: 'crdt', clock, delay: cyclic(delays), connect: server.connect, onChange: () => {}, docId: 'p' });
  clock.runAll();
  return { ids, clock, room, surface: (id: string) => surfaces.get(id) as FakeSurface };
}

const step = fc.record({ peer: fc.nat(2), gap: fc.integer({ min: 0, max: 700 }) });
const timing = {
  delays: fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 12 }),
  jitters: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 6 }),
};

describe('random concurrent typing (property)', () => {
  it('converges, and never interleaves two runs typed left to right', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 3, maxLength: 3 }),
        fc.oneof(fc.constant('one spot'), fc.constant('own spot')),
        fc.array(fc.nat(INITIAL.length), { minLength: 3, maxLength: 3 }),
        fc.array(step, { minLength: 1, maxLength: 60 }),
        timing.delays,
        timing.jitters,
        (peers, lengths, where, spots, schedule, delays, jitters) => {
          const { ids, clock, room, surface } = setUp(peers, delays, jitters);
          const left = new Map(ids.map((id, i) => [id, lengths[i] as number]));
          for (const [i, id] of ids.entries()) surface(id).caret(where === 'one spot' ? (spots[0] as number) : (spots[i] as number));
          const key = (id: string): void => {
            surface(id).type(id.toUpperCase());
            room.typed(id);
            left.set(id, (left.get(id) as number) - 1);
          };
          for (const { peer, gap } of schedule) {
            const id = ids[peer % ids.length] as string;
            if ((left.get(id) as number) > 0) key(id);
            clock.advance(gap);
          }
          // Whoever has keys left types them now, then the network settles.
          for (const id of ids) while ((left.get(id) as number) > 0) key(id);
          clock.runAll();
          const texts = ids.map((id) => surface(id).value);
          expect(new Set(texts).size).toBe(1);
          const text = texts[0] as string;
          for (const [i, id] of ids.entries()) expect(text).toContain(id.toUpperCase().repeat(lengths[i] as number));
          expect(text.length).toBe(INITIAL.length + ids.reduce((n, _, i) => n + (lengths[i] as number), 0));
          expect(room.state()).toMatchObject({ quiet: true, same: true });
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  it('converges under random typing and backspacing anywhere', () => {
    const action = fc.record({
      peer: fc.nat(2),
      kind: fc.constantFrom('type', 'type', 'backspace', 'move'),
      at: fc.nat(40),
      gap: fc.integer({ min: 0, max: 700 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3 }), fc.array(action, { minLength: 1, maxLength: 80 }), timing.delays, timing.jitters, (peers, actions, delays, jitters) => {
        const { ids, clock, room, surface } = setUp(peers, delays, jitters);
        for (const { peer, kind, at, gap } of actions) {
          const id = ids[peer % ids.length] as string;
          const s = surface(id);
          if (kind === 'move') s.caret(at % (s.value.length + 1));
          else {
            if (kind === 'type') s.type(id);
            else s.backspace();
            room.typed(id);
          }
          clock.advance(gap);
        }
        clock.runAll();
        expect(new Set(ids.map((id) => surface(id).value)).size).toBe(1);
        expect(room.state().quiet).toBe(true);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
