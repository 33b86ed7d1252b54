import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../../labs/schema.ts';
import { runCheck } from '../../../server/labs/check.ts';
import type { LabLogLine } from '../../../server/labs/engine.ts';

const line = (text: string): LabLogLine => ({ time: 0, level: 'info', text, line: null });

/** A check of one case that waits for a log line; no client connects. */
const check = checkSchema.parse({ cases: [{ name: 'logs hello', steps: [{ do: 'expectLog', text: 'hello', within: 2000 }] }] });

describe("a check's expectLog step against a bounded log", () => {
  it('finds a line that arrives while the log drops its oldest lines', async () => {
    const lines = [line('one'), line('two'), line('three')];
    const log = (): readonly LabLogLine[] => lines;
    setTimeout(() => {
      // As LabLog does past its bounds: the oldest go as the new one comes, so the log is shorter than at the start.
      lines.splice(0, 2);
      lines.push(line('hello, world'));
    }, 10);
    expect(await runCheck(check, { url: 'ws://127.0.0.1:1', log })).toEqual({ passed: true, cases: [{ name: 'logs hello', hidden: false, passed: true, failure: null }] });
  });

  it('does not count a line from before the case, and says which line came last', async () => {
    const lines = [line('hello from an earlier run')];
    const verdict = await runCheck(check, { url: 'ws://127.0.0.1:1', log: () => lines });
    expect(verdict.cases[0]?.failure?.arrived).toBe('no log lines');
    setTimeout(() => lines.push(line('unrelated')), 10);
    const again = await runCheck(check, { url: 'ws://127.0.0.1:1', log: () => lines });
    expect(again.cases[0]?.failure?.arrived).toBe('last line: "unrelated"');
  });
});
