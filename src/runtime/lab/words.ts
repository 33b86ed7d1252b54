import type { CaseResult, Verdict } from '../../../protocol/labs.ts';

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

/**
 * The status line while the check runs: which case, of how many, and how the ones before it went,
 * so a check of many seconds (a ticker, a heartbeat) is seen to go on.
 */
export function checkingText(checking: { index: number; of: number; name: string; done: readonly { passed: boolean }[] }): string {
  // The cases before this one: once this one has ended too, the line stays as it was until the verdict.
  const before = checking.done.slice(0, checking.index - 1);
  const failed = before.filter((c) => !c.passed).length;
  const passed = before.length - failed;
  const sofar = before.length === 0 ? '' : ` So far ${passed} passed${failed > 0 ? `, ${failed} failed` : ''}.`;
  return `Checking case ${checking.index} of ${checking.of}: ${checking.name}…${sofar}`;
}

/**
 * One case of the verdict. A failed case names the client and the step, then what was expected and
 * what arrived; a step that is itself an expectation is not said twice ("step 7 (expect text …):
 * expected text …" read as a stutter).
 */
export function caseText(c: CaseResult): string {
  const name = `${c.name}${c.hidden ? ' (hidden case)' : ''}`;
  if (c.passed || !c.failure) return `Passed: ${name}`;
  const f = c.failure;
  const who = f.client === null ? '' : `${f.client}, `;
  const step = f.action.startsWith('expect') ? `step ${f.step}` : `step ${f.step} (${f.action})`;
  return `Failed: ${name}. ${who}${step}: expected ${f.expected}; arrived: ${f.arrived}.`;
}

/**
 * A lab text (summary, hint, note) cut at its backticks: the parts between them are code.
 * The built page (components/CodeText.astro) and the element, when the language changes,
 * render a text from these same parts.
 */
export function codeSpans(text: string): { code: boolean; text: string }[] {
  return text.split('`').map((part, i) => ({ code: i % 2 === 1, text: part }));
}
