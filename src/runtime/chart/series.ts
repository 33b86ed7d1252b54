/**
 * The live chart's pure core: points per topic in a bounded store, and the
 * view the chart draws from them. No DOM, no clock, no chart library: the
 * caller passes `now`, and the element hands the view to uPlot.
 *
 * Prices of very different sizes (acme near 100, initech near 20) share one
 * axis as their change since the first tick of the run, in per cent: on a
 * shared price axis the small ones look flat, and three price axes do not fit
 * a phone. The price itself is in the legend, the hover readout and the table.
 */
export interface Point {
  /** Server time of the value, ms since the epoch. */
  ts: number;
  value: number;
}

export class SeriesStore {
  readonly #series = new Map<string, Point[]>();
  /** The first value of each topic since the last clear: the 0 % line. */
  readonly #baseline = new Map<string, number>();
  readonly #maxPoints: number;

  constructor(options: { maxPoints?: number } = {}) {
    this.#maxPoints = options.maxPoints ?? 600;
  }

  add(topic: string, point: Point): void {
    let points = this.#series.get(topic);
    if (!points) {
      points = [];
      this.#series.set(topic, points);
      this.#baseline.set(topic, point.value);
    }
    // Ticks can arrive out of order after a resume; keep each series sorted.
    let at = points.length;
    while (at > 0 && (points[at - 1] as Point).ts > point.ts) at--;
    points.splice(at, 0, point);
    if (points.length > this.#maxPoints) points.splice(0, points.length - this.#maxPoints);
  }

  /** In name order, not arrival order: colours, legend and table stay put from one run to the next. */
  topics(): string[] {
    return [...this.#series.keys()].sort();
  }

  points(topic: string): readonly Point[] {
    return this.#series.get(topic) ?? [];
  }

  /** The value a topic's change is measured from, null for an unknown topic. */
  baseline(topic: string): number | null {
    return this.#baseline.get(topic) ?? null;
  }

  clear(): void {
    this.#series.clear();
    this.#baseline.clear();
  }
}

/** What the chart draws: uPlot's aligned data plus the prices behind it. */
export interface ChartView {
  topics: string[];
  /** Seconds since the epoch (uPlot's time unit), ascending, one per distinct tick time. */
  xs: number[];
  /** Per topic, the price at each x; null where that topic has no tick at that time. */
  prices: (number | null)[][];
  /** Per topic, the change since its baseline in per cent, null where `prices` is null. */
  changes: (number | null)[][];
}

/** Change from `base` to `value` in per cent; 0 when there is nothing to compare against. */
export function percentChange(value: number, base: number): number {
  return base === 0 ? 0 : ((value - base) / Math.abs(base)) * 100;
}

/** The last `spanMs` before `now`, aligned on one time axis. */
export function chartView(store: SeriesStore, options: { now: number; spanMs: number }): ChartView {
  const from = options.now - options.spanMs;
  const topics = store.topics();
  const visible = topics.map((topic) => store.points(topic).filter((p) => p.ts >= from && p.ts <= options.now));
  const times = [...new Set(visible.flatMap((points) => points.map((p) => p.ts)))].sort((a, b) => a - b);
  const column = new Map(times.map((ts, i) => [ts, i]));
  const prices = visible.map((points) => {
    const row: (number | null)[] = times.map(() => null);
    // Two ticks of one topic at the same millisecond: the later one wins, as it would on screen.
    for (const p of points) row[column.get(p.ts) as number] = p.value;
    return row;
  });
  const changes = prices.map((row, i) => {
    const base = store.baseline(topics[i] as string) ?? 0;
    return row.map((v) => (v === null ? null : round(percentChange(v, base), 6)));
  });
  return { topics, xs: times.map((ts) => ts / 1000), prices, changes };
}

/**
 * A topic's value as of column `index`: its own tick there, or the last one
 * before it. Topics tick at their own moments, so at most columns a series
 * has no tick of its own, yet its price at that moment is the one before.
 */
export function heldAt(row: readonly (number | null)[], index: number): number | null {
  for (let i = Math.min(index, row.length - 1); i >= 0; i--) {
    const v = row[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

export interface Latest {
  topic: string;
  value: number;
  /** Per cent since the topic's baseline. */
  change: number;
  ts: number;
}

/** The newest point of every topic, in the order topics were first seen. */
export function latest(store: SeriesStore): Latest[] {
  return store.topics().flatMap((topic) => {
    const last = store.points(topic).at(-1);
    if (!last) return [];
    return [{ topic, value: last.value, ts: last.ts, change: round(percentChange(last.value, store.baseline(topic) ?? 0), 6) }];
  });
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// U+2212 MINUS SIGN: a hyphen is narrower than "+" and reads as a dash.
const MINUS = '\u2212';
// U+202F NARROW NO-BREAK SPACE keeps "%" on the line of its number.
const NNBSP = '\u202f';

/** A signed percentage: "+1.25 %", "−0.40 %", "0.00 %" (the sign is never dropped from a change). */
export function formatChange(pct: number, decimals = 2): string {
  const text = Math.abs(pct).toFixed(decimals);
  const zero = Number(text) === 0;
  return `${zero ? '' : pct > 0 ? '+' : MINUS}${text}${NNBSP}%`;
}

/** A price with two decimals, as a quote screen shows it. */
export function formatPrice(value: number): string {
  return value < 0 ? `${MINUS}${Math.abs(value).toFixed(2)}` : value.toFixed(2);
}

/** Decimals that tell apart ticks `step` apart: 0.5 → 1, 0.25 → 2, 2 → 0. */
export function decimalsFor(step: number): number {
  if (!(step > 0)) return 0;
  let decimals = 0;
  while (decimals < 4 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-9) decimals++;
  return decimals;
}

/** Axis labels for a run of evenly spaced per-cent ticks, all with the same decimals. */
export function changeTicks(splits: readonly number[]): string[] {
  const step = splits.length > 1 ? Math.abs((splits[1] as number) - (splits[0] as number)) : 1;
  const decimals = decimalsFor(step);
  return splits.map((v) => formatChange(v, decimals));
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time, 24-hour, "14:05:09": the same on every locale, never "2:05:09 PM". */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "1 connection", "3 connections": a count with its noun in the right number. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** One sentence for screen readers on what the chart shows now. */
export function describeView(view: ChartView): string {
  if (view.xs.length === 0) return 'The chart is empty: run the code above and the prices it receives are drawn here.';
  const first = (view.xs[0] as number) * 1000;
  const last = (view.xs.at(-1) as number) * 1000;
  const parts = view.topics.map((topic, i) => {
    const change = heldAt(view.changes[i] ?? [], view.xs.length - 1);
    const price = heldAt(view.prices[i] ?? [], view.xs.length - 1);
    return price === null || change === null ? `${topic}: no ticks in view` : `${topic} ${formatPrice(price)} (${formatChange(change)})`;
  });
  return `${counted(view.topics.length, 'series', 'series')} from ${clockTime(first)} to ${clockTime(last)}, as change since the first tick in per cent. Latest: ${parts.join('; ')}.`;
}
