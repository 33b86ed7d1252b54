import { GEOMETRY, laneX, width as diagramWidth } from './layout.ts';
import type { SequenceDiagram, Step } from './mermaid.ts';

/**
 * A lesson's static diagram as shapes, in the live diagram's lanes and row
 * height: drawn to SVG at build time by SequenceDiagram.astro, so the page
 * needs no script for it. Pure numbers, so the geometry is unit-tested.
 */
export interface FigureLane {
  name: string;
  x: number;
}

export interface FigureArrow {
  kind: 'message';
  x1: number;
  x2: number;
  y: number;
  dashed: boolean;
  head: 'arrow' | 'cross';
  labelX: number;
  text: string;
}

export interface FigureNote {
  kind: 'note';
  /** The box. */
  x: number;
  y: number;
  width: number;
  height: number;
  textX: number;
  anchor: 'start' | 'middle' | 'end';
  text: string;
}

export interface Figure {
  width: number;
  height: number;
  lanes: FigureLane[];
  shapes: (FigureArrow | FigureNote)[];
  /** Each step in words, for the list screen readers get. */
  words: string[];
}

const TOP = 40;
const BOTTOM = 16;
const NOTE_HEIGHT = 22;
/** Rough width of a 12 px monospace character: notes are sized before any browser measures them. */
const CHAR = 7;
const GAP = 6;

export function figure(diagram: SequenceDiagram): Figure {
  const index = new Map(diagram.participants.map((p, i) => [p.id, i]));
  const names = new Map(diagram.participants.map((p) => [p.id, p.name]));
  const w = diagramWidth(diagram.participants.length);
  const xOf = (id: string): number => laneX(index.get(id) ?? 0);
  const name = (id: string): string => names.get(id) ?? id;
  const shapes = diagram.steps.map((step, i): FigureArrow | FigureNote => {
    const y = TOP + i * GEOMETRY.rowHeight + GEOMETRY.rowHeight - 10;
    if (step.kind === 'message') {
      const x1 = xOf(step.from);
      const x2 = xOf(step.to);
      return { kind: 'message', x1, x2, y, dashed: step.dashed, head: step.head, labelX: (x1 + x2) / 2, text: step.text };
    }
    const wanted = 8 + step.text.length * CHAR;
    const xs = step.over.map(xOf);
    const at = xs[0] ?? 0;
    const box = { kind: 'note' as const, y: y - 18, height: NOTE_HEIGHT, text: step.text };
    if (step.place === 'right of') {
      const room = Math.min(w - at - 10, wanted);
      return { ...box, x: at + GAP, width: room, textX: at + 2 * GAP, anchor: 'start' };
    }
    if (step.place === 'left of') {
      const room = Math.min(at - 10, wanted);
      return { ...box, x: at - GAP - room, width: room, textX: at - 2 * GAP, anchor: 'end' };
    }
    // Over one lane, or spanning two: centred, at least as wide as the lanes it covers.
    const left = Math.min(...xs);
    const right = Math.max(...xs);
    const span = Math.min(w - 8, Math.max(wanted, right - left + 4 * GAP));
    const centre = (left + right) / 2;
    const x = Math.max(4, Math.min(w - 4 - span, centre - span / 2));
    return { ...box, x, width: span, textX: x + span / 2, anchor: 'middle' };
  });
  return {
    width: w,
    height: TOP + diagram.steps.length * GEOMETRY.rowHeight + BOTTOM,
    lanes: diagram.participants.map((p) => ({ name: p.name, x: xOf(p.id) })),
    shapes,
    words: diagram.steps.map((step) => describe(step, name)),
  };
}

function describe(step: Step, name: (id: string) => string): string {
  if (step.kind === 'message') return `${name(step.from)} ${step.head === 'cross' ? '✕' : '→'} ${name(step.to)}: ${step.text}`;
  return `Note ${step.place === 'over' ? 'over' : 'at'} ${step.over.map(name).join(' and ')}: ${step.text}`;
}
