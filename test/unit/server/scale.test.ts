import { describe, expect, it } from 'vitest';
import { chatServerMessageSchema, type ChatServerMessage } from '../../../protocol/chat.ts';
import { LIMITS } from '../../../protocol/constants.ts';
import type { Tick } from '../../../protocol/feed.ts';
import { ChatRoom, type ChatMember } from '../../../server/core/chat-room.ts';
import { Feed } from '../../../server/core/feed.ts';
import { MemoryBus, type Bus, type BusState, type BytesHandler, type Numbered, type Roster, type RosterSpec } from '../../../server/scale/bus.ts';
import { backoffMs, safeRedisUrl } from '../../../server/scale/redis-bus.ts';

/**
 * A fake Redis for the cores: several processes' buses on one network. Like
 * Redis it numbers and logs an entry when asked, and queues what is published
 * until `flush()`, which delivers it to every process in one order: so a test
 * sees that nothing reaches a client before it went through the bus.
 */
class FakeNetwork {
  private readonly queue: { channel: string; payload: string }[] = [];
  private readonly nodes: FakeBus[] = [];
  readonly counters = new Map<string, number>();
  readonly logs = new Map<string, string[]>();
  readonly rosters = new Map<string, Map<string, string>>();
  private readonly later: (() => void)[] = [];

  bus(id: string): FakeBus {
    const bus = new FakeBus(id, this);
    this.nodes.push(bus);
    return bus;
  }

  enqueue(channel: string, payload: string): void {
    this.queue.push({ channel, payload });
  }

  /** Runs after the messages queued so far (a command's reply). */
  reply(f: () => void): void {
    this.later.push(f);
  }

  flush(): void {
    while (this.queue.length || this.later.length) {
      const next = this.queue.shift();
      if (next) for (const node of this.nodes) node.local.publish(next.channel, next.payload);
      else this.later.shift()?.();
    }
  }
}

class FakeBus implements Bus {
  readonly local = new MemoryBus();
  readonly id: string;
  private readonly net: FakeNetwork;

  constructor(id: string, net: FakeNetwork) {
    this.id = id;
    this.net = net;
  }

  state(): BusState {
    return 'up';
  }

  on(channel: string, handler: (text: string) => void): void {
    this.local.on(channel, handler);
  }

  onBytes(channel: string, handler: BytesHandler): void {
    this.local.onBytes(channel, handler);
  }

  onUp(): void {}

  publish(channel: string, payload: string | Buffer): boolean {
    this.net.enqueue(channel, payload.toString());
    return true;
  }

  append(channel: string, entry: Numbered, floor: number, keep: number): void {
    const seq = Math.max((this.net.counters.get(channel) ?? 0) + 1, floor + 1);
    this.net.counters.set(channel, seq);
    const text = `${entry.head}${seq}${entry.tail}`;
    this.net.logs.set(channel, [...(this.net.logs.get(channel) ?? []), text].slice(-keep));
    this.net.enqueue(channel, `${entry.prefix}${text}`);
  }

  sync(channel: string): Promise<string[]> {
    return Promise.resolve(this.net.logs.get(channel) ?? []);
  }

  roster(name: string, spec: RosterSpec): Roster {
    const held = this.net.rosters.get(name) ?? new Map<string, string>();
    this.net.rosters.set(name, held);
    return {
      enter: (member, refused) => {
        if (held.has(member) && held.get(member) !== this.id) return this.net.reply(refused);
        held.set(member, this.id);
        this.net.enqueue(spec.channel, spec.joined(member, this.id));
      },
      exit: (member) => {
        if (held.get(member) !== this.id) return;
        held.delete(member);
        this.net.enqueue(spec.channel, spec.left(member));
      },
      holders: () => Promise.resolve(Object.fromEntries(held)),
      reconcile: () => Promise.resolve(),
    };
  }

