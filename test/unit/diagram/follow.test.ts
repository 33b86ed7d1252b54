import { describe, expect, it } from 'vitest';
import { arrow, fit, followLeft, lanes, laneX } from '../../../src/runtime/diagram/layout.ts';

/** A run of ten clients at 606 px (the echo lab's box at 1280 px): the lanes scroll sideways. */
const order = lanes([...Array.from({ length: 10 }, (_, i) => (i === 0 ? 'client' : `client (${i + 1})`)), 'server']);
const f = fit(order.length, 606);

describe('following the newest row sideways', () => {
  it('leaves the scroll alone when the newest arrow is in view', () => {
    const a = arrow(order, { from: 'client', to: 'client (2)', kind: 'text' }, f);
    expect(followLeft(0, 606, a)).toBe(0);
  });

  it('scrolls right as little as shows the whole arrow, and back left for one on the left', () => {
    const a = arrow(order, { from: 'client (10)', to: 'server', kind: 'text' }, f);
    const [left, right] = [laneX(9, f) - 16, laneX(10, f) + 16];
    expect(right - left).toBeLessThan(606);
    expect(followLeft(0, 606, a)).toBe(right - 606);
    const back = arrow(order, { from: 'client', to: 'client (2)', kind: 'text' }, f);
    expect(followLeft(right - 606, 606, back)).toBe(laneX(0, f) - 16);
  });

  it('shows the head of an arrow wider than the view: where the frame lands', () => {
    const narrow = fit(order.length, 317);
    const inbound = arrow(order, { from: 'client', to: 'server', kind: 'text' }, narrow);
    expect(followLeft(0, 317, inbound)).toBe(laneX(10, narrow) + 16 - 317);
    const outbound = arrow(order, { from: 'server', to: 'client', kind: 'text' }, narrow);
    expect(followLeft(2000, 317, outbound)).toBe(Math.max(0, laneX(0, narrow) - 16));
  });

  it('with half a lane of room either side, the lane names over the arrow\'s ends show whole', () => {
    const half = f.laneWidth / 2;
    const a = arrow(order, { from: 'client (10)', to: 'server', kind: 'text' }, f);
    expect(followLeft(0, 606, a, half)).toBe(laneX(10, f) + half - 606);
  });
});
