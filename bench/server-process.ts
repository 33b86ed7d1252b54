/**
 * The companion server against a bare `ws` server, measured from outside:
 * each server in its own process, both running at once, and the clients in a
 * third (bench/helpers/load-child.ts). Rounds alternate between the two
 * servers so a busy neighbour hurts both alike; each figure is the median of
 * the rounds. Throughput swings with whatever else the machine runs; the
 * server's own CPU time per message (read from its process) hardly does, so
 * it is reported too, and is the figure to trust on a busy machine. In-process figures (bench/server.ts) share one event loop
 * between clients and server and hide the server's own cost; these do not.
 *
 * Also: echo from tagged connections nobody watches (playground sockets
 * whose page has no diagram open) against untagged ones, on the companion,
 * once the server has taken their wire tap off.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { LIMITS } from '../protocol/constants.ts';
import type { LoadJob } from './helpers/load-child.ts';
import { runIfMain, type BenchResult } from './types.ts';

const ROUNDS = 7;
const ECHO_CLIENTS = 50;
const BROADCAST_CLIENTS = 100;
const MS = 1_500;

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
  const push = (key: string, value: number): void => {
    (figures[key] as number[]).push(value);
  };
  const cpu = async (child: ChildProcess): Promise<number> => {
    const reply = next<{ cpuMicros: number }>(child);
    child.send('cpu');
    return (await reply).cpuMicros;
  };
  const figures: Record<string, number[]> = {
    echoOurs: [], echoBare: [], echoTagged: [], bcOurs: [], bcBare: [],
    echoOursCpu: [], echoBareCpu: [], bcOursCpu: [], bcBareCpu: [],
  };
  /** Runs a job; records the server's CPU µs per message under `${key}Cpu` and returns the rate. */
  const measure = async (job: LoadJob, server?: { child: ChildProcess; key: string }): Promise<number> => {
    const before = server ? await cpu(server.child) : 0;
    const reply = next<{ rate?: number; count?: number; error?: string }>(load);
    load.send(job);
    const { rate, count, error } = await reply;
    if (rate === undefined || count === undefined) throw new Error(`load: ${error}`);
    if (server) push(`${server.key}Cpu`, ((await cpu(server.child)) - before) / count);
    return rate;
  };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so warming up and neighbours do not favour one side.
      const order = r % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const side of order) {
        const { port, child } = side === 'ours' ? companion : bare;
        const echoKey = side === 'ours' ? 'echoOurs' : 'echoBare';
        const bcKey = side === 'ours' ? 'bcOurs' : 'bcBare';
        push(echoKey, await measure({ kind: 'echo', url: `ws://127.0.0.1:${port}/echo`, clients: ECHO_CLIENTS, ms: MS }, { child, key: echoKey }));
        push(bcKey, await measure({ kind: 'broadcast', url: `ws://127.0.0.1:${port}/broadcast`, clients: BROADCAST_CLIENTS, ms: MS }, { child, key: bcKey }));
      }
      // A tagged socket is recorded until it is clear nobody will watch it (LIMITS.inspectTapWaitMs, swept
      // every half of that): measured after that, as a playground's sockets live without a diagram open.
      push('echoTagged', await measure({ kind: 'echo', url: `ws://127.0.0.1:${companion.port}/echo?fd-tag=bench-${r}`, clients: ECHO_CLIENTS, ms: MS, settleMs: LIMITS.inspectTapWaitMs * 1.5 + 500 }));
    }
  } finally {
    for (const child of [load, companion.child, bare.child]) child.kill();
  }
  const echoOurs = median(figures['echoOurs'] as number[]);
  const echoBare = median(figures['echoBare'] as number[]);
  const echoTagged = median(figures['echoTagged'] as number[]);
  const bcOurs = median(figures['bcOurs'] as number[]);
  const bcBare = median(figures['bcBare'] as number[]);
  const cpuOf = (key: string): number => median(figures[key] as number[]);
  const micro = (n: number): number => Math.round(n * 10) / 10;
  return [
    { name: `echo round trips, ${ECHO_CLIENTS} clients in lock step, out of process (median of ${ROUNDS})`, value: round(echoOurs), unit: 'msg/s', baseline: round(echoBare), target: '≥ 0.95× bare ws', ok: echoOurs >= 0.95 * echoBare },
    { name: `broadcast deliveries, ${BROADCAST_CLIENTS} clients, one sender in lock step, out of process (median of ${ROUNDS})`, value: round(bcOurs), unit: 'msg/s', baseline: round(bcBare), target: '≥ 0.95× bare ws', ok: bcOurs >= 0.95 * bcBare },
    { name: `server CPU per echo round trip, ${ECHO_CLIENTS} clients (median of ${ROUNDS})`, value: micro(cpuOf('echoOursCpu')), unit: 'µs', baseline: micro(cpuOf('echoBareCpu')), target: '≤ bare ws / 0.95', ok: cpuOf('echoOursCpu') <= cpuOf('echoBareCpu') / 0.95 },
    { name: `server CPU per broadcast delivery, ${BROADCAST_CLIENTS} clients (median of ${ROUNDS})`, value: micro(cpuOf('bcOursCpu')), unit: 'µs', baseline: micro(cpuOf('bcBareCpu')), target: '≤ bare ws / 0.95', ok: cpuOf('bcOursCpu') <= cpuOf('bcBareCpu') / 0.95 },
    { name: `echo, ${ECHO_CLIENTS} tagged clients nobody inspects, after the tap wait, out of process (baseline: untagged)`, value: round(echoTagged), unit: 'msg/s', baseline: round(echoOurs), target: '≥ 0.95× untagged', ok: echoTagged >= 0.95 * echoOurs },
  ];
}

await runIfMain(import.meta, 'server-process', run);
