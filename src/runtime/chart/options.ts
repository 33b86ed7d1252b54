import type uPlot from 'uplot';
import { changeTicks, clockTime, formatChange, formatPrice, heldAt, type ChartView } from './series.ts';

/**
 * uPlot's options for the live chart, built from plain data so they can be
 * tested without a canvas. uPlot draws on a canvas, where CSS variables do not
 * reach: the element resolves the theme's colours and passes them in here.
 */
export interface Palette {
  /** One stroke per series, in order; repeats when there are more series. */
  series: string[];
  /** Tick labels and axis titles. */
  axis: string;
  /** Gridlines and tick marks. */
  grid: string;
  /** CSS font family of the page. */
  fontFamily: string;
}

/** Dash patterns as well as colours, so the lines differ without colour vision. */
export const DASHES: readonly (readonly number[])[] = [[], [8, 4], [2, 3], [10, 3, 2, 3]];

/** The tick labels last drawn on each axis (the canvas has no text to read back). */
export interface DrawnTicks {
  x: string[];
  y: string[];
}

export const AXIS_LABELS = { x: 'Time', y: 'Change since first tick' } as const;

const NO_VALUE = '–';

/**
 * The legend doubles as the hover readout: at the cursor's column it shows each
 * price and its change; with no cursor (idx null), the latest ones. A series
 * without a tick of its own at that column shows the price it last had.
 */
export function legendValue(view: () => ChartView, series: number): (u: unknown, raw: number | null, sidx: number, idx: number | null) => string {
  return (_u, _raw, _sidx, idx) => {
    const v = view();
    const at = idx ?? v.xs.length - 1;
    const price = heldAt(v.prices[series] ?? [], at);
    const change = heldAt(v.changes[series] ?? [], at);
    return price === null || change === null ? NO_VALUE : `${formatPrice(price)} (${formatChange(change)})`;
  };
}

/** The time legend entry: the cursor's time, or the newest tick's. */
export function timeValue(view: () => ChartView): (u: unknown, raw: number | null, sidx: number, idx: number | null) => string {
  return (_u, _raw, _sidx, idx) => {
    const v = view();
    const x = v.xs[idx ?? v.xs.length - 1];
    return x === undefined ? NO_VALUE : clockTime(x * 1000);
  };
}

/** Steps a value axis counts in, per decade: 1, 2, 2.5 and 5 times a power of ten. */
const NICE = [1, 2, 2.5, 5];
/** Flat data (every change the same, give or take rounding) is shown one percentage point tall. */
const FLAT_SPAN = 1;
const FLAT_BELOW = 1e-6;
/** The least extent shown otherwise: a hundredth of a point, so four decimals tell every tick apart. */
const MIN_SPAN = 0.01;

/**
 * The value axis's range and step: the data's extent widened outwards to whole
 * steps, with the step the smallest nice one of at least a quarter of the
 * extent. Every nice step is under twice the one before it, so the range holds
 * three to five steps: four to six labelled ticks, whatever the data, where
 * uPlot's own choice could leave two.
 */
export function valueScale(dataMin: number, dataMax: number): { min: number; max: number; step: number } {
  let low = Number.isFinite(dataMin) ? dataMin : 0;
  let high = Number.isFinite(dataMax) ? dataMax : low;
  if (high < low) [low, high] = [high, low];
  const span = high - low;
  if (span < FLAT_BELOW) {
    // Centred on the value as a person reads it, not on rounding noise.
    const middle = Number(((low + high) / 2).toFixed(4));
    [low, high] = [middle - FLAT_SPAN / 2, middle + FLAT_SPAN / 2];
  } else if (span < MIN_SPAN) {
    low -= (MIN_SPAN - span) / 2;
    high += (MIN_SPAN - span) / 2;
  }
  const wanted = (high - low) / 4;
  const decade = 10 ** Math.floor(Math.log10(wanted));
  const step = (NICE.map((m) => m * decade).find((s) => s >= wanted * (1 - 1e-9)) ?? 10 * decade);
  const snap = (v: number): number => Number(v.toPrecision(12));
  return { min: snap(Math.floor(low / step + 1e-9) * step), max: snap(Math.ceil(high / step - 1e-9) * step), step };
}

/** The ticks of a value axis: every whole step from min to max, both ends included. */
export function valueSplits(min: number, max: number, step: number): number[] {
  const first = Math.round(min / step);
  const count = Math.round(max / step) - first;
  return Array.from({ length: count + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)));
}

export function chartOptions(args: {
  topics: readonly string[];
  width: number;
  height: number;
  palette: Palette;
  /** The view being drawn, read when the legend or axes need it. */
  view: () => ChartView;
  /** Filled with the labels the axes draw. */
  ticks: DrawnTicks;
}): uPlot.Options {
  const { palette, ticks, view } = args;
  const font = `12px ${palette.fontFamily}`;
  const labelFont = `600 12px ${palette.fontFamily}`;
  const axis = {
    stroke: palette.axis,
    font,
    labelFont,
    grid: { stroke: palette.grid, width: 1 },
    ticks: { stroke: palette.grid, width: 1, size: 4 },
  };
  // The step of the range last chosen, for the splits uPlot asks for right after.
  let step = 1;
  return {
    width: args.width,
    height: args.height,
    scales: {
      x: { time: true },
      y: {
        range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
          const scale = valueScale(min, max);
          step = scale.step;
          return [scale.min, scale.max];
        },
      },
    },
    // Dragging would zoom, which a chart that redraws every second would undo at once.
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 8 } },
    legend: { live: true },
    axes: [
      {
        ...axis,
        label: AXIS_LABELS.x,
        labelSize: 20,
        space: 64,
        values: (_u: uPlot, splits: number[]) => (ticks.x = splits.map((s) => clockTime(s * 1000))),
      },
      {
        ...axis,
        label: AXIS_LABELS.y,
        labelSize: 20,
        size: 64,
        splits: (_u: uPlot, _axis: number, min: number, max: number) => valueSplits(min, max, step),
        values: (_u: uPlot, splits: number[]) => (ticks.y = changeTicks(splits)),
      },
    ],
    series: [
      { label: AXIS_LABELS.x, value: timeValue(view) as uPlot.Series.Value },
      ...args.topics.map((topic, i) => ({
        label: topic,
        stroke: palette.series[i % palette.series.length] as string,
        width: 2,
        dash: [...(DASHES[i % DASHES.length] as number[])],
        // Topics tick at their own moments; a gap is a column this topic had no tick in, not missing data.
        spanGaps: true,
        points: { show: false },
        value: legendValue(view, i) as uPlot.Series.Value,
      })),
    ],
  };
}

/** uPlot's aligned data: the time column, then each topic's change in per cent. */
export function plotData(view: ChartView): uPlot.AlignedData {
  return [view.xs, ...view.changes];
}
