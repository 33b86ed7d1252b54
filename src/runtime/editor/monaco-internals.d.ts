/**
 * The few Monaco modules the course imports beyond the public API (its TS
 * worker entry for ts.worker.ts; one service override for clipboard.ts),
 * declared as far as they are used: monaco-editor ships no declarations
 * for them.
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

// Internals clipboard.ts replaces one service with (monaco-editor ships no declarations for them).
declare module 'monaco-editor/base/common/errors' {
  export function isCancellationError(error: unknown): boolean;
}
declare module 'monaco-editor/platform/clipboard/browser/clipboardService' {
  export class BrowserClipboardService {
    constructor(...services: unknown[]);
    protected logService: { error(...args: unknown[]): void };
  }
}
declare module 'monaco-editor/platform/instantiation/common/descriptors' {
  // A declaration of Monaco's own class, which has more members than this file needs.
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class
  export class SyncDescriptor {
    constructor(ctor: new (...services: never[]) => unknown);
  }
}
declare module 'monaco-editor/editor/standalone/browser/standaloneServices' {
  export const StandaloneServices: { initialize(overrides: Record<string, unknown>): unknown };
}
