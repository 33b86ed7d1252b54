/**
 * The only door to Monaco: a dynamic import, so the editor's megabytes are a
 * separate set of chunks fetched the first time a playground needs them, and
 * never on a page that does not.
 */
import type * as MonacoSetup from './monaco-setup.ts';

type MonacoModule = typeof MonacoSetup;

let loading: Promise<MonacoModule> | null = null;

export function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monaco-setup.ts').catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
