/**
 * Where in the learner's code an error happened. The sandbox evaluates the
 * code as `(async () => {` + newline + code + `})()` named by a sourceURL, so
 * stack frames say `learner-code.js:<line>:<col>` with the wrapper's one line
 * on top; TypeScript adds a second step through the transpiler's source map.
 */

/** The name the learner's code carries in stack traces (a `//# sourceURL`). */
export const SOURCE_NAME = 'learner-code.js';
/** Lines the sandbox puts before the learner's first line. */
export const WRAPPER_LINES = 1;

/** Wraps learner JavaScript for evaluation: top-level await works, a throw becomes a rejection. */
export function wrapLearnerCode(code: string): string {
  return `(async () => {\n${code}\n})()\n//# sourceURL=${SOURCE_NAME}`;
}

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const escaped = SOURCE_NAME.replace(/[.]/g, '\\.');
// Chromium: "at fn (learner-code.js:3:5)" or "at learner-code.js:3:5"; Firefox/Safari: "fn@learner-code.js:3:5".
const FRAME = new RegExp(`(?:^|[\\s(@])${escaped}:(\\d+):(\\d+)`, 'm');

/** The first frame of a stack that lies in the learner's code (wrapped coordinates). */
export function frameInLearnerCode(stack: string | undefined): Position | null {
  if (!stack) return null;
  const match = FRAME.exec(stack);
  if (!match) return null;
  return { line: Number(match[1]), column: Number(match[2]) };
}

/** Turns a wrapped position into a position in the code the learner sees. */
export type PositionMapper = (wrapped: Position) => Position | null;

/**
 * For JavaScript: only the wrapper's offset. The line after the code is the
 * wrapper's closing `})()`: a syntax error there (an unclosed brace) belongs to
 * the end of the learner's code. Anything else outside it is not the learner's.
 */
export function unwrapPosition(wrapped: Position, codeLines: number): Position | null {
  const line = wrapped.line - WRAPPER_LINES;
  if (line === codeLines + 1) return { line: codeLines, column: 1 };
  if (line < 1 || line > codeLines) return null;
  return { line, column: wrapped.column };
}

/** Counts lines the way editors do: "a\nb" has 2, "" has 1. */
export function lineCount(code: string): number {
  let count = 1;
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) count++;
  return count;
}
