import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuDemandMs, cpuMs } from '../../../server/labs/proc.ts';

/**
 * The nginx watchdog tells a Lua loop from a blocking call by the CPU the worker wanted over its
 * silence (a quarter of it or more is a loop). By CPU time alone a loop on a loaded machine looked
 * blocked: in a full test run a spinning worker got under a quarter of a core and the learner was
 * told of "a call that blocks the whole process" at 15 s instead of the loop's line at 2 s.
 * cpuDemandMs counts the time it waited for a core too.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function start(script: string): ChildProcess {
  const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/**
 * Resolves once `pid` runs `argv` and its stat fields (those after the name, from the state on) satisfy
 * `ready`: what is measured is then that program, not the exec chain before it (sh, nice, sh), which
 * may wait on the disk or for a core of a busy machine.
 */
async function runs(pid: number, argv: string[], ready: (fields: string[]) => boolean): Promise<void> {
  const now = (): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return ready(stat.slice(stat.lastIndexOf(')') + 2).split(' ')) && readFileSync(`/proc/${pid}/cmdline`, 'utf8') === argv.map((arg) => `${arg}\0`).join('');
    } catch {
      return false;
    }
  };
  while (!now()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Resolves once `pid` runs `sh -c <loop>` under nice 19. */
const spinning = (pid: number, loop: string): Promise<void> => runs(pid, ['sh', '-c', loop], (fields) => fields[16] === '19');

/**
 * Resolves once `pid` runs `sleep 30` and sleeps in it (state S): on a loaded machine the exec of sh and
 * sleep, and its waits for a core, fell inside the window (a full run read 0.061 of it).
 */
const sleeping = (pid: number): Promise<void> => runs(pid, ['sleep', '30'], (fields) => fields[0] === 'S');

/** How many times `pid` has been put on a CPU (schedstat's third field). */
function slices(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[2]);
}

/** Resolves as `pid` is next put on a CPU. */
async function nextSlice(pid: number): Promise<void> {
  const seen = slices(pid);
  while (slices(pid) === seen) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * How much of `ms` (or a little more) the process used (cpuMs) and used or waited for (cpuDemandMs).
 * The kernel adds a wait to schedstat when it ends, as the process is put on a CPU: a window that
 * ended while a nice-19 loop waited left that wait out, and beside a full test run such a loop waits
 * most of a second between slices (it read 0.69 and 0.70 of the second in two clean runs). With
 * `onSlices`, the window starts and ends as the process is put on a CPU, so every wait in it is counted.
 */
async function shares(pid: number, ms: number, onSlices = false): Promise<{ cpu: number; demand: number }> {
  if (onSlices) await nextSlice(pid);
  const cpu0 = cpuMs(pid) ?? 0;
  const demand0 = cpuDemandMs(pid) ?? 0;
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (onSlices) await nextSlice(pid);
  const elapsed = performance.now() - t0;
  return { cpu: ((cpuMs(pid) ?? 0) - cpu0) / elapsed, demand: ((cpuDemandMs(pid) ?? 0) - demand0) / elapsed };
}

describe('cpuDemandMs: CPU time used or waited for', () => {
  it('a loop among more loops than cores wants all of the time, though it gets a share of a core', async () => {
    // Three loops per core, at the lowest priority (the rest of the suite keeps its cores): each
    // runs a third of the time at most and waits the rest.
    const loop = 'while :; do :; done';
    const loops = Array.from({ length: availableParallelism() * 3 }, () => start(`exec nice -n 19 sh -c "${loop}"`));
    for (const child of loops) await spinning(child.pid as number, loop);
    // The window ends when this process sees the loop's next slice. On a loaded runner it saw it late
    // (a full run read 0.61 of a 1 s window): the loop's wait since then is not counted yet, so the
    // lag is lost from the share. Over 3 s a lag of a second still leaves two thirds, twice what the
    // loop's CPU time alone reaches (a third of a core, with the machine otherwise idle).
    const { cpu, demand } = await shares(loops[0]?.pid as number, 3000, true);
    expect(cpu).toBeLessThan(0.5);
    expect(demand).toBeGreaterThan(2 / 3);
  });

  it('a process blocked in a call wants none of it', async () => {
    const sleeper = start('exec sleep 30');
    await sleeping(sleeper.pid as number);
    const { demand } = await shares(sleeper.pid as number, 500);
    expect(demand).toBeLessThan(0.05);
  });

  it('is null for a process that is not there', () => {
    expect(cpuDemandMs(undefined)).toBeNull();
    expect(cpuDemandMs(2 ** 22 + 1)).toBeNull();
  });
});
