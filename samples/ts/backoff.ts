// How long to wait before reconnect attempt number `attempt` (0, 1, 2, …).
// Exponential backoff with "full jitter": the ceiling doubles with every
// failed attempt up to maxMs, and the wait is a random point below it, so a
// thousand clients cut off at the same moment do not return at the same moment.
export interface BackoffOptions {
  /** Ceiling of the first wait, in milliseconds. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
  /** A number in [0, 1); injectable so tests can pin it. */
  random?: () => number;
}

export function backoffDelay(attempt: number, { baseMs, maxMs, random = Math.random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
