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

/**
 * The CPU time of the processes that a process started and waited for, read from its Linux
 * `/proc/<pid>/stat` line (cutime and cstime, in clock ticks: 100 a second on Linux's
 * user-facing ABI). For `npm test` at its end that is the whole run, browsers, servers and
 * nginx included; a process that outlived its parent would be missing. `null` when the line
 * cannot be read that way.
 */
export function waitedChildrenCpu(stat: string, ticksPerSecond = 100): { user: number; system: number } | null {
  // The command name (field 2) is in parentheses and may contain spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  // Fields 16 and 17 of proc(5), counted from the state (field 3).
  const user = Number(fields[13]);
  const system = Number(fields[14]);
  if (!Number.isInteger(user) || !Number.isInteger(system) || fields.length < 15) return null;
  return { user: user / ticksPerSecond, system: system / ticksPerSecond };
}
