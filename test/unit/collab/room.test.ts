import { describe, expect, it } from 'vitest';
import { CollabRoom, type Mode, type RoomState } from '../../../src/runtime/collab/room.ts';
import { parseSyncMessage } from '../../../src/runtime/collab/wire.ts';
import { FakeBroadcast, FakeClock, FakeSurface } from './fakes.ts';

const INITIAL = 'Shopping list:\n- bread\n- milk\n';

function room(mode: Mode, { delay = 1500, ids = ['alice', 'bob'], jitter }: { delay?: number; ids?: string[]; jitter?: () => number } = {}) {
  const clock = new FakeClock();
  const server = new FakeBroadcast(clock, jitter);
  const surfaces = new Map(ids.map((id) => [id, new FakeSurface()]));
  const states: RoomState[] = [];
  let wait = delay;
  const collab = new CollabRoom({
    ids,
    surfaces,
    initial: INITIAL,
    mode,
    clock,
    delay: () => wait,
    connect: server.connect,
    onChange: (s) => states.push(s),
    docId: 'doc-test',
  });
  const surface = (id: string) => surfaces.get(id) as FakeSurface;
  /** Types `text` one key at a time, `gap` ms apart, at the caret. */
  const type = (id: string, text: string, gap = 30): void => {
    for (const key of text) {
      surface(id).type(key);
      collab.typed(id);
      clock.advance(gap);
    }
  };
  const texts = () => ids.map((id) => surface(id).value);
  return { clock, server, collab, surface, type, texts, states, setDelay: (ms: number) => (wait = ms) };
}

