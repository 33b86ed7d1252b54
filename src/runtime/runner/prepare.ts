import { lineCount, unwrapPosition, type PositionMapper } from './errors.ts';

/**
 * Code ready for the sandbox: JavaScript, plus how a position in what runs
 * maps back to what the learner wrote. TypeScript goes through transpile.ts,
 * which is loaded only when a TypeScript playground runs.
 */
export interface Prepared {
  js: string;
  mapPosition: PositionMapper;
}

export function prepareJavaScript(code: string): Prepared {
  const lines = lineCount(code);
  return { js: code, mapPosition: (wrapped) => unwrapPosition(wrapped, lines) };
}
