/**
 * The few Monaco modules the course imports beyond the public API (one
 * service override for clipboard.ts; the JavaScript and TypeScript grammars
 * for the quiet languages in monaco-setup.ts),
 * declared as far as they are used: monaco-editor ships no declarations
 * for them.
 */
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
// The Monarch grammars behind Monaco's JavaScript and TypeScript highlighting, which monaco-setup.ts reuses.
declare module 'monaco-editor/languages/definitions/javascript/javascript' {
  import type { languages } from 'monaco-editor/editor';
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
declare module 'monaco-editor/languages/definitions/typescript/typescript' {
  import type { languages } from 'monaco-editor/editor';
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
