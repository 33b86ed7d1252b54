import { describe, expect, it } from 'vitest';
import { compileLab, isStackOverflow, loadTypeScript, LOOP_MARK, markLoops, refusal } from '../../../server/labs/ts/compile.ts';
import { compileOverdue } from '../../../server/labs/ts/compiler.ts';

/**
 * Code the TypeScript compiler cannot finish is the learner's, as a syntax
 * error is: a refusal with a message saying what to change, never a throw
 * (which the lab API answers 500). And the compile worker's rule for a
 * compile that runs too long, the rule of the lab servers' own watchdog.
 */
const ts = await loadTypeScript();

describe('refusal', () => {
  it('says why nothing started and what to do, at line 1 (the file as a whole)', () => {
    expect(refusal({ why: 'deep' })).toEqual({
      ok: false,
      error: 'syntax',
      line: 1,
      message:
        "Your code is nested too deeply to compile: thousands of levels (brackets inside brackets, or a chain like a + a + … of thousands of terms) exhaust the compiler's stack. Split it into smaller expressions or functions, then press Run again.",
    });
    expect(refusal({ why: 'slow', seconds: 5 })).toEqual({
      ok: false,
      error: 'syntax',
      line: 1,
      message:
        'Compiling your code took more than 5 s, so it was stopped: an expression of thousands of terms (a chain like a + a + …) compiles very slowly. Split it into smaller expressions or functions, then press Run again.',
    });
    expect(refusal({ why: 'memory', mib: 256 })).toEqual({
      ok: false,
      error: 'syntax',
      line: 1,
      message: 'Compiling your code needed more than 256 MiB of memory, so it was stopped. Split it into smaller expressions or functions, then press Run again.',
    });
  });
});

describe('compileLab on code nested too deeply', () => {
  it('returns the refusal, where it used to throw RangeError (the API answered 500); then compiles as before', () => {
    for (const code of [`const x = ${'('.repeat(20_000)}1${')'.repeat(20_000)};\n`, `const x = ${'['.repeat(20_000)}${']'.repeat(20_000)};\n`, `${'{'.repeat(20_000)}${'}'.repeat(20_000)}\n`]) {
      expect(compileLab(ts, code)).toEqual(refusal({ why: 'deep' }));
    }
    // Nesting of a normal depth, a loop and a syntax error, as ever.
    expect(compileLab(ts, `const x = ${'('.repeat(50)}1${')'.repeat(50)};\nfor (;;) break;\n`)).toEqual({
      ok: true,
      js: `const x = ${'('.repeat(50)}1${')'.repeat(50)};\nfor (;;) {${LOOP_MARK}(2);break;}\n`,
    });
    expect(compileLab(ts, 'const a: number = (;\n')).toEqual({ ok: false, error: 'syntax', line: 1, message: 'Expression expected.' });
  });

  it('tells a stack overflow from other errors', () => {
    const recurse = (n: number): number => recurse(n + 1) + 1;
    let overflow: unknown;
    try {
      recurse(0);
    } catch (error) {
      overflow = error;
    }
    expect(isStackOverflow(overflow)).toBe(true);
    expect(isStackOverflow(new RangeError('Invalid array length'))).toBe(false);
    expect(isStackOverflow(new Error('Maximum call stack size exceeded'))).toBe(false);
    expect(isStackOverflow('Maximum call stack size exceeded')).toBe(false);
  });
});

describe('markLoops on many loops', () => {
  it('marks 14,000 loops in one pass (splicing each in took over a minute), marks meeting at one offset in the order they always had', () => {
    // The last loops nest without braces: their closing braces meet at one offset.
    const code = `${'for(;;);\n'.repeat(14_000)}for (;;) for (;;) while (a) x();\n`;
    const source = ts.createSourceFile('lab.ts', code, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
    const expected = Array.from({ length: 14_000 }, (_, i) => `for(;;){${LOOP_MARK}(${i + 1});;}\n`).join('');
    const last = `for (;;) {${LOOP_MARK}(14001);for (;;) {${LOOP_MARK}(14001);while (a) {${LOOP_MARK}(14001);x();}}}\n`;
    expect(markLoops(ts, source, code)).toBe(expected + last);
  });
});

describe('compileOverdue', () => {
  const limits = { compileMs: 5000, compileStarvedMs: 30_000 };

  it('never before compileMs, whatever the CPU', () => {
    expect(compileOverdue(4999, 4999, limits)).toBe(false);
    expect(compileOverdue(0, null, limits)).toBe(false);
  });

  it('at compileMs with the core kept busy, or without a CPU figure', () => {
    expect(compileOverdue(5000, 2500, limits)).toBe(true);
    expect(compileOverdue(5000, 5000, limits)).toBe(true);
    expect(compileOverdue(5000, null, limits)).toBe(true);
  });

  it('gives a starved worker more time: until compileMs of CPU, or compileStarvedMs in all', () => {
    expect(compileOverdue(5000, 2499, limits)).toBe(false);
    expect(compileOverdue(12_000, 4999, limits)).toBe(false);
    expect(compileOverdue(12_000, 5000, limits)).toBe(true);
    expect(compileOverdue(29_999, 100, limits)).toBe(false);
    expect(compileOverdue(30_000, 100, limits)).toBe(true);
  });
});
