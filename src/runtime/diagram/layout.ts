import { SERVER, type Row, type RowKind } from './model.ts';

/**
 * Geometry of the diagram, as pure numbers: lanes left to right (clients in
 * order of appearance, the server last), and for each row an arrow between
 * two lanes. Rows are laid out one at a time and each row's geometry depends
 * only on the lanes, so appending a row never moves another.
 */
export const GEOMETRY = {
  rowHeight: 36,
  laneWidth: 190,
  /** Room left of the first lane for the timestamp. */
  left: 96,
  right: 24,
} as const;

export type ArrowHead = 'arrow' | 'cross' | 'none';

export interface ArrowGeometry {
  x1: number;
  x2: number;
  /** Baseline of the arrow inside its row. */
  y: number;
  labelX: number;
  labelAnchor: 'start' | 'middle';
  /** Dashed for server → client, solid for client → server: direction shows without colour. */
  dashed: boolean;
  head: ArrowHead;
  /** A row about one participant (an error, a note): a box beside its lane, no arrow. */
  self: boolean;
}

/** Display order: every client in order of appearance, then the server. */
export function lanes(participants: readonly string[]): string[] {
  return [...participants.filter((p) => p !== SERVER), SERVER];
}

export function laneX(index: number): number {
  return GEOMETRY.left + GEOMETRY.laneWidth / 2 + index * GEOMETRY.laneWidth;
}

export function width(laneCount: number): number {
  return GEOMETRY.left + laneCount * GEOMETRY.laneWidth + GEOMETRY.right;
}

const HEADS: Partial<Record<RowKind, ArrowHead>> = { abnormal: 'cross', note: 'none', error: 'none' };

export function arrow(order: readonly string[], row: Pick<Row, 'from' | 'to' | 'kind'>): ArrowGeometry {
  const from = Math.max(0, order.indexOf(row.from));
  const to = Math.max(0, order.indexOf(row.to));
  const y = GEOMETRY.rowHeight - 10;
  const self = from === to;
  const x1 = laneX(from);
  const x2 = laneX(to);
  return {
    x1,
    x2,
    y,
    labelX: self ? x1 + 8 : (x1 + x2) / 2,
    labelAnchor: self ? 'start' : 'middle',
    dashed: row.from === SERVER,
    head: HEADS[row.kind] ?? 'arrow',
    self,
  };
}

/** "+1.234 s" or "+56 ms": time since the session started. */
export function relativeTime(ms: number): string {
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(3)} s`;
}
