import { describe, expect, it, vi } from 'vitest';
import { CLOSE } from '../../../protocol/constants.ts';
import type { EndpointKind } from '../../../protocol/endpoints.ts';
import type { HopEvent } from '../../../protocol/inspect.ts';
import { resolveConfig } from '../../../server/config.ts';
import { broadcastEndpoint, decodeBroadcast, encodeBroadcast } from '../../../server/endpoints/broadcast.ts';
import { chatEndpoint } from '../../../server/endpoints/chat.ts';
import { feedEndpoint } from '../../../server/endpoints/feed.ts';
import type { Connection, EndpointContext, Peer, Session } from '../../../server/endpoints/types.ts';
import { MemoryBus } from '../../../server/scale/bus.ts';
import { createLogger } from '../../../server/log.ts';
import { signToken } from '../../../server/core/token.ts';

/** A connection without a socket: records what the endpoint sends and how it closes. */
class FakeConnection implements Connection {
  readonly sent: { data: string; binary: boolean }[] = [];
  bufferedAmount = 0;
  closedWith: { code: number; reason: string } | null = null;
  readonly id: string;
  readonly endpoint: EndpointKind;
  constructor(id: string, endpoint: EndpointKind) {
    this.id = id;
    this.endpoint = endpoint;
  }
  get open(): boolean {
    return this.closedWith === null;
  }
  send(data: string | Buffer, binary: boolean): void {
    this.sent.push({ data: data.toString(), binary });
  }
  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }
  take(): string[] {
    return this.sent.splice(0).map((m) => m.data);
  }
}

function context(): EndpointContext & { advance(ms: number): void } {
  let t = 1_700_000_000_000;
  return {
    config: resolveConfig({ slowConsumerBytes: 100, slowConsumerGrace: 5, rateLimit: { perSecond: 1000, burst: 1000, abuse: 1000 } }),
    now: () => t,
    log: createLogger('silent'),
    stats: { dropped: 0 },
    advance: (ms) => (t += ms),
  };
}

function connect(endpoint: Pick<ReturnType<typeof broadcastEndpoint>, 'admit' | 'kind'>, id: string, query = '', peer: Peer = { address: '127.0.0.1' }): [FakeConnection, Session] {
  const admission = endpoint.admit(new URLSearchParams(query), null, peer);
  if (!admission.ok) throw new Error(admission.message);
  const conn = new FakeConnection(id, endpoint.kind);
  return [conn, admission.open(conn)];
}

describe('broadcast endpoint with a slow consumer', () => {
  it('drops and counts messages for a consumer over the bound, closes it with 1013 after the grace period', () => {
    const ctx = context();
    const broadcast = broadcastEndpoint(ctx);
    const [a, sa] = connect(broadcast, 'a');
    const [b] = connect(broadcast, 'b');
    const [c] = connect(broadcast, 'c');
    b.bufferedAmount = 101;
    sa.message(Buffer.from('one'), false);
    expect([a.take(), b.take(), c.take()]).toEqual([['one'], [], ['one']]);
    expect(ctx.stats.dropped).toBe(1);
    ctx.advance(4_999);
    sa.message(Buffer.from('two'), false);
    expect(b.closedWith).toBeNull();
    expect(ctx.stats.dropped).toBe(2);
    ctx.advance(1);
    sa.message(Buffer.from('three'), false);
    expect(b.closedWith).toEqual({ code: CLOSE.tryAgainLater, reason: 'slow consumer: too much unsent data' });
    expect(ctx.stats.dropped).toBe(3);
    expect(c.take()).toEqual(['two', 'three']);
  });

  it('forgives a consumer that drains before the grace period ends', () => {
    const ctx = context();
    const broadcast = broadcastEndpoint(ctx);
    const [, sa] = connect(broadcast, 'a');
    const [b] = connect(broadcast, 'b');
    b.bufferedAmount = 500;
    sa.message(Buffer.from('x'), true);
    b.bufferedAmount = 0;
    ctx.advance(10_000);
    sa.message(Buffer.from('y'), true);
    expect(b.sent).toEqual([{ data: 'y', binary: true }]);
    expect(b.closedWith).toBeNull();
  });

  it('stops sending to a closed connection', () => {
    const ctx = context();
    const broadcast = broadcastEndpoint(ctx);
    const [a, sa] = connect(broadcast, 'a');
    const [b, sb] = connect(broadcast, 'b');
    sb.closed();
    sa.message(Buffer.from('after'), false);
    expect(b.sent).toEqual([]);
    expect(a.take()).toEqual(['after']);
  });
});

