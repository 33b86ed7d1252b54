import type { Verdict } from '../../../protocol/labs.ts';

/**
 * The heading over a server lab's check cases. A failed check counts its
 * failed cases in so many words ("2 of 3 cases failed."): a bare "2 of 3
 * cases" could be read as 2 passed.
 */
export function verdictHeading(verdict: Verdict, showingSolution: boolean): string {
  if (verdict.passed) {
    return showingSolution
      ? 'Check passed with the solution. Write it yourself (Solution again brings your code back) to get the credit.'
      : 'Check passed: well done!';
  }
  const failed = verdict.cases.filter((c) => !c.passed).length;
  const total = verdict.cases.length;
  return `Check failed: ${failed} of ${total} ${total === 1 ? 'case' : 'cases'} failed.`;
}

/**
 * The Output's line for `count` lines of the server's log it never showed: the companion keeps the
 * newest 2,000 and dropped these before the page asked, or more came at once than the Output keeps.
 */
export function skippedText(count: number): string {
  return `… ${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'} skipped: your server logged faster than the Output can show.`;
}
