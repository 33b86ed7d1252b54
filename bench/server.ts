/**
 * The companion server against a bare `ws` server doing the same job in the
 * same process: echo throughput with 1, 100 and 1,000 clients; broadcast
 * deliveries/s and delivery latency to 1,000 clients; memory per idle
 * connection at 5,000 connections (servers in child processes); and what an
 * attached /inspect costs. Clients run in this process too, so absolute
 * figures are modest; the ratios are the point.
 */
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { startServer, type RunningServer } from '../server/app.ts';
import { runIfMain, type BenchResult } from './types.ts';

const ECHO_MS = 1_500;
const PAYLOAD = 'x'.repeat(64);

interface Target {
  url: string;
  close(): Promise<void>;
}

async function companion(options: Parameters<typeof startServer>[0] = {}): Promise<Target & { server: RunningServer }> {
  const server = await startServer({
    port: 0,
    logLevel: 'silent',
    siteDir: '/nonexistent/',
    maxConnections: 20_000,
    // The default limit (20/s per connection) is a safety net for learners; a load test exceeds it by design.
    rateLimit: { perSecond: 1e9, burst: 1e9, abuse: 1e9 },
    ...options,
  });
  return { server, url: `ws://127.0.0.1:${server.port}`, close: () => server.close() };
}

/** The baseline: the textbook `ws` echo and broadcast servers. */
async function bare(): Promise<Target> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws, req) => {
    if (req.url === '/broadcast') {
      ws.on('message', (data, isBinary) => {
        for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data as Buffer, { binary: isBinary });
      });
    } else {
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    }
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

async function connect(url: string, count: number): Promise<WebSocket[]> {
  const clients: WebSocket[] = [];
  for (let i = 0; i < count; i += 250) {
    const batch = Array.from({ length: Math.min(250, count - i) }, () => new WebSocket(url, { perMessageDeflate: false }));
    await Promise.all(
      batch.map(
        (ws) =>
          new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          }),
      ),
    );
    clients.push(...batch);
  }
  return clients;
}

async function disconnect(clients: WebSocket[]): Promise<void> {
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    ),
  );
}

/** Closed loop: each client sends, waits for its echo, sends again. */
async function echoRate(url: string, count: number): Promise<number> {
  const clients = await connect(`${url}/echo`, count);
  let received = 0;
  let running = true;
  for (const ws of clients) {
    ws.on('message', () => {
      received += 1;
      if (running) ws.send(PAYLOAD);
    });
  }
  const start = performance.now();
  for (const ws of clients) ws.send(PAYLOAD);
  await new Promise((resolve) => setTimeout(resolve, ECHO_MS));
  running = false;
  const rate = received / ((performance.now() - start) / 1000);
  await disconnect(clients);
  return rate;
}

/** Best of two alternating rounds, so a noisy neighbour hurts both sides alike. */
async function compare(measure: (target: Target) => Promise<number>, a: () => Promise<Target>, b: () => Promise<Target>): Promise<[number, number]> {
  const best = [0, 0];
  for (let round = 0; round < 2; round++) {
    for (const [i, make] of [a, b].entries()) {
      const target = await make();
      best[i] = Math.max(best[i] as number, await measure(target));
      await target.close();
    }
  }
  return best as [number, number];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** 1,000 /broadcast clients; one sends. Latency: paced messages; throughput: a burst of 100. */
async function broadcast(url: string): Promise<{ perSecond: number; p50: number; p99: number }> {
  const COUNT = 1_000;
  const clients = await connect(`${url}/broadcast`, COUNT);
  const sender = clients[0] as WebSocket;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let onDelivered: (() => void) | null = null;
  for (const ws of clients) {
    ws.on('message', (data: Buffer) => {
      const id = Number(data.toString());
      latencies.push(performance.now() - (sentAt.get(id) ?? NaN));
      delivered += 1;
      onDelivered?.();
    });
  }
  const waitFor = (total: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`broadcast: ${delivered}/${total} delivered`)), 30_000);
      onDelivered = () => {
        if (delivered >= total) {
          clearTimeout(timer);
          onDelivered = null;
          resolve();
        }
      };
      onDelivered();
    });
  for (let id = 1; id <= 30; id++) {
    sentAt.set(id, performance.now());
    sender.send(String(id));
    await waitFor(id * COUNT);
  }
  const paced = latencies.splice(0).sort((x, y) => x - y);
  const BURST = 100;
  const before = delivered;
  const start = performance.now();
  for (let id = 1_000; id < 1_000 + BURST; id++) {
    sentAt.set(id, performance.now());
    sender.send(String(id));
  }
  await waitFor(before + BURST * COUNT);
  const perSecond = (BURST * COUNT) / ((performance.now() - start) / 1000);
  await disconnect(clients);
  return { perSecond, p50: percentile(paced, 50), p99: percentile(paced, 99) };
}

