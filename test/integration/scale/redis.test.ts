import { afterAll, beforeAll, expect, it } from 'vitest';
import { feedServerMessageSchema, type Tick } from '../../../protocol/feed.ts';
import { healthSchema, type Health } from '../../../protocol/health.ts';
import { describeRedis, RedisServer } from '../redis-server.ts';
import { ServerChild } from '../server/child.ts';
import { open, refused, withTimeout, type Client } from '../server/helpers.ts';

/**
 * Issue 19, several processes: three companion processes (`node server/main.ts
 * --redis …`) on one throwaway redis-server act as one server for /broadcast,
 * /chat and /feed. Every wait is for an event (a message, a log line, a
 * /health answer), bounded generously: the machine's cores may be busy.
 */

const LONG = 30_000;

/** A companion process on `redis`; its start-up (Node compiling the server) can be slow on a busy machine. */
const start = (redis: string): Promise<ServerChild> => ServerChild.start(['--redis', redis], { startMs: 60_000 });

async function health(child: ServerChild): Promise<Health> {
  const res = await fetch(`${child.base}/health`);
  return healthSchema.parse(await res.json());
}

/** Asks /health until `redis` is `state` (a state, not a time: each answer is an event). */
async function redisIs(child: ServerChild, state: 'up' | 'down'): Promise<void> {
  await withTimeout(
    (async () => {
      while ((await health(child)).redis !== state) await new Promise((r) => setTimeout(r, 100));
    })(),
    `${child.base} to say redis ${state}`,
    LONG,
  );
}

const text = async (c: Client): Promise<string> => {
  const { data, isBinary } = await c.next();
  return isBinary ? `binary:${[...data].join(',')}` : data.toString();
};

async function ticks(c: Client, until: (t: Tick) => boolean): Promise<Tick[]> {
  const out: Tick[] = [];
  for (;;) {
    const m = feedServerMessageSchema.parse(await c.json(LONG));
    if (m.type !== 'tick') continue;
    out.push(m);
    if (until(m)) return out;
  }
}