describe('CollabRoom with Yjs', () => {
  it('keeps both lines whole when Alice and Bob add one at the same spot within the delay', () => {
    const { clock, collab, surface, type, texts } = room('crdt');
    clock.runAll();
    expect(collab.state().phase).toBe('connected');
    surface('alice').caret(INITIAL.length);
    surface('bob').caret(INITIAL.length);
    type('alice', '- eggs\n');
    type('bob', '- apples\n');
    // Each sees only its own line while the other's is on its way.
    expect(texts()).toEqual([`${INITIAL}- eggs\n`, `${INITIAL}- apples\n`]);
    expect(collab.state().quiet).toBe(false);
    clock.runAll();
    const [alice, bob] = texts();
    expect(alice).toBe(bob);
    expect([`${INITIAL}- eggs\n- apples\n`, `${INITIAL}- apples\n- eggs\n`]).toContain(alice);
    expect(collab.state()).toMatchObject({ quiet: true, same: true });
  });

  it('keeps the caret of the person typing at the end of their own text when the other line arrives', () => {
    const { clock, surface, type } = room('crdt');
    clock.runAll();
    surface('alice').caret(INITIAL.length);
    surface('bob').caret(INITIAL.length);
    type('alice', '- eggs\n');
    type('bob', '- apples\n');
    clock.runAll();
    const alice = surface('alice');
    expect(alice.selectionStart).toBe(alice.value.indexOf('- eggs\n') + '- eggs\n'.length);
    expect(alice.selectionEnd).toBe(alice.selectionStart);
  });

  it('keeps text typed inside a word another editor deleted meanwhile, and deletes the rest', () => {
    const { clock, collab, surface, type, texts } = room('crdt');
    clock.runAll();
    const milk = INITIAL.indexOf('milk');
    surface('alice').caret(milk + 2);
    type('alice', 'XY');
    surface('bob').caret(milk, milk + 4);
    surface('bob').backspace();
    collab.typed('bob');
    clock.runAll();
    expect(texts()).toEqual(['Shopping list:\n- bread\n- XY\n', 'Shopping list:\n- bread\n- XY\n']);
  });

  it('brings an editor that joins late up to date (hello, then a reply with what it lacks)', () => {
    const clock = new FakeClock();
    const server = new FakeBroadcast(clock);
    const surfaces = new Map([['alice', new FakeSurface()], ['bob', new FakeSurface()]]);
    // Bob's socket takes 5 s to open; Alice types meanwhile, and Bob types before hearing from anyone.
    let opened = 0;
    const connect = () => {
      const socket = server.connect();
      if (opened++ === 1) socket.readyState = 2; // held back: the fake opens only sockets in state 0
      return socket;
    };
    const collab = new CollabRoom({ ids: ['alice', 'bob'], surfaces, initial: 'x', mode: 'crdt', clock, delay: () => 200, connect, onChange: () => {}, docId: 'd' });
    clock.runAll();
    const alice = surfaces.get('alice') as FakeSurface;
    const bob = surfaces.get('bob') as FakeSurface;
    alice.caret(1);
    alice.type('A');
    collab.typed('alice');
    bob.caret(0);
    bob.type('B');
    collab.typed('bob');
    clock.runAll();
    expect([alice.value, bob.value]).toEqual(['xA', 'Bx']);
    const late = server.sockets[1];
    if (!late) throw new Error('no socket');
    late.readyState = 0;
    late.opened();
    clock.runAll();
    expect([alice.value, bob.value]).toEqual(['BxA', 'BxA']);
    // Bob's own update could not leave while his socket was closed; the reply's state vector showed Alice lacked it.
    expect(server.log.map((m) => parseSyncMessage(m, 'd')?.kind)).toEqual(['hello', 'update', 'hello', 'reply', 'update']);
    expect(collab.state().quiet).toBe(true);
  });

  it('sends at most one message per 100 ms however fast someone types, and loses nothing', () => {
    const { clock, server, type, texts } = room('crdt', { delay: 0 });
    clock.runAll();
    const before = server.log.length;
    type('alice', 'abcdefghijklmnopqrst', 5); // 20 keys in 100 ms
    clock.runAll();
    expect(server.log.length - before).toBe(2);
    expect(texts()[1]).toBe(`abcdefghijklmnopqrst${INITIAL}`);
  });

  it('says which socket closed and with what code', () => {
    const { clock, server, collab } = room('crdt');
    clock.runAll();
    server.sockets[1]?.drop(1008, 'rate limit exceeded');
    expect(collab.state()).toMatchObject({ phase: 'closed', closed: { id: 'bob', code: 1008, reason: 'rate limit exceeded', everyoneOpened: true } });
    expect(collab.editable('alice')).toBe(false);
  });

  it('holds what arrives while an input method composes, then applies it after the composed text', () => {
    const { clock, collab, surface, type, texts } = room('crdt', { delay: 0 });
    clock.runAll();
    surface('alice').caret(0);
    collab.composing('alice', true);
    surface('alice').type('か');
    surface('bob').caret(INITIAL.length);
    type('bob', 'Z');
    clock.runAll();
    expect(surface('alice').value).toBe(`か${INITIAL}`);
    collab.composing('alice', false);
    clock.runAll();
    expect(texts()).toEqual([`か${INITIAL}Z`, `か${INITIAL}Z`]);
  });

  it('stop() closes both sockets and drops what is on its way', () => {
    const { clock, server, collab, type } = room('crdt');
    clock.runAll();
    type('alice', 'x');
    collab.stop();
    expect(server.sockets.map((s) => s.closedWith)).toEqual([{ code: 1000, reason: 'start over' }, { code: 1000, reason: 'start over' }]);
    expect(clock.pending).toBe(0);
  });
});

describe('CollabRoom sending whole documents (the naive mode)', () => {
  it('loses one line on each side when two copies cross', () => {
    const { clock, collab, surface, type, texts } = room('whole');
    clock.runAll();
    surface('alice').caret(INITIAL.length);
    surface('bob').caret(INITIAL.length);
    type('alice', '- eggs\n');
    type('bob', '- apples\n');
    clock.runAll();
    expect(texts()).toEqual([`${INITIAL}- apples\n`, `${INITIAL}- eggs\n`]);
    expect(collab.state()).toMatchObject({ quiet: true, same: false });
  });

  it('works when edits do not cross', () => {
    const { clock, collab, surface, type, texts } = room('whole');
    clock.runAll();
    surface('alice').caret(INITIAL.length);
    type('alice', '- eggs\n');
    clock.runAll();
    surface('bob').caret(surface('bob').value.length);
    type('bob', '- apples\n');
    clock.runAll();
    expect(texts()).toEqual([`${INITIAL}- eggs\n- apples\n`, `${INITIAL}- eggs\n- apples\n`]);
    expect(collab.state()).toMatchObject({ quiet: true, same: true });
  });
});
