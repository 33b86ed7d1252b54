/**
 * The companion server against a bare `ws` server, measured from outside:
 * each server in its own process, both running at once, and the clients in a
 * third (bench/helpers/load-child.ts). Rounds alternate between the two
 * servers so a busy neighbour hurts both alike; each figure is the median of
 * the rounds. In-process figures (bench/server.ts) share one event loop
 * between clients and server and hide the server's own cost; these do not.
 *
 * Also: echo from tagged connections nobody watches (playground sockets
 * whose page has no diagram open) against untagged ones, on the companion.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { LoadJob } from './helpers/load-child.ts';
import { runIfMain, type BenchResult } from './types.ts';

const ROUNDS = 5;
const ECHO_CLIENTS = 50;
const BROADCAST_CLIENTS = 100;
const MS = 2_000;

function next<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
}

async function server(kind: 'companion' | 'bare'): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(new URL('./helpers/server-child.ts', import.meta.url), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await next<{ port: number }>(child);
  return { port, child };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number): number => Math.round(n);

export async function run(): Promise<BenchResult[]> {
  const companion = await server('companion');
  const bare = await server('bare');
  const load = fork(new URL('./helpers/load-child.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await next(load);
  const measure = async (job: LoadJob): Promise<number> => {
    const reply = next<{ rate?: number; error?: string }>(load);
    load.send(job);
    const { rate, error } = await reply;
    if (rate === undefined) throw new Error(`load: ${error}`);
    return rate;
  };
  const figures: Record<string, number[]> = { echoOurs: [], echoBare: [], echoTagged: [], bcOurs: [], bcBare: [] };
  const push = (key: string, value: number): void => {
    (figures[key] as number[]).push(value);
  };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so warming up and neighbours do not favour one side.
      const order = r % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const side of order) {
        const port = side === 'ours' ? companion.port : bare.port;
        push(side === 'ours' ? 'echoOurs' : 'echoBare', await measure({ kind: 'echo', url: `ws://127.0.0.1:${port}/echo`, clients: ECHO_CLIENTS, ms: MS }));
        push(side === 'ours' ? 'bcOurs' : 'bcBare', await measure({ kind: 'broadcast', url: `ws://127.0.0.1:${port}/broadcast`, clients: BROADCAST_CLIENTS, ms: MS }));
      }
      push('echoTagged', await measure({ kind: 'echo', url: `ws://127.0.0.1:${companion.port}/echo?fd-tag=bench-${r}`, clients: ECHO_CLIENTS, ms: MS }));
    }
  } finally {
    for (const child of [load, companion.child, bare.child]) child.kill();
  }
  const echoOurs = median(figures['echoOurs'] as number[]);
  const echoBare = median(figures['echoBare'] as number[]);
  const echoTagged = median(figures['echoTagged'] as number[]);
  const bcOurs = median(figures['bcOurs'] as number[]);
  const bcBare = median(figures['bcBare'] as number[]);
  return [
    { name: `echo round trips, ${ECHO_CLIENTS} clients in lock step, out of process (median of ${ROUNDS})`, value: round(echoOurs), unit: 'msg/s', baseline: round(echoBare), target: '≥ 0.95× bare ws', ok: echoOurs >= 0.95 * echoBare },
    { name: `broadcast deliveries, ${BROADCAST_CLIENTS} clients, one sender in lock step, out of process (median of ${ROUNDS})`, value: round(bcOurs), unit: 'msg/s', baseline: round(bcBare), target: '≥ 0.95× bare ws', ok: bcOurs >= 0.95 * bcBare },
    { name: `echo, ${ECHO_CLIENTS} tagged clients nobody inspects, out of process (baseline: untagged)`, value: round(echoTagged), unit: 'msg/s', baseline: round(echoOurs), target: '≥ 0.95× untagged', ok: echoTagged >= 0.95 * echoOurs },
  ];
}

await runIfMain(import.meta, 'server-process', run);
