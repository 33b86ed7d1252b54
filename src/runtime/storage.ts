/**
 * The one key-value storage shape of the site: the part of the Web Storage
 * API the stores use (progress, code, quizzes, labs), so tests pass a
 * Map-backed fake.
 */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The browser's localStorage, or null where even reading `window.localStorage`
 * throws (sandboxed iframes, some privacy settings). Every caller then works
 * without remembering; the stores also survive a storage that throws later
 * (quota, private mode).
 */
export function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
