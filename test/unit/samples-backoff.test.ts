import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../samples/ts/backoff.ts';

describe('samples/ts/backoff.ts (lessons/connection-health)', () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it('doubles the ceiling with each attempt until maxMs, and waits a random fraction of it', () => {
    const half = { ...options, random: () => 0.5 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, half))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
  });

  it('spans the whole range from 0 to just under the ceiling (full jitter)', () => {
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { ...options, random: () => 0.999 })).toBe(3996);
    expect(backoffDelay(10, { ...options, random: () => 0.999 })).toBe(29_970);
  });

  it('stays at maxMs for very large attempt numbers', () => {
    expect(backoffDelay(5000, { ...options, random: () => 0.5 })).toBe(15_000);
  });

  it('uses Math.random by default: always within [0, ceiling)', () => {
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelay(2, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(2000);
    }
  });
});