  lead(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function member(name: string): ChatMember & { take(): ChatServerMessage[]; refusals: string[] } {
  const inbox: ChatServerMessage[] = [];
  const refusals: string[] = [];
  return {
    name,
    refusals,
    deliver: (json) => inbox.push(chatServerMessageSchema.parse(JSON.parse(json))),
    refused: (message) => refusals.push(message),
    take: () => inbox.splice(0),
  };
}

const room = (bus: Bus): ChatRoom => new ChatRoom({ now: () => 1_700_000_000_000, historySize: 3, textMaxLength: LIMITS.chatTextMaxLength, bus });

describe('ChatRoom on several processes (a fake Redis)', () => {
  it('delivers only what came back from the bus, to each member once, whatever process they are on', () => {
    const net = new FakeNetwork();
    const [one, two] = [room(net.bus('p1')), room(net.bus('p2'))];
    const [alice, bob] = [member('alice'), member('bob')];
    one.join(alice);
    expect(alice.take()).toEqual([]);
    net.flush();
    expect(alice.take()).toEqual([{ type: 'welcome', you: 'alice', users: ['alice'], history: [] }]);
    two.join(bob);
    net.flush();
    expect(bob.take()).toEqual([{ type: 'welcome', you: 'bob', users: ['alice', 'bob'], history: [] }]);
    expect(alice.take()).toEqual([{ type: 'join', name: 'bob' }]);

    one.receive(alice, 'hi');
    two.receive(bob, 'hello');
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    net.flush();
    const ts = 1_700_000_000_000;
    expect(bob.take()).toEqual([{ type: 'message', id: 1, from: 'alice', text: 'hi', ts }]);
    expect(alice.take()).toEqual([{ type: 'message', id: 2, from: 'bob', text: 'hello', ts }]);
    expect(net.logs.get('chat')).toEqual([
      '{"type":"message","id":1,"from":"alice","text":"hi","ts":1700000000000}',
      '{"type":"message","id":2,"from":"bob","text":"hello","ts":1700000000000}',
    ]);

    two.receive(bob, JSON.stringify({ type: 'private', to: 'alice', text: 'psst' }));
    net.flush();
    expect(alice.take()).toEqual([{ type: 'private', from: 'bob', text: 'psst', ts }]);
    expect(bob.take()).toEqual([]);

    two.leave(bob);
    net.flush();
    expect(alice.take()).toEqual([{ type: 'leave', name: 'bob' }]);
    expect([one.names(), two.names()]).toEqual([['alice'], ['alice']]);
  });

  it('the same name admitted on two processes at once: the bus gives it to one, the other is refused', () => {
    const net = new FakeNetwork();
    const [one, two] = [room(net.bus('p1')), room(net.bus('p2'))];
    expect([one.admit('sam'), two.admit('sam')]).toEqual([{ ok: true, name: 'sam' }, { ok: true, name: 'sam' }]);
    const [first, second] = [member('sam'), member('sam')];
    one.join(first);
    two.join(second);
    net.flush();
    expect(first.take()).toEqual([{ type: 'welcome', you: 'sam', users: ['sam'], history: [] }]);
    expect(second.take()).toEqual([]);
    expect(second.refusals).toEqual(['The name "sam" is already in the room.']);
    expect(two.admit('sam')).toMatchObject({ ok: false, status: 409 });
  });

  it('a process that did not see a join (another process) refuses the name from its mirror, and skips it for guests', () => {
    const net = new FakeNetwork();
    const [one, two] = [room(net.bus('p1')), room(net.bus('p2'))];
    one.join(member('guest-1'));
    net.flush();
    expect(two.admit(null)).toEqual({ ok: true, name: 'guest-2' });
  });

  it('history numbered across processes, capped, the same for a newcomer anywhere', () => {
    const net = new FakeNetwork();
    const [one, two] = [room(net.bus('p1')), room(net.bus('p2'))];
    const [a, b] = [member('a'), member('b')];
    one.join(a);
    two.join(b);
    for (const text of ['1', '2', '3', '4']) {
      if (text === '2') two.receive(b, text);
      else one.receive(a, text);
    }
    net.flush();
    const late = member('c');
    two.join(late);
    net.flush();
    const [welcome] = late.take();
    expect(welcome?.type === 'welcome' && welcome.history.map((m) => [m.id, m.text])).toEqual([[2, '2'], [3, '3'], [4, '4']]);
  });
});

describe('Feed on several processes (a fake Redis)', () => {
  it('one sequence and one replay ring: ticks produced on one process are replayed on another', () => {
    const net = new FakeNetwork();
    const [one, two] = [new Feed({ now: () => 5, replaySize: 10, bus: net.bus('p1') }), new Feed({ now: () => 5, replaySize: 10, bus: net.bus('p2') })];
    const seen: number[] = [];
    two.onTick((tick) => seen.push(tick.seq));
    expect(one.produce('acme', 100)).toBeUndefined();
    one.produce('fast', 0.5);
    net.flush();
    expect(seen).toEqual([1, 2]);
    expect(two.lastSeq).toBe(2);
    const expected: Tick[] = [{ type: 'tick', seq: 2, ts: 5, topic: 'fast', value: 0.5 }];
    expect(two.replay(1, new Set(['fast', 'acme']))).toEqual({ ticks: expected, complete: true });
    expect(one.replay(1, new Set(['fast']))).toEqual({ ticks: expected, complete: true });
  });
});

describe('MemoryBus (one process)', () => {
  it('numbers above the floor it is given and delivers at once, text and bytes alike', () => {
    const bus: Bus = new MemoryBus();
    const got: string[] = [];
    bus.on('x', (t) => got.push(t));
    bus.onBytes('y', (d) => got.push(`bytes:${[...d].join(',')}`));
    bus.append('x', { prefix: '>', head: '[', tail: ']' }, 41, 10);
    bus.publish('y', Buffer.from([0, 255]));
    expect(got).toEqual(['>[42]', 'bytes:0,255']);
    expect(bus.state()).toBe('local');
  });
});

describe('redis-bus helpers', () => {
  it('hides the password of a Redis URL, and only that', () => {
    expect(safeRedisUrl('redis://:s3cret@10.0.0.5:6379/2')).toBe('redis://:***@10.0.0.5:6379/2');
    expect(safeRedisUrl('rediss://app:p%40ss@cache.example:6380')).toBe('rediss://app:***@cache.example:6380');
    expect(safeRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(safeRedisUrl('not a url')).toBe('(an unparsable URL)');
  });

  it('backs off from about 100 ms, doubling, to at most about 5 s', () => {
    const mid = (): number => 0.5;
    expect([0, 1, 2, 3, 5, 6, 20].map((n) => backoffMs(n, mid))).toEqual([100, 200, 400, 800, 3200, 5000, 5000]);
    expect(backoffMs(0, () => 0)).toBe(75);
    expect(backoffMs(20, () => 1)).toBe(6250);
  });
});
