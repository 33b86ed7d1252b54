/**
 * What a playground remembers for the learner, in localStorage, under one
 * small key scheme (v1):
 *
 *   fd:v1:code:<playground id>:<file>  the learner's code; <file> is "shared"
 *                                      when all clients run the same code, else
 *                                      the client's name
 *   fd:v1:passed:<playground id>       JSON {"check": name, "at": ISO time} once
 *                                      the playground's check has passed
 *
 * Playground ids are unique across the whole site, so a key never collides.
 * The course-wide progress (lessons done) is not kept here: a passing check
 * is also announced to it with a bubbling `fd:exercise-passed` event.
 * Storage is injected; every call tolerates storage that throws (private
 * mode, quota) by forgetting instead of failing.
 */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

const PREFIX = 'fd:v1:';

export const progressKeys = {
  code: (playground: string, file: string): string => `${PREFIX}code:${playground}:${file}`,
  passed: (playground: string): string => `${PREFIX}passed:${playground}`,
};

export interface PassRecord {
  check: string;
  at: string;
}

function attempt<T>(fallback: T, action: () => T): T {
  try {
    return action();
  } catch {
    return fallback;
  }
}

export function loadCode(storage: StorageLike, playground: string, file: string): string | null {
  return attempt(null, () => storage.getItem(progressKeys.code(playground, file)));
}

export function saveCode(storage: StorageLike, playground: string, file: string, code: string): void {
  attempt(undefined, () => storage.setItem(progressKeys.code(playground, file), code));
}

export function forgetCode(storage: StorageLike, playground: string, file: string): void {
  attempt(undefined, () => storage.removeItem(progressKeys.code(playground, file)));
}

export function markPassed(storage: StorageLike, playground: string, check: string, now: Date): void {
  const record: PassRecord = { check, at: now.toISOString() };
  attempt(undefined, () => storage.setItem(progressKeys.passed(playground), JSON.stringify(record)));
}

export function passRecord(storage: StorageLike, playground: string): PassRecord | null {
  return attempt(null, () => {
    const raw = storage.getItem(progressKeys.passed(playground));
    if (raw === null) return null;
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { check, at } = value as Record<string, unknown>;
    return typeof check === 'string' && typeof at === 'string' ? { check, at } : null;
  });
}

/** Ids of every playground whose check has passed, for the course progress view. */
export function passedPlaygrounds(storage: StorageLike): string[] {
  return attempt([], () => {
    const ids: string[] = [];
    const prefix = progressKeys.passed('');
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith(prefix)) ids.push(key.slice(prefix.length));
    }
    return ids.sort();
  });
}
