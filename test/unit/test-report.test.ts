import { describe, expect, it } from 'vitest';
import { failedTests, firstLine, waitedChildrenCpu, type JsonReport } from '../../scripts/test-report.ts';

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
  it('reads cutime and cstime (fields 16 and 17) of a /proc stat line, a command name with spaces and parentheses included', () => {
    // A real line of `node scripts/test.ts` at its end, the name changed to test the parsing.
    const line = '4242 (node (a) b) S 4241 4242 4195 0 -1 4194304 81234 912345 0 3 2130 412 80532 31647 20 0 11 0 1455 1189 12 18446744073709551615 0 0 0 0 0 0 0 16781312 1207 0 0 0 17 1 0 0 0 0 0';
    expect(waitedChildrenCpu(line)).toEqual({ user: 805.32, system: 316.47 });
  });

  it('is null for a line it cannot read', () => {
    expect(waitedChildrenCpu('')).toBeNull();
    expect(waitedChildrenCpu('1 (x) S 0 1')).toBeNull();
  });
});
