import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cutLogText, LAB_LOG_BYTES, LAB_LOG_LINE_CHARS, LAB_LOG_LINES, LabLog, linesAfter, readLines, type LabLogLine } from '../../../server/labs/engine.ts';

/**
 * The lab log's bounds, which every engine keeps its log in: a line's text is
 * cut with a marker that says how much went, and the whole log drops its
 * oldest lines past a line count and a byte count. A learner's server that
 * prints megabyte lines must not grow the companion.
 */
const line = (text: string, level = 'stdout'): LabLogLine => ({ time: 1, level, text, line: null });

describe('cutLogText', () => {
  it('keeps a line that fits whole, and cuts a longer one to LAB_LOG_LINE_CHARS, saying how many characters went', () => {
    expect(LAB_LOG_LINE_CHARS).toBe(4096);
    expect(cutLogText('hello')).toBe('hello');
    const fits = 'a'.repeat(4096);
    expect(cutLogText(fits)).toBe(fits);
    const cut = cutLogText('x'.repeat(1_000_000));
    expect(cut).toBe(`${'x'.repeat(4048)} … [995952 more characters cut]`);
    expect(cut.length).toBeLessThanOrEqual(LAB_LOG_LINE_CHARS);
    // Characters a reader already dropped count too.
    expect(cutLogText('abc', 10)).toBe('abc … [10 more characters cut]');
  });

  it('never keeps half of a surrogate pair', () => {
    const text = `${'a'.repeat(4047)}😀${'b'.repeat(5000)}`;
    expect(cutLogText(text)).toBe(`${'a'.repeat(4047)} … [5002 more characters cut]`);
  });
});

describe('LabLog', () => {
  it('keeps a flood of megabyte lines cut, and under LAB_LOG_BYTES by dropping the oldest', () => {
    const log = new LabLog();
    const heard: LabLogLine[] = [];
    log.onLog((l) => heard.push(l));
    const huge = 'x'.repeat(1_000_000);
    log.add(line('first'));
    for (let i = 0; i < 300; i++) log.add(line(huge));
    log.add(line('last'));
    const cut = `${'x'.repeat(4048)} … [995952 more characters cut]`;
    // Each kept huge line: its cut text (" … [" is 6 bytes in UTF-8), "stdout" and 80 of framing.
    const perLine = Buffer.byteLength(cut) + 'stdout'.length + 80;
    expect(perLine).toBe(4167);
    // "last" (4 + 6 + 80 bytes) and as many huge lines as fit beside it.
    expect(log.lines.length).toBe(252);
    expect(log.bytes).toBe(251 * 4167 + 90);
    expect(log.bytes).toBeLessThanOrEqual(LAB_LOG_BYTES);
    expect(log.lines.map((l) => l.text)).toEqual([...Array<string>(251).fill(cut), 'last']);
    // Listeners hear every line, as kept, with its number.
    expect(heard).toHaveLength(302);
    expect(heard[1]).toEqual({ ...line(cut), seq: 2 });
    const ndjson = log.lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    expect(Buffer.byteLength(ndjson)).toBeLessThanOrEqual(LAB_LOG_BYTES);
  });

  it('still keeps LAB_LOG_LINES short lines, oldest first out', () => {
    const log = new LabLog();
    for (let i = 0; i < LAB_LOG_LINES + 5; i++) log.add(line(`line ${i}`));
    expect(log.lines.length).toBe(2000);
    expect(log.lines[0]?.text).toBe('line 5');
    expect(log.lines.at(-1)?.text).toBe('line 2004');
  });

  it('numbers every line from 1 and keeps the numbers as the oldest go; linesAfter answers those past a number', () => {
    const log = new LabLog();
    for (let i = 1; i <= LAB_LOG_LINES + 5; i++) log.add(line(`line ${i}`));
    expect(log.lines[0]).toEqual({ time: 1, level: 'stdout', text: 'line 6', line: null, seq: 6 });
    expect(log.lines.at(-1)).toEqual({ time: 1, level: 'stdout', text: 'line 2005', line: null, seq: 2005 });
    expect(linesAfter(log.lines, 2002).map((l) => l.seq)).toEqual([2003, 2004, 2005]);
    expect(linesAfter(log.lines, 2005)).toEqual([]);
    expect(linesAfter(log.lines, 9_999)).toEqual([]);
    // Past a line that was dropped (or from 0): every line held.
    expect(linesAfter(log.lines, 3)).toHaveLength(LAB_LOG_LINES);
    expect(linesAfter(log.lines, 0)[0]?.seq).toBe(6);
    expect(linesAfter([], 0)).toEqual([]);
    // A log an engine keeps without numbers: each line's place from 1.
    expect(linesAfter([line('a'), line('b'), line('c')], 1).map((l) => l.text)).toEqual(['b', 'c']);
  });
});

describe('readLines', () => {
  it('keeps at most `max` characters of a line without an end, counts the rest, and splits as readline does', async () => {
    const stream = new PassThrough();
    const got: [string, number][] = [];
    readLines(stream, 8, (text, cut) => got.push([text, cut]));
    // 10 MB with no line end, in chunks: only 8 characters of it are held.
    for (let i = 0; i < 10; i++) stream.write(Buffer.alloc(1_000_000, 'y'));
    stream.write('\nshort\r');
    stream.write('\nnext\rlast\r\n\n');
    stream.end('tail');
    await new Promise((resolve) => stream.on('end', resolve));
    expect(got).toEqual([
      ['yyyyyyyy', 9_999_992],
      ['short', 0],
      ['next', 0],
      ['last', 0],
      ['', 0],
      ['tail', 0],
    ]);
  });
});
