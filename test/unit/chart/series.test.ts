import { describe, expect, it } from 'vitest';
import { layout, niceStep, SeriesStore } from '../../../src/runtime/chart/series.ts';

describe('SeriesStore', () => {
  it('keeps each series sorted by time and bounded', () => {
    const store = new SeriesStore({ maxPoints: 3 });
    store.add('cpu', { ts: 10, value: 1 });
    store.add('cpu', { ts: 30, value: 3 });
    store.add('cpu', { ts: 20, value: 2 });
    store.add('cpu', { ts: 40, value: 4 });
    expect(store.points('cpu')).toEqual([
      { ts: 20, value: 2 },
      { ts: 30, value: 3 },
      { ts: 40, value: 4 },
    ]);
    expect(store.topics()).toEqual(['cpu']);
  });
});

describe('niceStep', () => {
  it.each([
    [100, 4, 50],
    [7, 4, 2],
    [0.3, 4, 0.1],
    [1000, 4, 500],
    [0, 4, 1],
  ])('span %d in %d steps → %d', (span, count, step) => {
    expect(niceStep(span, count)).toBeCloseTo(step, 10);
  });
});

describe('layout', () => {
  it('maps the window onto the box with round gridlines', () => {
    const store = new SeriesStore();
    store.add('cpu', { ts: 0, value: 10 });
    store.add('cpu', { ts: 500, value: 30 });
    store.add('cpu', { ts: 1000, value: 20 });
    store.add('mem', { ts: 1000, value: 40 });
    const out = layout(store, { width: 108, height: 48, spanMs: 1000, now: 1000, padding: 4 });
    expect(out.min).toBe(10);
    expect(out.max).toBe(40);
    expect(out.yTicks).toEqual([
      { value: 10, y: 44 },
      { value: 20, y: 30.7 },
      { value: 30, y: 17.3 },
      { value: 40, y: 4 },
    ]);
    expect(out.lines).toEqual([
      { topic: 'cpu', d: 'M4 44 L54 17.3 L104 30.7', last: { ts: 1000, value: 20 } },
      { topic: 'mem', d: 'M104 4', last: { ts: 1000, value: 40 } },
    ]);
  });

  it('drops points older than the window and survives a flat or empty series', () => {
    const store = new SeriesStore();
    store.add('cpu', { ts: 0, value: 5 });
    store.add('cpu', { ts: 2000, value: 5 });
    const out = layout(store, { width: 100, height: 50, spanMs: 1000, now: 2000 });
    expect(out.lines[0]?.d).toBe('M96 25'); // a flat line sits in the middle
    expect([out.min, out.max]).toEqual([4, 6]);
    expect(layout(new SeriesStore(), { width: 100, height: 50, spanMs: 1000, now: 0 }).lines).toEqual([]);
  });
});
