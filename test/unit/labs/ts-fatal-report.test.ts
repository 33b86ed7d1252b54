import { describe, expect, it } from 'vitest';
import { V8Report } from '../../../server/labs/ts/fatal.ts';

/**
 * V8's report on a TypeScript lab's stderr when it ends the process: held back
 * line by line, so the engine can lead the log with what happened in words
 * and keep only V8's reason. The first case is what Node 24 printed for a lab
 * whose heap reached its 64 MiB cap (one GC line shortened).
 */
const HEAP_REPORT = [
  '',
  '<--- Last few GCs --->',
  '',
  '[6650:0x1d380000]      192 ms: Mark-Compact 54.4 (71.8) -> 54.3 (87.8) MB, pooled: 0 MB, 8.96 / 0.00 ms  (average mu = 0.912, current mu = 0.745) allocation failure',
  '',
  'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  '----- Native stack trace -----',
  '',
  ' 1: 0x931db0  [/work/main/node_modules/node/bin/node]',
  ' 2: 0x75968e node::OOMErrorHandler(char const*, v8::OOMDetails const&) [/work/main/node_modules/node/bin/node]',
  ' 3: 0xc70d60  [/work/main/node_modules/node/bin/node]',
  '15: 0x1add9b6  [/work/main/node_modules/node/bin/node]',
];

function feed(report: V8Report, lines: readonly string[]): string[] {
  return lines.flatMap((line) => report.take(line));
}

describe('V8Report', () => {
  it('holds back the whole report of a heap out of memory, and keeps V8\'s reason', () => {
    const report = new V8Report();
    expect(feed(report, ['a line of the learner\'s', ...HEAP_REPORT])).toEqual(['a line of the learner\'s']);
    expect(report.started).toBe(true);
    expect(report.outOfMemory).toBe(true);
    expect(report.reason).toBe('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    expect(report.flush()).toEqual([]);
  });

  it('passes the learner\'s own stderr through; a blank line waits for the next line, or the end', () => {
    const report = new V8Report();
    expect(feed(report, ['one', '', ''])).toEqual(['one']);
    expect(feed(report, ['two'])).toEqual(['', '', 'two']);
    expect(feed(report, ['#'])).toEqual([]);
    expect(report.flush()).toEqual(['#']);
    expect(report.started).toBe(false);
    expect(report.outOfMemory).toBe(false);
    expect(report.reason).toBeNull();
  });

  it('another fatal error is a report too, but not out of memory', () => {
    const report = new V8Report();
    const lines = ['', '#', '# Fatal error in , line 0', '# Fatal JavaScript invalid size error 169220804', '#', '#FailureMessage Object: 0x7ffd', '----- Native stack trace -----', ' 1: 0x931db0  [node]'];
    expect(feed(report, lines)).toEqual([]);
    expect(report.reason).toBe('Fatal JavaScript invalid size error 169220804');
    expect(report.outOfMemory).toBe(false);
  });

  it('a report whose reason was lost is out of memory by its GC trace alone', () => {
    const report = new V8Report();
    expect(feed(report, ['', '<--- Last few GCs --->', '[1:0x1]  5 ms: Scavenge 1.0 -> 1.0 MB'])).toEqual([]);
    expect(report.outOfMemory).toBe(true);
    expect(report.reason).toBeNull();
  });
});
