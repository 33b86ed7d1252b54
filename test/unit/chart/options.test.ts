import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AXIS_LABELS, chartOptions, DASHES, legendValue, plotData, timeValue, valueScale, valueSplits, type DrawnTicks } from '../../../src/runtime/chart/options.ts';
import { chartView, SeriesStore } from '../../../src/runtime/chart/series.ts';

const t0 = new Date(2026, 0, 2, 9, 30, 0).getTime();
const store = new SeriesStore();
store.add('acme', { ts: t0, value: 100 });
store.add('initech', { ts: t0 + 1, value: 20 });
store.add('acme', { ts: t0 + 1000, value: 101 });
const view = chartView(store, { now: t0 + 1000, spanMs: 60_000 });
const palette = { series: ['red', 'blue'], axis: 'white', grid: 'gray', fontFamily: 'sans-serif' };

describe('the legend as hover readout', () => {
  it('shows the price and change at the cursor, holding a series’ last price where it has no tick', () => {
    const acme = legendValue(() => view, 0);
    const initech = legendValue(() => view, 1);
    expect([acme(null, 100, 1, 0), acme(null, null, 1, 1), acme(null, 101, 1, 2)]).toEqual(['100.00 (0.00\u202f%)', '100.00 (0.00\u202f%)', '101.00 (+1.00\u202f%)']);
    expect([initech(null, null, 2, 0), initech(null, 0, 2, 1), initech(null, null, 2, 2)]).toEqual(['–', '20.00 (0.00\u202f%)', '20.00 (0.00\u202f%)']);
  });

  it('shows the latest values and time when the cursor is off the chart', () => {
    expect(legendValue(() => view, 0)(null, null, 1, null)).toBe('101.00 (+1.00\u202f%)');
    expect(timeValue(() => view)(null, null, 0, null)).toBe('09:30:01');
    expect(timeValue(() => view)(null, null, 0, 0)).toBe('09:30:00');
    const empty = chartView(new SeriesStore(), { now: 0, spanMs: 1 });
    expect(timeValue(() => empty)(null, null, 0, null)).toBe('–');
  });
});

describe('chartOptions', () => {
  it('gives a labelled time axis, a labelled per-cent axis, and one styled, gap-spanning series per topic', () => {
    const ticks: DrawnTicks = { x: [], y: [] };
    const options = chartOptions({ topics: view.topics, width: 600, height: 260, palette, view: () => view, ticks });
    expect([options.width, options.height]).toEqual([600, 260]);
    expect(options.scales?.['x']?.time).toBe(true);
    expect(options.axes?.map((a) => a.label)).toEqual([AXIS_LABELS.x, AXIS_LABELS.y]);
    expect(options.series.map((s) => s.label)).toEqual(['Time', 'acme', 'initech']);
    expect(options.series.slice(1).map((s) => [s.stroke, s.dash, s.spanGaps])).toEqual([
      ['red', [...(DASHES[0] as number[])], true],
      ['blue', [...(DASHES[1] as number[])], true],
    ]);
    expect(options.cursor?.drag).toEqual({ x: false, y: false, setScale: false });
  });

  it('records the tick labels its axes draw', () => {
    const ticks: DrawnTicks = { x: [], y: [] };
    const options = chartOptions({ topics: view.topics, width: 600, height: 260, palette, view: () => view, ticks });
    const [x, y] = options.axes ?? [];
    const xValues = x?.values as (u: unknown, splits: number[]) => string[];
    const yValues = y?.values as (u: unknown, splits: number[]) => string[];
    expect(xValues(null, [t0 / 1000, t0 / 1000 + 30])).toEqual(['09:30:00', '09:30:30']);
    expect(yValues(null, [-0.5, 0, 0.5])).toEqual(['\u22120.5\u202f%', '0.0\u202f%', '+0.5\u202f%']);
    expect(ticks).toEqual({ x: ['09:30:00', '09:30:30'], y: ['\u22120.5\u202f%', '0.0\u202f%', '+0.5\u202f%'] });
  });

  it('hands uPlot the time column and the changes', () => {
    expect(plotData(view)).toEqual([view.xs, [0, null, 1], [null, 0, null]]);
  });
});

describe('the value axis', () => {
  it('widens the data to whole nice steps', () => {
    expect(valueScale(-0.04, 0.93)).toEqual({ min: -0.25, max: 1, step: 0.25 });
    expect(valueScale(0, 0.41)).toEqual({ min: 0, max: 0.6, step: 0.2 });
    expect(valueScale(-3.2, 7.9)).toEqual({ min: -5, max: 10, step: 5 });
    expect(valueSplits(-0.25, 1, 0.25)).toEqual([-0.25, 0, 0.25, 0.5, 0.75, 1]);
    expect(valueSplits(-5, 10, 5)).toEqual([-5, 0, 5, 10]);
  });

  it('is the range and the ticks the chart uses', () => {
    const options = chartOptions({ topics: view.topics, width: 600, height: 260, palette, view: () => view, ticks: { x: [], y: [] } });
    const range = options.scales?.['y']?.range as (u: unknown, min: number, max: number) => [number, number];
    const splits = options.axes?.[1]?.splits as (u: unknown, axis: number, min: number, max: number) => number[];
    expect(range(null, -0.04, 0.93)).toEqual([-0.25, 1]);
    expect(splits(null, 1, -0.25, 1)).toEqual([-0.25, 0, 0.25, 0.5, 0.75, 1]);
  });

  it('shows flat data, and no data, one percentage point tall', () => {
    expect(valueScale(0, 0)).toEqual({ min: -0.5, max: 0.5, step: 0.25 });
    expect(valueScale(2, 2)).toEqual({ min: 1.5, max: 2.5, step: 0.25 });
    expect(valueScale(Number.NaN, Number.NaN)).toEqual({ min: -0.5, max: 0.5, step: 0.25 });
    expect(valueScale(-1e-9, 0)).toEqual({ min: -0.5, max: 0.5, step: 0.25 });
    // A tenth of a cent on a price of 100 is still drawn, a hundredth of a point tall at least.
    expect(valueScale(0, 0.001)).toEqual({ min: -0.005, max: 0.0075, step: 0.0025 });
  });

  it('labels four to six ticks for any extent, the data inside, each label distinct', () => {
    const value = fc.oneof(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -0.02, max: 0.02, noNaN: true }));
    fc.assert(
      fc.property(value, value, (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const scale = valueScale(low, high);
        const splits = valueSplits(scale.min, scale.max, scale.step);
        expect(splits.length).toBeGreaterThanOrEqual(4);
        expect(splits.length).toBeLessThanOrEqual(6);
        // Within a billionth of a step, which float rounding needs and no pixel shows.
        expect(scale.min).toBeLessThanOrEqual(low + scale.step * 1e-9);
        expect(scale.max).toBeGreaterThanOrEqual(high - scale.step * 1e-9);
        expect([splits[0], splits.at(-1)]).toEqual([scale.min, scale.max]);
        const labels = chartLabels(splits);
        expect(new Set(labels).size).toBe(labels.length);
      }),
      { numRuns: 2000 },
    );
  });
});

function chartLabels(splits: number[]): string[] {
  const ticks: DrawnTicks = { x: [], y: [] };
  const options = chartOptions({ topics: view.topics, width: 600, height: 260, palette, view: () => view, ticks });
  const values = options.axes?.[1]?.values as (u: unknown, splits: number[]) => string[];
  return values(null, splits);
}
