import type { Clock } from './clock.ts';

/**
 * A token bucket: holds up to `capacity` tokens, refills continuously at
 * `refillPerSecond`. Each message takes one token; an empty bucket says no.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly refillPerSecond: number;
  private readonly now: Clock;

  constructor(capacity: number, refillPerSecond: number, now: Clock) {
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.now = now;
    this.tokens = capacity;
    this.last = now();
  }

  private refill(): void {
    const at = this.now();
    const elapsed = Math.max(0, at - this.last) / 1000;
    this.last = at;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerSecond);
  }

  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }
}

export interface RateLimitOptions {
  /** Sustained messages per second. */
  perSecond: number;
  /** Messages allowed in a burst. */
  burst: number;
  /** Refused messages tolerated before the sender counts as abusive. */
  abuse: number;
}

export type RateDecision = 'ok' | 'limited' | 'abuse';

/**
 * Per-connection limit: a message bucket decides `ok` or `limited`; every
 * refusal also drains a second, slower "patience" bucket, and once that is
 * empty the sender is `abuse` (the endpoint closes it with 1008). A client
 * that overshoots now and then is told `rate_limited`; one that keeps
 * hammering is cut off.
 */
export class RateLimiter {
  private readonly messages: TokenBucket;
  private readonly patience: TokenBucket;

  constructor(options: RateLimitOptions, now: Clock) {
    this.messages = new TokenBucket(options.burst, options.perSecond, now);
    this.patience = new TokenBucket(options.abuse, options.perSecond / 4, now);
  }

  check(): RateDecision {
    if (this.messages.take()) return 'ok';
    return this.patience.take() ? 'limited' : 'abuse';
  }
}
