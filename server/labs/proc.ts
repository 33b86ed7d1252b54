import { readFileSync } from 'node:fs';

/**
 * What a lab's process costs, read from /proc (Linux); null elsewhere or once
 * the process is gone. The TypeScript engine watches its child with these,
 * the OpenResty engine its nginx worker.
 */

/** User + system CPU time of a process. */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU time a process used or waited for: its time on a CPU plus its time
 * runnable in a run queue (/proc/<pid>/schedstat, in ns). A process spinning
 * on a machine with more runnable processes than cores gets a small share of
 * a CPU and waits the rest; one blocked in a system call does neither. So
 * this tells a loop from a blocking call whatever the load, where CPU time
 * alone does not (a spinning nginx worker beside a full test run got under a
 * quarter of a core). Falls back to `cpuMs` where the kernel keeps no
 * schedstat.
 */
export function cpuDemandMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    if (onCpu === undefined || waiting === undefined || !Number.isFinite(onCpu) || !Number.isFinite(waiting)) return cpuMs(pid);
    return (onCpu + waiting) / 1e6;
  } catch {
    return cpuMs(pid);
  }
}

/** Resident memory of a process. */
export function residentBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * 4096 : null;
  } catch {
    return null;
  }
}
