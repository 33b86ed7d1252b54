/**
 * What `npm test` says of a vitest JSON report's failures. CI shows only the
 * tail of a long run's output, so each failed test is named again at the end,
 * with the first line of its message.
 */

/** The part of vitest's JSON reporter output that is read here. */
export interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { status: string; fullName: string; failureMessages?: string[] }[];
  }[];
}

/** The first line of a failure message, without colour codes, short enough for one line of a log. */
export function firstLine(message: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- colour codes are what is removed
  const text = (message ?? '').replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n')[0] ?? '';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** The failed tests of one report, each as "project file › test: first line of its message". */
export function failedTests(project: string, report: JsonReport, root: string): string[] {
  const lines: string[] = [];
  for (const file of report.testResults) {
    const name = file.name.startsWith(root) ? file.name.slice(root.length) : file.name;
    const failed = file.assertionResults.filter((a) => a.status === 'failed');
    for (const a of failed) lines.push(`${project} ${name} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    if (file.status === 'failed' && failed.length === 0) lines.push(`${project} ${name} (the file, no test of it): ${firstLine(file.message)}`);
  }
  return lines;
}

/** The machine's CPU time between two readings of Linux's `/proc/stat`, in seconds. */
export interface MachineCpu {
  user: number;
  nice: number;
  system: number;
  /** Idle and waiting for I/O. */
  idle: number;
}

/**
 * The machine's CPU time between two `/proc/stat` texts: the deltas of the first line's user,
 * nice, system (with irq and softirq) and idle (with iowait), in clock ticks of 100 a second
 * (Linux's user-facing ABI). `null` when either text cannot be read that way. Every process on
 * the machine counts; on a runner given to the tests that is the run, browsers and nginx
 * included, where the CPU time of the processes `npm test` waited for missed those that
 * outlived their parents (half of it, 2026-12-04).
 */
export function machineCpu(before: string, after: string, ticksPerSecond = 100): MachineCpu | null {
  const read = (text: string): number[] | null => {
    const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/);
    if (fields[0] !== 'cpu' || fields.length < 8) return null;
    const ticks = fields.slice(1, 8).map(Number);
    return ticks.every(Number.isInteger) ? ticks : null;
  };
  const [a, b] = [read(before), read(after)];
  if (!a || !b) return null;
  const delta = (i: number): number => ((b[i] as number) - (a[i] as number)) / ticksPerSecond;
  // user nice system idle iowait irq softirq
  return { user: delta(0), nice: delta(1), system: delta(2) + delta(5) + delta(6), idle: delta(3) + delta(4) };
}
