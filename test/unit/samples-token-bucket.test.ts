import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../samples/ts/token-bucket.ts';

describe('samples/ts/token-bucket.ts (lessons/security)', () => {
  it('lets a burst up to the capacity through, then refuses until tokens refill', () => {
    let now = 1_000_000;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 250; // half a token
    expect(bucket.take()).toBe(false);
    now += 250; // one whole token since the last refusal
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });

  it('never stores more than the capacity, however long it was idle', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 10, () => now);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
