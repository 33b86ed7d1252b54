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
  return {
    width: args.width,
    height: args.height,
    scales: { x: { time: true } },
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
        space: 32,
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