/** Server memory per idle connection, the server in a child process. */
async function memoryPerConnection(kind: 'companion' | 'bare', count: number): Promise<{ rss: number; heap: number }> {
  const child = fork(new URL('./helpers/server-child.ts', import.meta.url), [kind], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<Record<string, number>> => new Promise((resolve) => child.once('message', (m) => resolve(m as Record<string, number>)));
  const { port } = await next();
  const mem = async (): Promise<Record<string, number>> => {
    const reply = next();
    child.send('mem');
    return reply;
  };
  const path = kind === 'companion' ? '/echo' : '/';
  // Warm up: the first connections load code and grow pools that are not per-connection cost.
  await disconnect(await connect(`ws://127.0.0.1:${port}${path}`, 200));
  const before = await mem();
  const clients = await connect(`ws://127.0.0.1:${port}${path}`, count);
  const after = await mem();
  await disconnect(clients);
  child.kill();
  return {
    rss: ((after['rss'] as number) - (before['rss'] as number)) / count / 1024,
    heap: ((after['heapUsed'] as number) + (after['external'] as number) - (before['heapUsed'] as number) - (before['external'] as number)) / count / 1024,
  };
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const count of [1, 100, 1_000]) {
    const [ours, theirs] = await compare((t) => echoRate(t.url, count), companion, bare);
    results.push({
      name: `echo, ${count} client${count > 1 ? 's' : ''}`,
      value: round(ours),
      unit: 'msg/s',
      baseline: round(theirs),
      target: '≥ 0.9× bare ws',
      ok: ours >= 0.9 * theirs,
    });
  }

  // Best of two alternating rounds each, as for echo.
  const oursB = { perSecond: 0, p50: Infinity, p99: Infinity };
  const theirsB = { ...oursB };
  for (let r = 0; r < 2; r++) {
    for (const [best, make] of [[oursB, companion], [theirsB, bare]] as const) {
      const target = await make();
      const got = await broadcast(target.url);
      await target.close();
      best.perSecond = Math.max(best.perSecond, got.perSecond);
      best.p50 = Math.min(best.p50, got.p50);
      best.p99 = Math.min(best.p99, got.p99);
    }
  }
  results.push(
    { name: 'broadcast deliveries, 1,000 clients', value: round(oursB.perSecond), unit: 'msg/s', baseline: round(theirsB.perSecond), target: '≥ 0.9× bare ws', ok: oursB.perSecond >= 0.9 * theirsB.perSecond },
    { name: 'broadcast latency p50, 1,000 clients', value: round(oursB.p50, 2), unit: 'ms', baseline: round(theirsB.p50, 2) },
    { name: 'broadcast latency p99, 1,000 clients', value: round(oursB.p99, 2), unit: 'ms', baseline: round(theirsB.p99, 2) },
  );

  const [withInspector, without] = await compare(
    (t) => echoRate(t.url, 100),
    async () => {
      const target = await companion();
      // An untagged inspector taps every connection opened after it: all 100 echo clients.
      const [inspector] = await connect(`${target.url}/inspect?fd-key=${target.server.inspectorKey}`, 1);
      return { url: target.url, close: async () => (inspector?.terminate(), target.close()) };
    },
    companion,
  );
  results.push({
    name: 'echo, 100 clients, /inspect attached',
    value: round(withInspector),
    unit: 'msg/s',
    baseline: round(without),
    target: '≥ 0.5× without (≤ 2× cost)',
    ok: withInspector >= 0.5 * without,
  });

  const IDLE = 5_000;
  const memOurs = await memoryPerConnection('companion', IDLE);
  const memBare = await memoryPerConnection('bare', IDLE);
  results.push(
    { name: `memory per idle connection (RSS), ${IDLE.toLocaleString('en-US')} connections`, value: round(memOurs.rss, 1), unit: 'KiB', baseline: round(memBare.rss, 1), target: '≤ 16 KiB', ok: memOurs.rss <= 16 },
    { name: `memory per idle connection (heap + external)`, value: round(memOurs.heap, 1), unit: 'KiB', baseline: round(memBare.heap, 1) },
  );
  return results;
}

await runIfMain(import.meta, 'server', run);
