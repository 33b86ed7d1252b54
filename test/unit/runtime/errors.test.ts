import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { frameInLearnerCode, lineCount, wrapLearnerCode } from '../../../src/runtime/runner/errors.ts';
import { prepareJavaScript } from '../../../src/runtime/runner/prepare.ts';
import { prepareTranspiled } from '../../../src/runtime/runner/transpile.ts';
import { transpileForSandbox } from '../../../src/runtime/runner/transpile-service.ts';

describe('frameInLearnerCode', () => {
  it('finds the first learner frame in a Chromium stack, skipping built-ins', () => {
    const stack = [
      "SyntaxError: Expected property name or '}' in JSON at position 1",
      '    at JSON.parse (<anonymous>)',
      '    at eval (learner-code.js:3:6)',
      '    at eval (learner-code.js:4:3)',
      '    at self.onmessage (blob:null/05c8:4:40)',
    ].join('\n');
    expect(frameInLearnerCode(stack)).toEqual({ line: 3, column: 6 });
  });

  it('reads Firefox-style frames and frames without a function name', () => {
    expect(frameInLearnerCode('boom@learner-code.js:7:12\n')).toEqual({ line: 7, column: 12 });
    expect(frameInLearnerCode('Error: x\n    at learner-code.js:2:1')).toEqual({ line: 2, column: 1 });
  });

  it('gives null when the learner code is not on the stack', () => {
    expect(frameInLearnerCode('Error\n    at run (sandbox.worker.js:10:2)')).toBeNull();
    expect(frameInLearnerCode(undefined)).toBeNull();
  });
});

describe('wrapping', () => {
  it('puts exactly one line before the learner code and names it', () => {
    const wrapped = wrapLearnerCode('a();\nb();');
    expect(wrapped.split('\n')[1]).toBe('a();');
    expect(wrapped.endsWith('//# sourceURL=learner-code.js')).toBe(true);
  });

  it('maps wrapped lines back, and refuses lines outside the code', () => {
    const { mapPosition } = prepareJavaScript('a();\nb();\nc();');
    expect(mapPosition({ line: 3, column: 5 })).toEqual({ line: 2, column: 5 });
    expect(mapPosition({ line: 1, column: 1 })).toBeNull();
    expect(mapPosition({ line: 6, column: 1 })).toBeNull();
  });

  it("puts an error on the wrapper's closing line (an unclosed brace) at the end of the code", () => {
    const { mapPosition } = prepareJavaScript('a();\nif (x) {\nc();');
    expect(mapPosition({ line: 5, column: 2 })).toEqual({ line: 3, column: 1 });
  });

  it('counts lines like an editor', () => {
    expect(lineCount('')).toBe(1);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('a\n')).toBe(2);
  });
});

describe('prepareTranspiled', () => {
  // Interfaces vanish in the output, so JavaScript lines no longer match TypeScript lines.
  const source = [
    'interface Greeting {', //      1
    '  text: string;', //           2
    '}', //                         3
    '', //                          4
    'type Id = number;', //         5
    'const g: Greeting = { text: "hi" };', // 6
    'const id: Id = 1;', //          7
    '(g as any).nope.call(id);', //  8
  ].join('\n');

  // What Run does in the browser, with Node's copy of the same compiler.
  const emit = (text: string) => transpileForSandbox(ts, text, 'lesson.ts');

  it('removes the module marker and the map comment, and maps positions to TypeScript lines', () => {
    const { js, map } = emit(source);
    expect(js).toContain('export {};');
    const prepared = prepareTranspiled(js, map);
    expect(prepared.js).not.toContain('export {}');
    expect(prepared.js).not.toContain('sourceMappingURL');
    const jsLines = prepared.js.split('\n');
    const failing = jsLines.findIndex((line) => line.includes('.nope.call'));
    expect(failing).toBe(2);
    // The sandbox reports wrapped coordinates: one wrapper line on top.
    const column = (jsLines[failing] as string).indexOf('nope') + 1;
    expect(prepared.mapPosition({ line: failing + 2, column })).toEqual({ line: 8, column: 12 });
  });

  it('maps a position on indentation to the statement that follows it', () => {
    const { js, map } = emit('interface A {}\nfunction f() {\n    missing();\n}\nf();');
    const prepared = prepareTranspiled(js, map);
    const line = prepared.js.split('\n').findIndex((l) => l.includes('missing()')) + 2;
    expect(prepared.mapPosition({ line, column: 1 })?.line).toBe(3);
  });
});
