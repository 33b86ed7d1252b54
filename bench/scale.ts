/**
 * Several processes through Redis (issue 19): a broadcast to 1,000 clients
 * spread over three companion processes (`--redis`), beside the same 1,000
 * clients on one process without Redis (the baseline) and on one process
 * with `--redis` (which isolates the Redis hop: every message goes to Redis
 * and back before any client gets it). One sender, in lock step: a message,
 * then the next once all 1,000 have it. Latency is from the send to each
 * client's receipt, all in this process's clock. Setups alternate round by
 * round, so a busy neighbour hurts all alike; each figure is the median of
 * the rounds' percentiles. Needs /usr/bin/redis-server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import WebSocket from 'ws';
import { REDIS_SERVER, RedisServer } from '../tools/redis-server.ts';
import { runIfMain, type BenchResult } from './types.ts';

const CLIENTS = 1_000;
const MESSAGES = 40;
const ROUNDS = 5;

type Setup = 'one' | 'oneRedis' | 'three';

function next<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`bench/helpers/server-child.ts exited with ${code}`)));
  });
}

async function companion(redis?: string): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(new URL('./helpers/server-child.ts', import.meta.url), ['companion', ...(redis ? [redis] : [])], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Not this process's flags: bench/run.ts runs a suite as `node --input-type=module -e <program>`, and a
    // child that inherited `-e` would run the program (this bench) again instead of the server.
    execArgv: [],
  });
  const { port } = await next<{ port: number }>(child);
  return { port, child };
}

async function connect(urls: readonly string[], count: number): Promise<WebSocket[]> {
  const clients = Array.from({ length: count }, (_, i) => new WebSocket(urls[i % urls.length] as string, { perMessageDeflate: false }));
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        }),
    ),
  );
  return clients;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** MESSAGES broadcasts in lock step from the first client; every delivery's latency, and how many arrived. */
async function round(urls: readonly string[]): Promise<{ p50: number; p99: number; delivered: number }> {
  const clients = await connect(urls, CLIENTS);
  const sender = clients[0] as WebSocket;
  const latencies: number[] = [];
  let sentAt = 0;
  let pending = 0;
  let sent = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const send = (): void => {
    if (sent === MESSAGES) return done();
    sent += 1;
    pending = clients.length;
    sentAt = performance.now();
    sender.send(`m${sent}`);
  };
  for (const ws of clients) {
    ws.on('message', () => {
      latencies.push(performance.now() - sentAt);
      pending -= 1;
      if (pending === 0) send();
    });
  }
  // A message lost would stall the lock step: give up on it after a while and count what arrived.
  const stall = setInterval(() => {
    if (performance.now() - sentAt > 10_000) send();
  }, 1_000);
  send();
  await finished;
  clearInterval(stall);
  await Promise.all(clients.map((ws) => new Promise<void>((resolve) => (ws.once('close', () => resolve()), ws.terminate()))));
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), delivered: latencies.length };
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`bench/scale.ts needs ${REDIS_SERVER}: sudo apt-get install -y redis-server`);
  const redis = await RedisServer.start();
  const servers: ChildProcess[] = [];
  try {
    const one = await companion();
    const oneRedis = await companion(redis.url);
    // The three share a Redis of their own, so the one-process --redis setup's clients are not theirs.
    const threeRedis = await RedisServer.start();
    const three = [await companion(threeRedis.url), await companion(threeRedis.url), await companion(threeRedis.url)];
    servers.push(one.child, oneRedis.child, ...three.map((s) => s.child));
    const urls: Record<Setup, string[]> = {
      one: [`ws://127.0.0.1:${one.port}/broadcast`],
      oneRedis: [`ws://127.0.0.1:${oneRedis.port}/broadcast`],
      three: three.map((s) => `ws://127.0.0.1:${s.port}/broadcast`),
    };
    const figures: Record<Setup, { p50: number[]; p99: number[]; delivered: number }> = {
      one: { p50: [], p99: [], delivered: 0 },
      oneRedis: { p50: [], p99: [], delivered: 0 },
      three: { p50: [], p99: [], delivered: 0 },
    };
    const setups: Setup[] = ['one', 'oneRedis', 'three'];
    try {
      for (let r = 0; r < ROUNDS; r++) {
        // Rotate which goes first, so warming up and neighbours do not favour one setup.
        for (const setup of [...setups.slice(r % 3), ...setups.slice(0, r % 3)]) {
          const { p50, p99, delivered } = await round(urls[setup]);
          figures[setup].p50.push(p50);
          figures[setup].p99.push(p99);
          figures[setup].delivered += delivered;
        }
      }
    } finally {
      await threeRedis.stop();
    }
    const ms = (n: number): number => Math.round(n * 100) / 100;
    const expected = ROUNDS * MESSAGES * CLIENTS;
    const p50 = (s: Setup): number => ms(median(figures[s].p50));
    const p99 = (s: Setup): number => ms(median(figures[s].p99));
    const rounds = `median of ${ROUNDS} rounds of ${MESSAGES} messages`;
    return [
      { name: `broadcast latency p50, ${CLIENTS} clients on 3 processes through Redis (${rounds}; baseline: 1 process, no Redis)`, value: p50('three'), unit: 'ms', baseline: p50('one') },
      { name: `broadcast latency p99, ${CLIENTS} clients on 3 processes through Redis (baseline: 1 process, no Redis)`, value: p99('three'), unit: 'ms', baseline: p99('one') },
      { name: `broadcast latency p50, ${CLIENTS} clients on 1 process with --redis: the Redis hop alone (baseline: no Redis)`, value: p50('oneRedis'), unit: 'ms', baseline: p50('one') },
      { name: `broadcast latency p99, ${CLIENTS} clients on 1 process with --redis (baseline: no Redis)`, value: p99('oneRedis'), unit: 'ms', baseline: p99('one') },
      { name: 'cost of the Redis hop: p50 on 1 process with --redis minus without', value: ms(p50('oneRedis') - p50('one')), unit: 'ms' },
      {
        name: `deliveries, 3 processes through Redis (of ${expected}; baseline: 1 process)`,
        value: figures.three.delivered,
        unit: 'msgs',
        baseline: figures.one.delivered,
        target: `all ${expected}`,
        ok: figures.three.delivered === expected && figures.oneRedis.delivered === expected,
      },
    ];
  } finally {
    for (const child of servers) child.kill();
    await redis.stop();
  }
}

await runIfMain(import.meta, 'scale', run);