describe('broadcast rooms', () => {
  const alice: Peer = { address: '10.0.0.2', limitKey: 'learner:a1', identity: { kind: 'learner', id: 'a1', name: 'alice' } };
  const bob: Peer = { address: '10.0.0.3', limitKey: 'learner:b2', identity: { kind: 'learner', id: 'b2', name: 'bob' } };
  function join(endpoint: ReturnType<typeof broadcastEndpoint>, id: string, query = '', peer: Peer = { address: '127.0.0.1' }): [FakeConnection, Session] {
    const admission = endpoint.admit(new URLSearchParams(query), null, peer);
    if (!admission.ok) throw new Error(admission.message);
    const conn = new FakeConnection(id, 'broadcast');
    return [conn, admission.open(conn)];
  }

  it('relays a message only to the clients of the sender\'s room', () => {
    const broadcast = broadcastEndpoint(context());
    const [plain, sPlain] = join(broadcast, 'plain');
    const [doc1, sDoc1] = join(broadcast, 'doc1', 'room=doc-1');
    const [doc1b] = join(broadcast, 'doc1b', 'room=doc-1');
    const [doc2] = join(broadcast, 'doc2', 'room=doc-2');
    sDoc1.message(Buffer.from('edit'), false);
    sPlain.message(Buffer.from('hello'), false);
    expect([plain.take(), doc1.take(), doc1b.take(), doc2.take()]).toEqual([['hello'], ['edit'], ['edit'], []]);
  });

  it('in a class, puts each learner without a room in a room of their own, and a named room is shared', () => {
    const broadcast = broadcastEndpoint(context());
    const [a1, sA1] = join(broadcast, 'a1', '', alice);
    const [a2] = join(broadcast, 'a2', '', alice);
    const [b1, sB1] = join(broadcast, 'b1', '', bob);
    const [aShared] = join(broadcast, 'aShared', 'room=class', alice);
    const [bShared, sBShared] = join(broadcast, 'bShared', 'room=class', bob);
    sA1.message(Buffer.from('mine'), false);
    sB1.message(Buffer.from('bobs'), false);
    sBShared.message(Buffer.from('all'), false);
    expect([a1.take(), a2.take(), b1.take(), aShared.take(), bShared.take()]).toEqual([['mine'], ['mine'], ['bobs'], ['all'], ['all']]);
  });

  it('refuses a room name that is empty, too long or outside the URL-safe set with 400 bad_room', () => {
    const broadcast = broadcastEndpoint(context());
    for (const room of ['', 'a'.repeat(65), 'two words', 'caf\u00e9', 'a/b']) {
      const admission = broadcast.admit(new URLSearchParams({ room }), null, { address: '127.0.0.1' });
      expect(admission).toEqual({ ok: false, status: 400, error: 'bad_room', message: "?room= takes a room name of 1 to 64 letters, digits, '.', '_', '~' or '-'." });
    }
    expect(broadcast.admit(new URLSearchParams({ room: 'A.z_0~-'.padEnd(64, 'x') }), null, { address: '127.0.0.1' }).ok).toBe(true);
  });

  it('writes the default room as one type byte and a named room with its key before the message', () => {
    expect(encodeBroadcast('', Buffer.from('hi'), false).toString('hex')).toBe('006869');
    expect(encodeBroadcast('', Buffer.from([0xff]), true).toString('hex')).toBe('01ff');
    // 2 text in a room, key length 6, "room:x", then "hi".
    expect(encodeBroadcast('room:x', Buffer.from('hi'), false).toString('hex')).toBe('0206726f6f6d3a786869');
    expect(encodeBroadcast('room:x', Buffer.from([0xff]), true).toString('hex')).toBe('0306726f6f6d3a78ff');
    expect(decodeBroadcast(Buffer.from('0206726f6f6d3a786869', 'hex'))).toEqual({ room: 'room:x', isBinary: false, data: Buffer.from('hi') });
    expect(decodeBroadcast(Buffer.from('01ff', 'hex'))).toEqual({ room: '', isBinary: true, data: Buffer.from([0xff]) });
    // Cut short, or a kind no endpoint writes: ignored, never thrown.
    for (const hex of ['', '02', '0209726f6f6d', '07ff']) expect(decodeBroadcast(Buffer.from(hex, 'hex'))).toBeNull();
  });

  it('forgets a room once its last client has gone, and a client joining it later starts afresh', () => {
    const broadcast = broadcastEndpoint(context());
    const [, sOld] = join(broadcast, 'old', 'room=r');
    const [, sPlain] = join(broadcast, 'plain');
    expect(broadcast.roomCount()).toBe(2);
    sOld.closed();
    sPlain.closed();
    expect(broadcast.roomCount()).toBe(0);
    const [late, sLate] = join(broadcast, 'late', 'room=r');
    sLate.message(Buffer.from('again'), false);
    expect(late.take()).toEqual(['again']);
    expect(broadcast.roomCount()).toBe(1);
  });
});

