import { describe, expect, it } from 'vitest';
import { failedTests, firstLine, machineCpu, type JsonReport } from '../../scripts/test-report.ts';

const root = '/repo/';

/** A report as vitest's JSON reporter writes it, cut to the fields read. */
function report(testResults: JsonReport['testResults']): JsonReport {
  return { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults };
}

describe("npm test's list of failures", () => {
  it('names each failed test by project, repo-relative file and full name, with the first line of its message uncoloured', () => {
    const lines = failedTests(
      'unit',
      report([
        {
          name: '/repo/test/unit/labs/check-log.test.ts',
          status: 'failed',
          message: '',
          assertionResults: [
            { status: 'passed', fullName: 'a check finds a line' },
            {
              status: 'failed',
              fullName: "a check's expectLog step does not count a line from before the case",
              failureMessages: ['\u001b[31mAssertionError: expected \'no log lines\' to be \'last line: "unrelated"\'\u001b[39m\n    at check-log.test.ts:29:5'],
            },
          ],
        },
        { name: '/repo/test/unit/ok.test.ts', status: 'passed', assertionResults: [{ status: 'passed', fullName: 'fine' }] },
      ]),
      root,
    );
    expect(lines).toEqual([
      `unit test/unit/labs/check-log.test.ts › a check's expectLog step does not count a line from before the case: AssertionError: expected 'no log lines' to be 'last line: "unrelated"'`,
    ]);
  });

  it('names a file that failed with no failed test (it did not load, or an afterAll failed)', () => {
    const lines = failedTests(
      'e2e',
      report([{ name: '/repo/test/e2e/lab.test.ts', status: 'failed', message: "Error: nginx's error log is not clean:\n[error] 12#12: boom", assertionResults: [{ status: 'passed', fullName: 'runs' }] }]),
      root,
    );
    expect(lines).toEqual(["e2e test/e2e/lab.test.ts (the file, no test of it): Error: nginx's error log is not clean:"]);
  });

  it('keeps a line to 200 characters and says nothing of a test with no message', () => {
    expect(firstLine(`Error: ${'x'.repeat(300)}`)).toBe(`Error: ${'x'.repeat(192)}…`);
    expect(firstLine(`Error: ${'x'.repeat(300)}`)).toHaveLength(200);
    expect(firstLine(undefined)).toBe('');
  });
});

describe("npm test's CPU line", () => {
  it("is the delta of /proc/stat's first line: user, nice, system with irq and softirq, idle with iowait", () => {
    const before = 'cpu  10000 500 3000 90000 700 20 80 0 0 0\ncpu0 5000 250 1500 45000 350 10 40 0 0 0\n';
    const after = 'cpu  90532 600 34647 91800 720 120 180 0 0 0\ncpu0 45000 300 17000 45900 360 60 90 0 0 0\n';
    expect(machineCpu(before, after)).toEqual({ user: 805.32, nice: 1, system: 318.47, idle: 18.2 });
  });

  it('is null for a text it cannot read', () => {
    expect(machineCpu('', 'cpu  1 2 3 4 5 6 7')).toBeNull();
    expect(machineCpu('cpu  1 2 3 4 5 6 7', 'intr 5 6')).toBeNull();
    expect(machineCpu('cpu  1 2 x 4 5 6 7', 'cpu  1 2 3 4 5 6 7')).toBeNull();
  });
});
