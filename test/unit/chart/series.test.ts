import { describe, expect, it } from 'vitest';
import {
  changeTicks,
  chartView,
  clockTime,
  counted,
  decimalsFor,
  describeView,
  formatChange,
  formatPrice,
  heldAt,
  latest,
  percentChange,
  SeriesStore,
} from '../../../src/runtime/chart/series.ts';

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

  it('measures change from the first value seen, even after that point is trimmed, until cleared', () => {
    const store = new SeriesStore({ maxPoints: 1 });
    store.add('acme', { ts: 1, value: 100 });
    store.add('acme', { ts: 2, value: 110 });
    expect(store.points('acme')).toEqual([{ ts: 2, value: 110 }]);
    expect(store.baseline('acme')).toBe(100);
    expect(store.baseline('globex')).toBeNull();
    store.clear();
    expect(store.topics()).toEqual([]);
    store.add('acme', { ts: 3, value: 50 });
    expect(store.baseline('acme')).toBe(50);
  });
});

describe('chartView', () => {
  it('aligns topics on the union of their tick times, in seconds, with nulls where a topic has no tick', () => {
    const store = new SeriesStore();
    store.add('acme', { ts: 1000, value: 100 });
    store.add('initech', { ts: 1001, value: 20 });
    store.add('acme', { ts: 2000, value: 101 });
    store.add('initech', { ts: 2001, value: 19 });
    expect(chartView(store, { now: 3000, spanMs: 60_000 })).toEqual({
      topics: ['acme', 'initech'],
      xs: [1, 1.001, 2, 2.001],
      prices: [
        [100, null, 101, null],
        [null, 20, null, 19],
      ],
      changes: [
        [0, null, 1, null],
        [null, 0, null, -5],
      ],
    });
  });

  it('puts a price of 100 and one of 20 that move by the same fraction on the same line', () => {
    const store = new SeriesStore();
    store.add('acme', { ts: 0, value: 100 });
    store.add('initech', { ts: 0, value: 20 });
    store.add('acme', { ts: 1000, value: 102 });
    store.add('initech', { ts: 1000, value: 20.4 });
    const view = chartView(store, { now: 1000, spanMs: 10_000 });
    expect(view.changes).toEqual([
      [0, 2],
      [0, 2],
    ]);
  });

  it('keeps only the window before now, but still measures from the run’s first tick', () => {
    const store = new SeriesStore();
    store.add('acme', { ts: 0, value: 100 });
    store.add('acme', { ts: 5000, value: 90 });
    store.add('acme', { ts: 9000, value: 95 });
    const view = chartView(store, { now: 9000, spanMs: 5000 });
    expect(view.xs).toEqual([5, 9]);
    expect(view.changes).toEqual([[-10, -5]]);
  });

  it('is empty with nothing in the store', () => {
    expect(chartView(new SeriesStore(), { now: 0, spanMs: 1000 })).toEqual({ topics: [], xs: [], prices: [], changes: [] });
  });
});

describe('percentChange and heldAt', () => {
  it.each([
    [110, 100, 10],
    [90, 100, -10],
    [5, 0, 0],
    [-2, -4, 50],
  ])('%d from %d is %d %%', (value, base, pct) => {
    expect(percentChange(value, base)).toBeCloseTo(pct, 10);
  });

  it('holds the last value at or before a column, null before the first', () => {
    const row = [null, 20, null, null, 19, null];
    expect([0, 1, 2, 3, 4, 5, 9].map((i) => heldAt(row, i))).toEqual([null, 20, 20, 20, 19, 19, 19]);
  });
});

describe('latest', () => {
  it('gives every topic’s newest price with its change, in name order whatever ticked first', () => {
    const store = new SeriesStore();
    store.add('globex', { ts: 5, value: 50 });
    store.add('acme', { ts: 6, value: 100 });
    store.add('globex', { ts: 7, value: 49.5 });
    expect(latest(store)).toEqual([
      { topic: 'acme', value: 100, change: 0, ts: 6 },
      { topic: 'globex', value: 49.5, change: -1, ts: 7 },
    ]);
  });
});

describe('formatting', () => {
  it.each([
    [1.254, 2, '+1.25\u202f%'],
    [-0.4, 2, '\u22120.40\u202f%'],
    [0, 2, '0.00\u202f%'],
    [-0.001, 2, '0.00\u202f%'],
    [0.5, 1, '+0.5\u202f%'],
    [-2, 0, '\u22122\u202f%'],
  ])('change %d with %d decimals → %s', (pct, decimals, text) => {
    expect(formatChange(pct, decimals)).toBe(text);
  });

  it('prices have two decimals and a real minus sign', () => {
    expect([formatPrice(101.2345), formatPrice(20), formatPrice(-1.5)]).toEqual(['101.23', '20.00', '\u22121.50']);
  });

  it.each([
    [2, 0],
    [0.5, 1],
    [0.25, 2],
    [0.1, 1],
    [0.05, 2],
    [0.000001, 4],
    [0, 0],
  ])('ticks %d apart need %d decimals', (step, decimals) => {
    expect(decimalsFor(step)).toBe(decimals);
  });

  it('labels an axis with one number of decimals for all ticks', () => {
    expect(changeTicks([-0.5, -0.25, 0, 0.25, 0.5])).toEqual(['\u22120.50\u202f%', '\u22120.25\u202f%', '0.00\u202f%', '+0.25\u202f%', '+0.50\u202f%']);
    expect(changeTicks([1])).toEqual(['+1\u202f%']);
  });

  it('shows local time on a 24-hour clock', () => {
    expect(clockTime(new Date(2026, 0, 2, 14, 5, 9).getTime())).toBe('14:05:09');
    expect(clockTime(new Date(2026, 0, 2, 0, 0, 0).getTime())).toBe('00:00:00');
  });

  it('puts a counted noun in the right number', () => {
    expect([counted(0, 'connection'), counted(1, 'connection'), counted(2, 'connection'), counted(1, 'series', 'series')]).toEqual([
      '0 connections',
      '1 connection',
      '2 connections',
      '1 series',
    ]);
  });
});

describe('describeView', () => {
  it('says what is drawn, over which times, and the latest of each series', () => {
    const store = new SeriesStore();
    const t0 = new Date(2026, 0, 2, 9, 30, 0).getTime();
    store.add('acme', { ts: t0, value: 100 });
    store.add('initech', { ts: t0 + 1, value: 20 });
    store.add('acme', { ts: t0 + 4000, value: 101.5 });
    expect(describeView(chartView(store, { now: t0 + 4000, spanMs: 60_000 }))).toBe(
      '2 series from 09:30:00 to 09:30:04, as change since the first tick in per cent. Latest: acme 101.50 (+1.50\u202f%); initech 20.00 (0.00\u202f%).',
    );
    expect(describeView(chartView(new SeriesStore(), { now: 0, spanMs: 1 }))).toBe(
      'The chart is empty: run the code above and the prices it receives are drawn here.',
    );
  });
});
