import { describe, expect, it } from 'vitest';
import { frameInLearnerCode, lineCount, wrapLearnerCode } from '../../../src/runtime/runner/errors.ts';
import { prepareJavaScript } from '../../../src/runtime/runner/prepare.ts';

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
