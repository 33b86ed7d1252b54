import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode } from '../../../samples/ts/fanout-server.ts';
import { MemoryPubSub } from '../../../samples/ts/pubsub.ts';
import { describeRedis, RedisServer } from '../redis-server.ts';
import { connect, startSample, type Sample } from './run-sample.ts';

const settle = (ms = 200): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('samples/ts/fanout-server.ts with MemoryPubSub (lessons/scaling-out)', () => {
  it('two server instances sharing one pub/sub: a message reaches the clients of both', async () => {
    const pubsub = new MemoryPubSub();
    const [one, two] = await Promise.all([startNode(0, pubsub), startNode(0, pubsub)]);
    try {
      const alice = await connect(`ws://127.0.0.1:${one.port}`);
      const bob = await connect(`ws://127.0.0.1:${two.port}`);
      alice.socket.send('hello from node one');
      await expect(alice.next()).resolves.toBe('hello from node one');
      await expect(bob.next()).resolves.toBe('hello from node one');
      bob.socket.send('hello from node two');
      await expect(alice.next()).resolves.toBe('hello from node two');
      await expect(bob.next()).resolves.toBe('hello from node two');
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('two instances that share nothing: each client hears only its own instance', async () => {
    const [one, two] = await Promise.all([startNode(0, new MemoryPubSub()), startNode(0, new MemoryPubSub())]);
    try {
      const alice = await connect(`ws://127.0.0.1:${one.port}`);
      const bob = await connect(`ws://127.0.0.1:${two.port}`);
      alice.socket.send('from alice');
      bob.socket.send('from bob');
      await expect(alice.next()).resolves.toBe('from alice');
      await expect(bob.next()).resolves.toBe('from bob');
      await settle();
      expect(alice.received).toEqual(['from alice']);
      expect(bob.received).toEqual(['from bob']);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describeRedis('Redis fan-out test')('samples/ts/fanout-server.ts with Redis, two processes (lessons/scaling-out)', () => {
  let redis: RedisServer | undefined;
  let nodes: Sample[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url };
    nodes = await Promise.all([startSample('samples/ts/fanout-server.ts', env), startSample('samples/ts/fanout-server.ts', env)]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  });

  it('a message sent to one process reaches the clients of both, in the same order', async () => {
    const [one, two] = nodes as [Sample, Sample];
    expect(one.output()).toContain('(redis)');
    const alice = await connect(one.url());
    const bob = await connect(two.url());
    alice.socket.send('one');
    await expect(alice.next()).resolves.toBe('one');
    await expect(bob.next()).resolves.toBe('one');
    bob.socket.send('two');
    alice.socket.send('three');
    await Promise.all([alice.next(), alice.next(), bob.next(), bob.next()]);
    expect(alice.received).toHaveLength(3);
    expect(bob.received).toEqual(alice.received);
    expect([...alice.received].sort()).toEqual(['one', 'three', 'two']);
    alice.socket.close();
    bob.socket.close();
  });
});
