/**
 * The live chart's pure core: points per topic in a bounded time window, and
 * their layout as SVG path data. No DOM, no clock: the caller passes `now`.
 */
export interface Point {
  /** Server time of the value, ms since the epoch. */
  ts: number;
  value: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  /** One path per topic, in the order topics were first seen. */
  lines: { topic: string; d: string; last: Point | null }[];
  /** Value gridlines: value and y position. */
  yTicks: { value: number; y: number }[];
  min: number;
  max: number;
}

export class SeriesStore {
  readonly #series = new Map<string, Point[]>();
  readonly #maxPoints: number;

  constructor(options: { maxPoints?: number } = {}) {
    this.#maxPoints = options.maxPoints ?? 600;
  }

  add(topic: string, point: Point): void {
    let points = this.#series.get(topic);
    if (!points) {
      points = [];
      this.#series.set(topic, points);
    }
    // Ticks can arrive out of order after a resume; keep each series sorted.
    let at = points.length;
    while (at > 0 && (points[at - 1] as Point).ts > point.ts) at--;
    points.splice(at, 0, point);
    if (points.length > this.#maxPoints) points.splice(0, points.length - this.#maxPoints);
  }

  topics(): string[] {
    return [...this.#series.keys()];
  }

  points(topic: string): readonly Point[] {
    return this.#series.get(topic) ?? [];
  }

  clear(): void {
    this.#series.clear();
  }
}

/** Round numbers for gridlines: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, count: number): number {
  if (span <= 0 || count <= 0) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Lays out the last `spanMs` before `now` in a width × height box. */
export function layout(
  store: SeriesStore,
  options: { width: number; height: number; spanMs: number; now: number; padding?: number },
): ChartLayout {
  const { width, height, spanMs, now } = options;
  const pad = options.padding ?? 4;
  const from = now - spanMs;
  const visible = store.topics().map((topic) => ({ topic, points: store.points(topic).filter((p) => p.ts >= from) }));
  const values = visible.flatMap((s) => s.points.map((p) => p.value));
  let min = values.length ? Math.min(...values) : 0;
  let max = values.length ? Math.max(...values) : 1;
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const step = niceStep(max - min, 4);
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const x = (ts: number): number => round(pad + ((ts - from) / spanMs) * (width - 2 * pad));
  const y = (v: number): number => round(height - pad - ((v - min) / (max - min)) * (height - 2 * pad));
  const yTicks: ChartLayout['yTicks'] = [];
  for (let v = min; v <= max + step / 2; v += step) yTicks.push({ value: Number(v.toPrecision(12)), y: y(v) });
  return {
    width,
    height,
    min,
    max,
    yTicks,
    lines: visible.map(({ topic, points }) => ({
      topic,
      d: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.ts)} ${y(p.value)}`).join(' '),
      last: points.at(-1) ?? null,
    })),
  };
}
