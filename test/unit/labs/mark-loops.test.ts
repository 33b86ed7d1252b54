import { describe, expect, it } from 'vitest';
import { compileLab, loadTypeScript, LOOP_MARK, markLoops } from '../../../server/labs/ts/compile.ts';

/**
 * The loop marks that let a stuck TypeScript lab say which line it is stuck
 * on: every kind of loop gets one naming its own line, a body without braces
 * gets braces, and no line moves (stack traces and log lines keep the
 * learner's line numbers).
 */
const ts = await loadTypeScript();
const mark = (code: string): string => markLoops(ts, ts.createSourceFile('lab.ts', code, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS), code);

describe('markLoops', () => {
  it('marks each loop body with its own line, keeping every line where it was', () => {
    const code = 'let n: number = 0;\nwhile (true) {\n  n++;\n}\nfor (const x of [1]) n += x;\ndo n--; while (n > 0);\nouter: for (let i = 0; i < 2; i++)\n  for (;;) continue outer;\n';
    expect(mark(code)).toBe(
      `let n: number = 0;\nwhile (true) {${LOOP_MARK}(2);\n  n++;\n}\nfor (const x of [1]) {${LOOP_MARK}(5);n += x;}\ndo {${LOOP_MARK}(6);n--;} while (n > 0);\nouter: for (let i = 0; i < 2; i++)\n  {${LOOP_MARK}(7);for (;;) {${LOOP_MARK}(8);continue outer;}}\n`,
    );
    expect(mark(code).split('\n').length).toBe(code.split('\n').length);
  });

  it('leaves code without loops as it was, and the compiled lab calls the mark', () => {
    expect(mark('const a = 1;\n')).toBe('const a = 1;\n');
    const compiled = compileLab(ts, 'const xs: number[] = [];\nfor (let i = 0; i < 3; i++) xs.push(i);\n');
    expect(compiled).toEqual({ ok: true, js: `const xs           = [];\nfor (let i = 0; i < 3; i++) {${LOOP_MARK}(2);xs.push(i);}\n` });
  });
});
