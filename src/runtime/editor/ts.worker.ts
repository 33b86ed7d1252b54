/**
 * The TypeScript worker script, started two ways.
 *
 * - By Monaco (monaco-setup.ts, MonacoEnvironment.getWorker): its language
 *   service for diagnostics, completions and hovers, exactly as Monaco ships
 *   it. Monaco's first message is the string "ignore", then its settings.
 * - By Run (runner/transpiler.ts): a first message of TRANSPILE_HELLO turns
 *   this instance into a transpiler only, so Run never waits behind the
 *   editor's type checking and never builds a program (see
 *   transpile-service.ts). Same script, same compiler: nothing more to fetch.
 */
import { create, initialize, ts } from 'monaco-editor/language/typescript/ts.worker';
import { serveTranspile, TRANSPILE_HELLO, type TranspileScope } from '../runner/transpile-service.ts';

// Importing Monaco's worker module installed its own start handler; this one decides first.
self.onmessage = (first: MessageEvent) => {
  if (first.data === TRANSPILE_HELLO) {
    // The module's `ts` re-exports a few names; the whole compiler (ModuleKind, transpileModule…) is its `typescript`.
    serveTranspile(self as unknown as TranspileScope, (ts as unknown as { typescript: Parameters<typeof serveTranspile>[1] }).typescript);
    return;
  }
  initialize((ctx, createData) => create(ctx, createData));
};
