/**
 * The simulated network between the editors and the companion server: every
 * message waits `delay()` milliseconds on its way out and again on its way in,
 * so that edits made a second apart cross in flight, as they would between
 * two distant machines. The clock is passed in; tests drive a fake one.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class DelayedNetwork {
  readonly #clock: Clock;
  readonly #delay: () => number;
  readonly #held = new Set<unknown>();

  constructor(clock: Clock, delay: () => number) {
    this.#clock = clock;
    this.#delay = delay;
  }

  /** Runs `deliver` once the delay has passed (at once, in order, when it is 0). */
  hold(deliver: () => void): void {
    const handle = this.#clock.setTimeout(() => {
      this.#held.delete(handle);
      deliver();
    }, this.#delay());
    this.#held.add(handle);
  }

  /** Messages waiting on the simulated wire. */
  get holding(): number {
    return this.#held.size;
  }

  /** Drops everything still on the way (Start over). */
  clear(): void {
    for (const handle of this.#held) this.#clock.clearTimeout(handle);
    this.#held.clear();
  }
}

/**
 * Spaces out one sender's messages: /broadcast allows 20 messages a second per
 * connection (bursts of 40) and drops the rest, so an editor sends at most one
 * message every `intervalMs`, however fast someone types. What is typed in
 * between waits and goes out together.
 */
export class Throttle {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #flush: () => void;
  #last = Number.NEGATIVE_INFINITY;
  #timer: unknown = null;

  constructor(clock: Clock, intervalMs: number, flush: () => void) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#flush = flush;
  }

  /** Asks for a flush: now if the interval has passed, else once it has. */
  request(): void {
    if (this.#timer !== null) return;
    const wait = this.#last + this.#intervalMs - this.#clock.now();
    if (wait <= 0) this.#run();
    else
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = null;
        this.#run();
      }, wait);
  }

  /** A flush is waiting for its turn. */
  get scheduled(): boolean {
    return this.#timer !== null;
  }

  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    this.#last = this.#clock.now();
    this.#flush();
  }
}