describeRedis('Companion --redis tests')('several companion processes sharing one Redis (--redis)', () => {
  let redis: RedisServer;
  const nodes: ServerChild[] = [];
  const clients: Client[] = [];
  const track = async (url: string): Promise<Client> => {
    const c = await open(url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    // One after another: three Node start-ups at once on a busy machine can outlast the start timeout.
    for (let i = 0; i < 3; i++) nodes.push(await start(redis.url));
    for (const node of nodes) await redisIs(node, 'up');
  }, 240_000);

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  }, 30_000);

  const node = (i: number): ServerChild => nodes[i] as ServerChild;

  it('says redis "up" in /health and logs the URL without its password', async () => {
    expect((await health(node(0))).redis).toBe('up');
    expect(node(0).stderr).toContain(`"msg":"redis up","url":"${redis.url}"`);
  });

  it('broadcast: a message sent to one process reaches every client of every process once, in one order', async () => {
    const [a, b, c] = await Promise.all([track(`${node(0).ws}/broadcast`), track(`${node(1).ws}/broadcast`), track(`${node(2).ws}/broadcast`)]);
    a.send('one');
    for (const client of [a, b, c]) expect(await text(client)).toBe('one');
    // Two senders on two processes at once: each client sees both, and all in the same order.
    b.send(Buffer.from([1, 2, 3]));
    c.send('three');
    const seen = await Promise.all([a, b, c].map(async (client) => [await text(client), await text(client)]));
    expect([...(seen[0] as string[])].sort()).toEqual(['binary:1,2,3', 'three']);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    // Nothing twice: the next message after a marker is the marker.
    a.send('marker');
    for (const client of [a, b, c]) expect(await text(client)).toBe('marker');
    for (const client of [a, b, c]) expect(client.pending).toBe(0);
  });

  it('broadcast rooms: a named room spans the processes, and its messages never reach the default room', async () => {
    const [a, b, plain] = await Promise.all([track(`${node(0).ws}/broadcast?room=doc-7`), track(`${node(1).ws}/broadcast?room=doc-7`), track(`${node(2).ws}/broadcast`)]);
    a.send('edit');
    for (const client of [a, b]) expect(await text(client)).toBe('edit');
    plain.send('marker');
    expect(await text(plain)).toBe('marker');
    b.send('marker');
    for (const client of [a, b]) expect(await text(client)).toBe('marker');
    for (const client of [a, b, plain]) expect(client.pending).toBe(0);
  });

  it('chat: presence, lines, history and private messages across processes, one id order for everyone', async () => {
    const alice = await track(`${node(0).ws}/chat?name=alice`);
    expect(await alice.json()).toEqual({ type: 'welcome', you: 'alice', users: ['alice'], history: [] });
    const bob = await track(`${node(1).ws}/chat?name=bob`);
    expect(await bob.json()).toEqual({ type: 'welcome', you: 'bob', users: ['alice', 'bob'], history: [] });
    expect(await alice.json()).toEqual({ type: 'join', name: 'bob' });
    // A name held on another process is taken here too.
    expect(await refused(`${node(2).ws}/chat?name=alice`)).toMatchObject({ status: 409, body: { error: 'name_taken' } });

    alice.send('hi bob');
    const line = await bob.json();
    expect(line).toMatchObject({ type: 'message', id: 1, from: 'alice', text: 'hi bob' });

    const carol = await track(`${node(2).ws}/chat?name=carol`);
    expect(await carol.json()).toEqual({ type: 'welcome', you: 'carol', users: ['alice', 'bob', 'carol'], history: [line] });
    expect(await alice.json()).toEqual({ type: 'join', name: 'carol' });
    expect(await bob.json()).toEqual({ type: 'join', name: 'carol' });

    // Private, from process 3 to process 1: alice gets it, bob does not.
    carol.send(JSON.stringify({ type: 'private', to: 'alice', text: 'psst' }));
    expect(await alice.json()).toMatchObject({ type: 'private', from: 'carol', text: 'psst' });

    // Lines from two processes at once: carol sees them all with ids 2..11 in order; each sender sees the other's.
    for (let i = 0; i < 5; i++) {
      alice.send(`a${i}`);
      bob.send(`b${i}`);
    }
    const atCarol: Record<string, unknown>[] = [];
    for (let i = 0; i < 10; i++) atCarol.push(await carol.json());
    expect(atCarol.map((m) => m['id'])).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(atCarol.filter((m) => m['from'] === 'alice').map((m) => m['text'])).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(atCarol.filter((m) => m['from'] === 'bob').map((m) => m['text'])).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    const atAlice: Record<string, unknown>[] = [];
    for (let i = 0; i < 5; i++) atAlice.push(await alice.json());
    expect(atAlice).toEqual(atCarol.filter((m) => m['from'] === 'bob'));
    const atBob: Record<string, unknown>[] = [];
    for (let i = 0; i < 5; i++) atBob.push(await bob.json());
    expect(atBob).toEqual(atCarol.filter((m) => m['from'] === 'alice'));

    // A newcomer on any process gets the same history in the same order.
    const dan = await track(`${node(0).ws}/chat?name=dan`);
    const welcome = await dan.json<{ history: unknown[] }>();
    expect(welcome.history).toEqual([line, ...atCarol]);
    for (const c of [alice, bob, carol]) expect(await c.json()).toEqual({ type: 'join', name: 'dan' });
    // bob had no private message, and nobody anything twice.
    for (const c of [alice, bob, carol, dan]) expect(c.pending).toBe(0);

    dan.ws.close();
    await dan.closeCode();
    for (const c of [alice, bob, carol]) expect(await c.json()).toEqual({ type: 'leave', name: 'dan' });
  });

  it('feed: one feed numbered by Redis; a client resumes with ?since= on another process, nothing lost', async () => {
    const one = await track(`${node(0).ws}/feed?topics=fast`);
    const two = await track(`${node(1).ws}/feed?topics=fast`);
    const first = await ticks(one, (_t) => true);
    const start = (first[0] as Tick).seq;
    // Both processes deliver the same ticks (same seq, same value): one producer, not one per process.
    const atOne = await ticks(one, (t) => t.seq >= start + 20);
    const atTwo = await ticks(two, (t) => t.seq >= start + 20);
    const overlap = (list: Tick[]): Tick[] => list.filter((t) => t.seq > start && t.seq <= start + 20);
    expect(overlap(atTwo).length).toBeGreaterThan(0);
    expect(overlap(atTwo)).toEqual(overlap(atOne));

    // `one` leaves at `last`; while it is away the feed goes on (seen by `two`); it comes back on process 3.
    const last = (atOne.at(-1) as Tick).seq;
    one.ws.close();
    await one.closeCode();
    const meanwhile = await ticks(two, (t) => t.seq >= last + 10);
    const back = await track(`${node(2).ws}/feed?topics=fast&since=${last}`);
    const replayed: Tick[] = [];
    for (;;) {
      const m = feedServerMessageSchema.parse(await back.json(LONG));
      if (m.type === 'tick') replayed.push(m);
      if (m.type === 'resumed') {
        expect(m).toEqual({ type: 'resumed', since: last, replayed: replayed.length, complete: true });
        break;
      }
    }
    const missed = [...atTwo, ...meanwhile].filter((t) => t.seq > last);
    expect(replayed.slice(0, missed.length)).toEqual(missed);
    // And it goes on live, from the next tick.
    const live = await ticks(back, () => true);
    expect((live[0] as Tick).seq).toBeGreaterThan((replayed.at(-1) as Tick).seq);
  });

  it('a process killed with -9: its chat users leave the room for the others, and may join again on another process', async () => {
    const doomed = await start(redis.url);
    try {
      await redisIs(doomed, 'up');
      const watcher = await track(`${node(0).ws}/chat?name=watcher`);
      await watcher.until((m) => m['type'] === 'welcome');
      const erin = await open(`${doomed.ws}/chat?name=erin`);
      expect(await erin.json()).toMatchObject({ type: 'welcome', you: 'erin' });
      expect(await watcher.until((m) => m['type'] === 'join')).toEqual({ type: 'join', name: 'erin' });
      expect(await refused(`${node(1).ws}/chat?name=erin`)).toMatchObject({ status: 409, body: { error: 'name_taken' } });

      doomed.process.kill('SIGKILL');
      await doomed.exited;
      // Its alive key expires (5 s), and a live process announces the leave, once.
      expect(await watcher.json(LONG)).toEqual({ type: 'leave', name: 'erin' });
      const again = await track(`${node(1).ws}/chat?name=erin`);
      const welcome = await again.json<{ you: string; users: string[] }>();
      expect(welcome.you).toBe('erin');
      expect(welcome.users).toContain('watcher');
      expect(await watcher.json()).toEqual({ type: 'join', name: 'erin' });
      expect(watcher.pending).toBe(0);
    } finally {
      await doomed.stop();
    }
  }, 120_000);

  it('a process stopped gracefully (SIGTERM): its chat users leave at once, and it exits cleanly', async () => {
    const leaving = await start(redis.url);
    await redisIs(leaving, 'up');
    const watcher = await track(`${node(2).ws}/chat?name=observer`);
    await watcher.until((m) => m['type'] === 'welcome');
    const gina = await open(`${leaving.ws}/chat?name=gina`);
    expect(await gina.json()).toMatchObject({ type: 'welcome', you: 'gina' });
    expect(await watcher.until((m) => m['type'] === 'join')).toEqual({ type: 'join', name: 'gina' });
    await leaving.stop();
    expect(await gina.closeCode()).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await watcher.json()).toEqual({ type: 'leave', name: 'gina' });
    expect((await leaving.exited).code).toBe(0);
    expect(leaving.runtimeErrors()).toEqual([]);
    watcher.ws.close();
    await watcher.closeCode();
  }, 120_000);

  it('Redis stopped: each process serves its own clients alone and says so; restarted: shared again', async () => {
    const [x1, x2, y] = await Promise.all([track(`${node(0).ws}/broadcast`), track(`${node(0).ws}/broadcast`), track(`${node(1).ws}/broadcast`)]);
    const [p, q] = [await track(`${node(0).ws}/chat?name=pat`), await track(`${node(0).ws}/chat?name=quinn`)];
    const r = await track(`${node(1).ws}/chat?name=ray`);
    // Each of the three hears of each of the three once, in its welcome's users or in a join after
    // it; in what order depends on when each join reaches the bus. With both cores busy, ray's join
    // has come before pat's or quinn's, and quinn's join to pat after ray's: so wait for all three
    // names, not for a given last message, or a late join is read as news after the restart.
    for (const c of [p, q, r]) {
      const welcome = await c.until<{ users: string[] }>((m) => m['type'] === 'welcome');
      const known = new Set(welcome.users);
      while (!['pat', 'quinn', 'ray'].every((name) => known.has(name))) {
        known.add((await c.until<{ name: string }>((m) => m['type'] === 'join')).name);
      }
    }
    for (const c of [p, q, r]) expect(c.pending).toBe(0);

    await redis.stop();
    for (const n of nodes) await redisIs(n, 'down');
    for (const n of nodes) await n.logged('redis down', LONG);

    x1.send('local to process 1');
    expect(await text(x1)).toBe('local to process 1');
    expect(await text(x2)).toBe('local to process 1');
    y.send('local to process 2');
    expect(await text(y)).toBe('local to process 2');
    p.send('while redis is down');
    expect(await q.json()).toMatchObject({ type: 'message', from: 'pat', text: 'while redis is down' });

    await redis.restart();
    for (const n of nodes) await redisIs(n, 'up');
    x1.send('shared again');
    for (const c of [x1, x2, y]) expect(await text(c)).toBe('shared again');
    // Process 2's local message never reached process 1, nor process 1's process 2.
    for (const c of [x1, x2, y]) expect(c.pending).toBe(0);

    // The room after an empty Redis: the processes hold their names again, a newcomer sees everyone.
    const sam = await track(`${node(2).ws}/chat?name=sam`);
    const welcome = await sam.json<{ users: string[] }>();
    expect([...welcome.users].sort()).toEqual(['alice', 'bob', 'carol', 'erin', 'pat', 'quinn', 'ray', 'sam', 'watcher']);
    r.send('after the restart');
    // Nobody seemed to leave and come back while the processes took their names again: pat sees sam arrive, then ray's line.
    expect(await p.json()).toEqual({ type: 'join', name: 'sam' });
    expect(await p.json()).toMatchObject({ type: 'message', from: 'ray', text: 'after the restart' });
    expect(await sam.json()).toMatchObject({ type: 'message', from: 'ray', text: 'after the restart' });
    expect(p.pending).toBe(0);
  }, 90_000);

  it('started while Redis is down: serves alone, then joins the others once Redis answers', async () => {
    const later = await RedisServer.reserve({ password: 's3cret' });
    const alone = await start(later.url);
    try {
      expect((await health(alone)).redis).toBe('down');
      await alone.logged('redis down', LONG);
      const c = await open(`${alone.ws}/broadcast`);
      c.send('alone');
      expect(await text(c)).toBe('alone');
      await later.restart();
      await redisIs(alone, 'up');
      expect(alone.stderr).not.toContain('s3cret');
      expect(alone.stderr).toContain(`"url":"redis://:***@127.0.0.1:${later.port}"`);
      c.ws.close();
      await c.closeCode();
    } finally {
      await alone.stop();
      await later.stop();
    }
    expect(alone.runtimeErrors(['redis down'])).toEqual([]);
  }, 120_000);

  it('left nothing in the processes\' logs but the expected "redis down"', async () => {
    for (const n of nodes) expect(n.runtimeErrors(['redis down'])).toEqual([]);
  });
});
