/**
 * What a playground remembers for the learner, in localStorage, under one
 * small key scheme (v1):
 *
 *   fd:v1:code:<playground id>:<file>  the learner's code; <file> is "shared"
 *                                      when all clients run the same code, else
 *                                      the client's name
 *
 * Playground ids are unique across the whole site, so a key never collides.
 * Whether an exercise passed is not kept here but in the course progress
 * (store.ts), the one place that "Reset progress" clears.
 * Storage is injected; every call tolerates storage that throws (private
 * mode, quota) by forgetting instead of failing.
 */
import type { KeyValueStore } from '../storage.ts';

const PREFIX = 'fd:v1:';

export const progressKeys = {
  code: (playground: string, file: string): string => `${PREFIX}code:${playground}:${file}`,
};

function attempt<T>(fallback: T, action: () => T): T {
  try {
    return action();
  } catch {
    return fallback;
  }
}

export function loadCode(storage: KeyValueStore, playground: string, file: string): string | null {
  return attempt(null, () => storage.getItem(progressKeys.code(playground, file)));
}

export function saveCode(storage: KeyValueStore, playground: string, file: string, code: string): void {
  attempt(undefined, () => storage.setItem(progressKeys.code(playground, file), code));
}

export function forgetCode(storage: KeyValueStore, playground: string, file: string): void {
  attempt(undefined, () => storage.removeItem(progressKeys.code(playground, file)));
}
