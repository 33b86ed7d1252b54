import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPCODE } from '../../../protocol/constants.ts';
import { healthSchema } from '../../../protocol/health.ts';
import { inspectEventSchema, type InspectEvent } from '../../../protocol/inspect.ts';
import { startServer, type RunningServer } from '../../../server/app.ts';
import { createLogger } from '../../../server/log.ts';
import { describeRedis, RedisServer } from '../redis-server.ts';
import { open, withTimeout, type Client } from '../server/helpers.ts';

/**
 * The inspector's account of the hop through Redis (issue 19, the diagram's
 * Redis lane): an /inspect watcher of a tag on a --redis companion gets a
 * `hop` event when a watched /broadcast connection's message goes into Redis
 * and when one comes back for it, just before its frame; a companion without
 * --redis sends none. Two companions in this process on one throwaway redis-server.
 */

const LONG = 30_000;

interface Node {
  server: RunningServer;
  ws: string;
  errors: Record<string, unknown>[];
}

async function node(redis?: string): Promise<Node> {
  const errors: Record<string, unknown>[] = [];
  const log = createLogger('error', (line) => void errors.push(JSON.parse(line) as Record<string, unknown>));
  const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', heartbeat: 0, ...(redis ? { redis } : {}) }, { log });
  return { server, ws: `ws://127.0.0.1:${server.port}`, errors };
}

async function redisUp(n: Node): Promise<void> {
  const base = n.ws.replace('ws:', 'http:');
  await withTimeout(
    (async () => {
      while (healthSchema.parse(await (await fetch(`${base}/health`)).json()).redis !== 'up') await new Promise((r) => setTimeout(r, 100));
    })(),
    `${base} to say redis up`,
    LONG,
  );
}

/** Inspector events up to and including the `count`-th outgoing data frame, each checked against the schema. */
async function through(inspector: Client, count: number): Promise<InspectEvent[]> {
  const seen: InspectEvent[] = [];
  let out = 0;
  while (out < count) {
    const e = inspectEventSchema.parse(await inspector.json(LONG));
    seen.push(e);
    if (e.kind === 'frame' && e.dir === 'out' && e.opcode === OPCODE.text) out += 1;
  }
  return seen;
}

/** Events in short form, connections named by their client's tag. */
function short(events: InspectEvent[], names: Map<string, string>): string[] {
  return events.flatMap((e) => {
    if (e.kind === 'handshake') return [];
    if (e.kind === 'hop') return [`${e.dir} ${names.get(e.conn)} ${e.via} ${e.channel} ${e.bytes}`];
    if (e.kind === 'frame') return [`frame ${e.dir} ${names.get(e.conn)} ${JSON.stringify(e.previewText)}`];
    return [e.kind];
  });
}

describeRedis('Redis hop inspector tests')('the hop through Redis on /inspect', () => {
  let redis: RedisServer;
  const nodes: Node[] = [];
  const clients: Client[] = [];
  const track = async (url: string): Promise<Client> => {
    const c = await open(url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    nodes.push(await node(redis.url), await node(redis.url), await node());
    await redisUp(nodes[0] as Node);
    await redisUp(nodes[1] as Node);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    for (const n of nodes) await n.server.close();
    await redis?.stop();
    for (const n of nodes) expect(n.errors, 'error lines in a companion log').toEqual([]);
  }, 30_000);

  it('a watcher of a tag on one process sees each publish and each delivery to its connections, a delivery before its frame', async () => {
    const [here, there] = nodes as [Node, Node];
    const inspector = await track(`${here.ws}/inspect?fd-tag=hop`);
    const alice = await track(`${here.ws}/broadcast?fd-tag=hop.alice`);
    // bob is on the other process: this watcher never sees his connection.
    const bob = await track(`${there.ws}/broadcast?fd-tag=hop.bob`);
    const carol = await track(`${here.ws}/broadcast?fd-tag=hop.carol`);

    alice.send('hello');
    for (const c of [alice, bob, carol]) expect((await c.next(LONG)).data.toString()).toBe('hello');
    const first = await through(inspector, 2);
    const names = new Map(first.flatMap((e) => (e.kind === 'handshake' ? [[e.conn, e.tag?.split('.')[1] ?? '?'] as const] : [])));
    expect([...names.values()]).toEqual(['alice', 'carol']);
    expect(short(first, names)).toEqual([
      'frame in alice "hello"',
      'publish alice redis fd:broadcast 6',
      'deliver alice redis fd:broadcast 6',
      'frame out alice "hello"',
      'deliver carol redis fd:broadcast 6',
      'frame out carol "hello"',
    ]);

    // bob's message was published by the other process: here it only comes back from Redis.
    bob.send('from bob');
    for (const c of [alice, bob, carol]) expect((await c.next(LONG)).data.toString()).toBe('from bob');
    expect(short(await through(inspector, 2), names)).toEqual([
      'deliver alice redis fd:broadcast 9',
      'frame out alice "from bob"',
      'deliver carol redis fd:broadcast 9',
      'frame out carol "from bob"',
    ]);
    expect(inspector.pending).toBe(0);
  });

  it('a companion without --redis sends no hop event', async () => {
    const alone = nodes[2] as Node;
    const inspector = await track(`${alone.ws}/inspect?fd-tag=solo`);
    const dave = await track(`${alone.ws}/broadcast?fd-tag=solo.dave`);
    dave.send('hi');
    expect((await dave.next(LONG)).data.toString()).toBe('hi');
    const events = await through(inspector, 1);
    expect(events.map((e) => e.kind)).toEqual(['handshake', 'frame', 'frame']);
    // Nothing after the echo's frame either: a hop would have come before it.
    dave.send('marker');
    expect((await dave.next(LONG)).data.toString()).toBe('marker');
    expect((await through(inspector, 1)).map((e) => e.kind)).toEqual(['frame', 'frame']);
  });
});
