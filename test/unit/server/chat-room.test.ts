import { describe, expect, it } from 'vitest';
import { chatServerMessageSchema, type ChatServerMessage } from '../../../protocol/chat.ts';
import { LIMITS } from '../../../protocol/constants.ts';
import { ChatRoom, type ChatMember } from '../../../server/core/chat-room.ts';

function setup() {
  let t = 1_700_000_000_000;
  const room = new ChatRoom({ now: () => t, historySize: LIMITS.chatHistory, textMaxLength: LIMITS.chatTextMaxLength });
  const member = (name: string) => {
    const inbox: { message: ChatServerMessage; fanout: boolean }[] = [];
    const m: ChatMember & { inbox: typeof inbox; take(): ChatServerMessage[] } = {
      name,
      inbox,
      deliver: (json, fanout) => inbox.push({ message: chatServerMessageSchema.parse(JSON.parse(json)), fanout }),
      take: () => inbox.splice(0).map((x) => x.message),
    };
    return m;
  };
  return { room, member, tick: () => (t += 1000) };
}

describe('ChatRoom', () => {
  it('welcomes with users and history, announces joins and leaves to the others', () => {
    const { room, member } = setup();
    const alice = member('alice');
    room.join(alice);
    expect(alice.take()).toEqual([{ type: 'welcome', you: 'alice', users: ['alice'], history: [] }]);
    const bob = member('bob');
    room.join(bob);
    expect(alice.take()).toEqual([{ type: 'join', name: 'bob' }]);
    expect(bob.take()).toEqual([{ type: 'welcome', you: 'bob', users: ['alice', 'bob'], history: [] }]);
    room.leave(bob);
    expect(alice.take()).toEqual([{ type: 'leave', name: 'bob' }]);
    expect(room.names()).toEqual(['alice']);
  });

  it('relays plain lines and {"type":"message"} to everyone but the sender, with id, from and ts', () => {
    const { room, member } = setup();
    const [alice, bob, carol] = [member('alice'), member('bob'), member('carol')];
    for (const m of [alice, bob, carol]) room.join(m);
    for (const m of [alice, bob, carol]) m.take();
    room.receive(alice, 'hello');
    room.receive(alice, '{"type":"message","text":"{not json} in text"}');
    const expected = [
      { type: 'message', id: 1, from: 'alice', text: 'hello', ts: 1_700_000_000_000 },
      { type: 'message', id: 2, from: 'alice', text: '{not json} in text', ts: 1_700_000_000_000 },
    ];
    expect(bob.take()).toEqual(expected);
    expect(carol.take()).toEqual(expected);
    expect(alice.take()).toEqual([]);
    expect(bob.inbox).toEqual([]);
  });

  it('sends a private line to its recipient only, and unknown_user to the sender otherwise', () => {
    const { room, member } = setup();
    const [alice, bob, carol] = [member('alice'), member('bob'), member('carol')];
    for (const m of [alice, bob, carol]) room.join(m);
    for (const m of [alice, bob, carol]) m.take();
    room.receive(alice, JSON.stringify({ type: 'private', to: 'bob', text: 'psst' }));
    expect(bob.take()).toEqual([{ type: 'private', from: 'alice', text: 'psst', ts: 1_700_000_000_000 }]);
    expect(carol.take()).toEqual([]);
    expect(alice.take()).toEqual([]);
    room.receive(alice, JSON.stringify({ type: 'private', to: 'dave', text: 'psst' }));
    expect(alice.take()).toEqual([{ type: 'error', code: 'unknown_user', message: 'Nobody named "dave" is in the room.' }]);
  });

  it.each([
    ['{nope', 'bad_json'],
    ['{"type":"shout","text":"x"}', 'unknown_type'],
    ['{"text":"x"}', 'unknown_type'],
    ['[1,2]', null],
    ['{"type":"message"}', 'bad_message'],
    ['{"type":"private","text":"x"}', 'bad_message'],
    ['{"type":"message","text":42}', 'bad_message'],
    ['   ', 'empty_text'],
    ['x'.repeat(LIMITS.chatTextMaxLength + 1), 'too_long'],
  ])('answers %j with error %s, to the sender only', (frame, code) => {
    const { room, member } = setup();
    const [alice, bob] = [member('alice'), member('bob')];
    room.join(alice);
    room.join(bob);
    alice.take();
    bob.take();
    room.receive(alice, frame);
    if (code === null) {
      // `[1,2]` does not start with "{": it is an ordinary chat line.
      expect(bob.take()).toMatchObject([{ type: 'message', text: '[1,2]' }]);
      return;
    }
    const [error] = alice.take();
    expect(error).toMatchObject({ type: 'error', code });
    expect(bob.take()).toEqual([]);
  });

  it('accepts a text of exactly the maximum length', () => {
    const { room, member } = setup();
    const [alice, bob] = [member('alice'), member('bob')];
    room.join(alice);
    room.join(bob);
    bob.take();
    room.receive(alice, 'y'.repeat(LIMITS.chatTextMaxLength));
    expect(bob.take()).toHaveLength(1);
  });

  it('keeps the last 50 public messages as history, oldest first', () => {
    const { room, member, tick } = setup();
    const alice = member('alice');
    room.join(alice);
    for (let i = 1; i <= 60; i++) {
      tick();
      room.receive(alice, `line ${i}`);
    }
    const bob = member('bob');
    room.join(bob);
    const [welcome] = bob.take();
    if (welcome?.type !== 'welcome') throw new Error('expected welcome');
    expect(welcome.history).toHaveLength(50);
    expect(welcome.history[0]).toMatchObject({ id: 11, text: 'line 11' });
    expect(welcome.history[49]).toMatchObject({ id: 60, text: 'line 60' });
  });

  it('admits valid names, refuses bad (400) and taken (409) ones, and numbers guests', () => {
    const { room, member } = setup();
    expect(room.admit('alice_B-2')).toEqual({ ok: true, name: 'alice_B-2' });
    expect(room.admit('')).toMatchObject({ ok: false, status: 400, error: 'bad_name' });
    expect(room.admit('x'.repeat(25))).toMatchObject({ ok: false, status: 400 });
    expect(room.admit('a b')).toMatchObject({ ok: false, status: 400 });
    expect(room.admit('élodie')).toMatchObject({ ok: false, status: 400 });
    room.join(member('alice'));
    expect(room.admit('alice')).toMatchObject({ ok: false, status: 409, error: 'name_taken' });
    room.join(member('guest-2'));
    expect(room.admit(null)).toEqual({ ok: true, name: 'guest-1' });
    expect(room.admit(null)).toEqual({ ok: true, name: 'guest-3' });
  });

  it('marks fan-out deliveries as droppable and replies to the sender as not', () => {
    const { room, member } = setup();
    const [alice, bob] = [member('alice'), member('bob')];
    room.join(alice);
    room.join(bob);
    room.receive(alice, '{');
    room.receive(alice, 'hi');
    expect(alice.inbox.map((x) => [x.message.type, x.fanout])).toEqual([
      ['welcome', false],
      ['join', true],
      ['error', false],
    ]);
    expect(bob.inbox.map((x) => [x.message.type, x.fanout])).toEqual([
      ['welcome', false],
      ['message', true],
    ]);
  });
});
