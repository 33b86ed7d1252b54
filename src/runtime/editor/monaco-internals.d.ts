/**
 * The few exports of Monaco's TypeScript worker module that ts.worker.ts
 * uses; monaco-editor ships no declarations for its worker entry points.
 */
declare module 'monaco-editor/language/typescript/ts.worker' {
  import type * as TypeScript from 'typescript';

  /** The TypeScript compiler bundled into the worker. */
  export const ts: typeof TypeScript;
  /** Sets up Monaco's worker protocol; `createClient` builds the object whose methods the page calls. */
  export function initialize(createClient: (ctx: unknown, createData: unknown) => unknown): void;
  /** Monaco's TypeScriptWorker for `createData` (or the custom one it names). */
  export function create(ctx: unknown, createData: unknown): unknown;
}
