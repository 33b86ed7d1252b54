import { REDIS, SERVER, type Row, type RowKind } from './model.ts';

/**
 * Geometry of the diagram, as pure numbers: lanes left to right (clients in
 * order of appearance, then the server, then Redis when a message crossed it), and for each row an arrow between
 * two lanes. Rows are laid out one at a time and each row's geometry depends
 * only on the lanes, so appending a row never moves another.
 *
 * The live diagram fits its lanes to the width it has (`fit`): full 190 px
 * lanes when they fit, narrower down to a readable minimum, and past that it
 * keeps the minimum and scrolls. Labels are cut to the room between their
 * lifelines (`fitText`); the full text stays in the row's words and detail.
 */
export const GEOMETRY = {
  rowHeight: 36,
  laneWidth: 190,
  /** Narrower than this a lane's labels say too little: the diagram scrolls instead. */
  minLaneWidth: 112,
  /** Room left of the first lane for the timestamp. */
  left: 96,
  /** The timestamp's room when lanes are squeezed: "+12.345 s" in 11 px monospace. */
  narrowLeft: 68,
  right: 24,
  narrowRight: 8,
  /** Clear space between a label and the lifelines it sits between. */
  labelPad: 8,
  /**
   * A live diagram narrower than this (a phone: 317 px at 375) is compact: its legend starts folded
   * and its export buttons drop the word "Export", so the toolbar takes two rows, not three, and the
   * first frame is about 110 px nearer the top.
   */
  compactBelow: 480,
} as const;

/** Whether a live diagram `available` px wide is laid out compact (GEOMETRY.compactBelow). */
export function compact(available: number): boolean {
  return available < GEOMETRY.compactBelow;
}

/** Where lanes go: the time column, each lane's width and the margin after the last lane. */
export interface Fit {
  left: number;
  laneWidth: number;
  right: number;
}

/** Full-width lanes: static diagrams, and live ones with room to spare. */
export const FULL: Fit = { left: GEOMETRY.left, laneWidth: GEOMETRY.laneWidth, right: GEOMETRY.right };

/** Lanes for `available` px: full width if they fit, else as wide as fits, never under the minimum. */
export function fit(laneCount: number, available: number): Fit {
  const n = Math.max(1, laneCount);
  if (width(n, FULL) <= available) return FULL;
  const lane = Math.floor((available - GEOMETRY.narrowLeft - GEOMETRY.narrowRight) / n);
  return {
    left: GEOMETRY.narrowLeft,
    laneWidth: Math.max(GEOMETRY.minLaneWidth, Math.min(GEOMETRY.laneWidth, lane)),
    right: GEOMETRY.narrowRight,
  };
}

export type ArrowHead = 'arrow' | 'cross' | 'none';

export interface ArrowGeometry {
  x1: number;
  x2: number;
  /** Baseline of the arrow inside its row. */
  y: number;
  labelX: number;
  labelAnchor: 'start' | 'middle' | 'end';
  /** Widest the label may be without crossing its lifelines (or, for a note, the diagram's edge). */
  labelMax: number;
  /** Dashed for server → client and Redis → server, solid for client → server and server → Redis: direction shows without colour. */
  dashed: boolean;
  head: ArrowHead;
  /** A row about one participant (an error, a note): a box beside its lane, no arrow. */
  self: boolean;
}

/** Display order: every client in order of appearance, then the server, then Redis if it has rows. */
export function lanes(participants: readonly string[]): string[] {
  const redis = participants.includes(REDIS) ? [REDIS] : [];
  return [...participants.filter((p) => p !== SERVER && p !== REDIS), SERVER, ...redis];
}

export function laneX(index: number, f: Fit = FULL): number {
  return f.left + f.laneWidth / 2 + index * f.laneWidth;
}

export function width(laneCount: number, f: Fit = FULL): number {
  return f.left + laneCount * f.laneWidth + f.right;
}

/**
 * Where a live diagram with more lanes than fit (it scrolls sideways) must be scrolled to show `a`, its
 * newest row, moving as little as it can: the whole arrow and `pad` px either side (the live diagram
 * gives half a lane, so the lane names over its ends show whole) when that fits in `viewport` px, else
 * its head, where the frame lands. Following only downwards left a run of many clients drawing its arrows off to
 * the right, under empty lifelines.
 */
export function followLeft(current: number, viewport: number, a: Pick<ArrowGeometry, 'x1' | 'x2'>, pad = GEOMETRY.labelPad * 2): number {
  const left = Math.min(a.x1, a.x2) - pad;
  const right = Math.max(a.x1, a.x2) + pad;
  if (left >= current && right <= current + viewport) return current;
  if (right - left <= viewport) return Math.max(0, left < current ? left : right - viewport);
  return Math.max(0, a.x2 >= a.x1 ? a.x2 + pad - viewport : a.x2 - pad);
}

const HEADS: Partial<Record<RowKind, ArrowHead>> = { abnormal: 'cross', ended: 'cross', note: 'none', error: 'none' };

export function arrow(order: readonly string[], row: Pick<Row, 'from' | 'to' | 'kind'>, f: Fit = FULL): ArrowGeometry {
  const from = Math.max(0, order.indexOf(row.from));
  const to = Math.max(0, order.indexOf(row.to));
  const y = GEOMETRY.rowHeight - 10;
  const self = from === to;
  const x1 = laneX(from, f);
  const x2 = laneX(to, f);
  const pad = GEOMETRY.labelPad;
  // A note beside the server's lane (the last but for Redis) reads leftwards, into the diagram; any other, rightwards.
  const leftwards = self && order[from] === SERVER && from > 0;
  return {
    x1,
    x2,
    y,
    labelX: !self ? (x1 + x2) / 2 : leftwards ? x1 - pad : x1 + pad,
    labelAnchor: !self ? 'middle' : leftwards ? 'end' : 'start',
    labelMax: !self ? Math.abs(x2 - x1) - 2 * pad : leftwards ? x1 - pad - f.left : width(order.length, f) - f.right - x1 - pad,
    dashed: (row.from === SERVER && row.to !== REDIS) || row.from === REDIS,
    head: HEADS[row.kind] ?? 'arrow',
    self,
  };
}

/**
 * `text`, cut with "…" to at most `maxPx` as `measure` sizes it (a canvas in
 * the page; characters × width in tests). Cuts at whole code points.
 */
export function fitText(text: string, maxPx: number, measure: (s: string) => number): string {
  if (measure(text) <= maxPx) return text;
  const chars = Array.from(text);
  // Start from the proportional guess, then step down: one or two measures for most labels.
  const cut = (n: number): string => `${chars.slice(0, n).join('').trimEnd()}…`;
  let n = Math.min(chars.length - 1, Math.floor((chars.length * maxPx) / Math.max(1, measure(text))));
  while (n > 0 && measure(cut(n)) > maxPx) n--;
  while (n + 1 < chars.length && measure(cut(n + 1)) <= maxPx) n++;
  return n > 0 ? cut(n) : '…';
}

/** "+1.234 s" or "+56 ms": time since the session started. */
export function relativeTime(ms: number): string {
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(3)} s`;
}