describe('broadcast endpoint on a Redis bus', () => {
  /** A connection whose inspector hops and frames go to one shared log, in the order they happen. */
  class WatchedConnection extends FakeConnection {
    readonly log: string[];
    constructor(id: string, log: string[]) {
      super(id, 'broadcast');
      this.log = log;
    }
    override send(data: string | Buffer, binary: boolean): void {
      super.send(data, binary);
      this.log.push(`frame to ${this.id}: ${data.toString()}`);
    }
    hop(make: () => HopEvent): void {
      const e = make();
      this.log.push(`${e.dir} ${e.conn} ${e.channel} ${e.bytes}`);
    }
  }

  it('draws a delivery only for a client the frame goes to, just before it: none for one closing or too slow', () => {
    const ctx = context();
    const bus = new MemoryBus();
    const broadcast = broadcastEndpoint({ ...ctx, bus });
    const log: string[] = [];
    const open = (id: string): WatchedConnection => {
      const admission = broadcast.admit(new URLSearchParams(), null, { address: '127.0.0.1' });
      if (!admission.ok) throw new Error(admission.message);
      const conn = new WatchedConnection(id, log);
      admission.open(conn);
      return conn;
    };
    const [a, closing, slow, d] = [open('a'), open('closing'), open('slow'), open('d')];
    closing.close(CLOSE.normal, 'bye');
    slow.bufferedAmount = 101;
    // What RedisBus hands on from its subscriber: a text message (first byte 0) that came back from Redis.
    bus.publish('broadcast', Buffer.from('\0hi'), true);
    expect(log).toEqual(['deliver a fd:broadcast 3', 'frame to a: hi', 'deliver d fd:broadcast 3', 'frame to d: hi']);
    expect([a.sent.length, closing.sent.length, slow.sent.length, d.sent.length]).toEqual([1, 0, 0, 1]);
    expect(ctx.stats.dropped).toBe(1);
    // Delivered by this process alone (no Redis, or Redis down): frames, and no hop.
    log.length = 0;
    bus.publish('broadcast', Buffer.from('\0local'), false);
    expect(log).toEqual(['frame to a: local', 'frame to d: local']);
  });
});

describe('chat endpoint with a slow consumer', () => {
  it('still sends the welcome and the sender\'s own errors, drops only fan-out', () => {
    const ctx = context();
    const chat = chatEndpoint(ctx, new Uint8Array(32));
    const [alice, sAlice] = connect(chat, 'a', 'name=alice');
    expect(JSON.parse(alice.take()[0] as string)).toMatchObject({ type: 'welcome', you: 'alice' });
    alice.bufferedAmount = 1_000;
    const [bob, sBob] = connect(chat, 'b', 'name=bob');
    expect(alice.take()).toEqual([]);
    expect(ctx.stats.dropped).toBe(1);
    sBob.message(Buffer.from('hello'), false);
    expect(ctx.stats.dropped).toBe(2);
    sAlice.message(Buffer.from('{oops'), false);
    expect(alice.take().map((m) => JSON.parse(m).code)).toEqual(['bad_json']);
    expect(JSON.parse(bob.take()[0] as string)).toMatchObject({ type: 'welcome', users: ['alice', 'bob'] });
  });
});

