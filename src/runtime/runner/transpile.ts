import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { transform } from 'sucrase';
import { lineCount, unwrapPosition, type Position } from './errors.ts';
import type { Prepared } from './prepare.ts';

/**
 * TypeScript prepared for the sandbox: the types removed, not checked (the
 * editor shows every type error; running never waited for them to be right).
 *
 * Sucrase removes them. Run used to ask TypeScript itself, in a copy of
 * Monaco's TypeScript worker: the compiler is a 2.9 MB (gzip) script, so the
 * first Run of a page waited seconds for it to load and warm. Sucrase only
 * strips syntax, is a small chunk loaded with this module, and keeps every
 * line where the learner wrote it; its source map also gives columns.
 * Modern JavaScript is left as written (`disableESTransforms`): the sandbox
 * runs in the same browser as the page.
 */
export function prepareTypeScript(source: string, fileName: string): Prepared {
  let output;
  try {
    output = transform(source, {
      transforms: ['typescript'],
      disableESTransforms: true,
      filePath: fileName,
      sourceMapOptions: { compiledFilename: fileName.replace(/\.ts$/, '.js') },
    });
  } catch (error) {
    return syntaxErrorAtRun(error);
  }
  return prepareTranspiled(output.code, JSON.stringify(output.sourceMap));
}

// The learner may end a file with `export {};` to make it a module; inside the wrapper it is a syntax error.
const EMPTY_EXPORT = /^export \{\};\s*$/m;
const SOURCE_MAP_COMMENT = /^\/\/# sourceMappingURL=.*$/m;

/** JavaScript from a transpiler, with its source map back to the learner's TypeScript. */
export function prepareTranspiled(js: string, map: string): Prepared {
  const runnable = js.replace(SOURCE_MAP_COMMENT, '').replace(EMPTY_EXPORT, '');
  const lines = lineCount(runnable);
  const trace = new TraceMap(map);
  return {
    js: runnable,
    mapPosition(wrapped: Position): Position | null {
      const inJs = unwrapPosition(wrapped, lines);
      if (!inJs) return null;
      const needle = { line: inJs.line, column: inJs.column - 1 };
      let original = originalPositionFor(trace, { ...needle, bias: GREATEST_LOWER_BOUND });
      // A position before the line's first mapping (e.g. on indentation) maps to the next one.
      if (original.line === null) original = originalPositionFor(trace, { ...needle, bias: LEAST_UPPER_BOUND });
      if (original.line === null) return null;
      return { line: original.line, column: original.column + 1 };
    },
  };
}

/**
 * Code that cannot be parsed still runs: as one statement that throws the
 * parser's SyntaxError, every position of which maps to where the parser
 * stopped. So the learner meets it exactly as a JavaScript syntax error —
 * "Fix line N first" in the Output and a mark in the editor — with no second
 * path for errors found before the run.
 */
function syntaxErrorAtRun(error: unknown): Prepared {
  const { message, loc } = error as { message?: string; loc?: { line: number; column: number } };
  // "Error transforming lesson/a.ts: Unexpected token (2:12)": the learner knows which file.
  const text = (message ?? String(error)).replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '');
  const at: Position = loc ? { line: loc.line, column: Math.max(1, loc.column) } : { line: 1, column: 1 };
  return { js: `throw new SyntaxError(${JSON.stringify(text)});`, mapPosition: () => at };
}
