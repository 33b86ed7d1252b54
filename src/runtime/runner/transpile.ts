import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { lineCount, unwrapPosition, type Position } from './errors.ts';
import type { Prepared } from './prepare.ts';

/**
 * TypeScript prepared for the sandbox. The JavaScript comes from the
 * transpile-only copy of Monaco's TypeScript worker (transpile-service.ts)
 * with a source map, which maps error positions back to the TypeScript the
 * learner wrote.
 */

// With moduleDetection "force" TypeScript marks a file without imports as a
// module by appending `export {};`, which is a syntax error inside the wrapper.
const EMPTY_EXPORT = /^export \{\};\s*$/m;
const SOURCE_MAP_COMMENT = /^\/\/# sourceMappingURL=.*$/m;

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