describe('chat endpoint in a class (--auth required, signed-in learners)', () => {
  const learner = (id: string): Peer => ({ address: '10.0.0.9', limitKey: `learner:${id}`, identity: { kind: 'learner', id, name: id } });
  const classContext = (): ReturnType<typeof context> => ({ ...context(), config: resolveConfig({ auth: 'required', chatJoins: { perSecond: 1000, burst: 1000 } }) });
  const said = (conn: FakeConnection): string[] =>
    conn.take().map((m) => {
      const event = JSON.parse(m) as { type: string; you?: string; users?: string[]; name?: string; from?: string; text?: string };
      return event.type === 'welcome' ? `welcome ${event.you} [${event.users?.join(' ')}]` : event.type === 'message' ? `${event.from}: ${event.text}` : `${event.type} ${event.name}`;
    });

  it('joins a learner without a token to a room of their own: two learners\' alices do not collide or hear each other', () => {
    const chat = chatEndpoint(classContext(), new Uint8Array(32));
    const [ada1, sAda1] = connect(chat, 'a1', 'name=alice', learner('ada'));
    const [ada2] = connect(chat, 'a2', 'name=bob', learner('ada'));
    const [bea1, sBea1] = connect(chat, 'b1', 'name=alice', learner('bea'));
    expect(chat.ownRoomCount()).toBe(2);
    sAda1.message(Buffer.from('from ada'), false);
    sBea1.message(Buffer.from('from bea'), false);
    expect(said(ada1)).toEqual(['welcome alice [alice]', 'join bob']);
    expect(said(ada2)).toEqual(['welcome bob [alice bob]', 'alice: from ada']);
    expect(said(bea1)).toEqual(['welcome alice [alice]']);
    // A name is still one per room: ada's second alice is refused, as on a one-person server.
    expect(chat.admit(new URLSearchParams('name=alice'), null, learner('ada'))).toMatchObject({ ok: false, status: 409, error: 'name_taken' });
    expect(chat.room.names()).toEqual([]);
  });

  it('drops an own room when its last member leaves, not while a join is on its way', () => {
    const chat = chatEndpoint(classContext(), new Uint8Array(32));
    const [, sAlice] = connect(chat, 'a', 'name=alice', learner('ada'));
    const arriving = chat.admit(new URLSearchParams('name=bob'), null, learner('ada'));
    if (!arriving.ok) throw new Error(arriving.message);
    sAlice.closed();
    expect(chat.ownRoomCount()).toBe(1);
    const bob = new FakeConnection('b', 'chat');
    const sBob = arriving.open(bob);
    expect(said(bob)).toEqual(['welcome bob [bob]']);
    sBob.closed();
    expect(chat.ownRoomCount()).toBe(0);
  });

  it('a token joins the class\'s room; without a sign-in or a token, 401 token_required as before', () => {
    const chat = chatEndpoint(classContext(), new Uint8Array(32));
    expect(chat.admit(new URLSearchParams('name=alice'), null, { address: '10.0.0.9' })).toMatchObject({ ok: false, status: 401, error: 'token_required' });
    const { token } = signToken('ada', new Uint8Array(32), () => 1_700_000_000_000, 60_000);
    connect(chat, 't', `token=${encodeURIComponent(token)}`, learner('ada'));
    expect(chat.room.names()).toEqual(['ada']);
    expect(chat.ownRoomCount()).toBe(0);
  });
});

describe('feed endpoint with a slow consumer', () => {
  it('keeps only the newest tick per topic while the client is slow, sends it when it drains, closes with 1013 if it stays slow', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const ctx = { ...context(), now: () => Date.now() };
      const feed = feedEndpoint(ctx, { figures: () => ({ connections: 1, rssBytes: 1, heapUsedBytes: 1, eventLoopLagMs: 0 }), random: () => 0.5 });
      const [conn] = connect(feed, 'f', 'topics=fast');
      vi.advanceTimersByTime(100);
      const first = conn.take().map((m) => JSON.parse(m) as { seq: number; topic: string });
      expect(first).toHaveLength(1);
      expect(first[0]?.topic).toBe('fast');
      conn.bufferedAmount = 1_000;
      vi.advanceTimersByTime(300);
      expect(conn.take()).toEqual([]);
      conn.bufferedAmount = 0;
      vi.advanceTimersByTime(100);
      const caughtUp = conn.take().map((m) => JSON.parse(m) as { seq: number; topic: string });
      // The newest of the three held back, then the new one; the two older ones were replaced.
      const start = first[0]?.seq ?? NaN;
      expect(caughtUp.map((t) => [t.topic, t.seq])).toEqual([
        ['fast', start + 3],
        ['fast', start + 4],
      ]);
      conn.bufferedAmount = 1_000;
      vi.advanceTimersByTime(4_900);
      expect(conn.closedWith).toBeNull();
      vi.advanceTimersByTime(200);
      expect(conn.closedWith).toEqual({ code: CLOSE.tryAgainLater, reason: 'slow consumer: too much unsent data' });
      feed.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
