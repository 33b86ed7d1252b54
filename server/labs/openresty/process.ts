import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Stopping an nginx started in the foreground (`daemon off`), with its
 * workers. SIGQUIT asks for a graceful stop, but a worker only reads its
 * signals between events: a worker stuck in a Lua loop that never yields
 * (a learner's `while true do end`, or a wait that returns without yielding)
 * never does. SIGKILL to the master alone then leaves that worker behind,
 * reparented to init and spinning at 100% CPU for good (seen: 16 min of CPU
 * before anyone noticed). So the workers are looked up first and killed with
 * the master.
 */

/** The master's children (its workers) from /proc; [] where there is no /proc or the master is gone. */
export function nginxWorkers(masterPid: number | undefined): number[] {
  if (masterPid === undefined) return [];
  try {
    return readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** How long a stop waits for a SIGKILLed worker to be gone, after its master has exited. */
export const KILLED_WORKER_WAIT_MS = 5000;

/**
 * SIGQUIT, then after `graceMs` SIGKILL to the workers and the master. Resolves when the master
 * has exited and the workers it killed are gone too (or after KILLED_WORKER_WAIT_MS more).
 */
export function stopNginx(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // Read now: once the master is gone, its workers are init's children and no longer found here.
    let workers = nginxWorkers(child.pid);
    const killed: number[] = [];
    const kill = setTimeout(() => {
      workers = [...new Set([...workers, ...nginxWorkers(child.pid)])];
      for (const pid of workers) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        } catch {
          // Already gone.
        }
      }
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      // A master that exited on its own within the grace has reaped its workers. A killed worker
      // dies only once it is next on a CPU, which on a busy machine can be after its master's
      // exit (seen in a clean run: a spinning worker still running when Stop answered).
      void Promise.all(killed.map((pid) => whenGone(pid, KILLED_WORKER_WAIT_MS))).then(() => resolve());
    });
    child.kill('SIGQUIT');
  });
}

/** Whether `pid` has exited (gone, or a zombie not yet reaped); true where there is no /proc. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state …; comm may hold spaces and parentheses, so read from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Resolves when `pid` has exited, or after `withinMs` if it has not (true when it has). */
export async function whenGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!processGone(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
