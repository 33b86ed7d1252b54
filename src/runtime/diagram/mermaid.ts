/**
 * The diagrams' one language: a subset of Mermaid's `sequenceDiagram`. The
 * lessons' static diagrams are written in it and parsed here at build time;
 * the live diagram's "Export Mermaid" writes it (`toMermaid`), so what a
 * learner exports and what a lesson shows read the same, and both paste into
 * any Mermaid renderer.
 *
 *   sequenceDiagram                          the first statement
 *   participant client as Your page          optional: order and a display name
 *   actor alice                              drawn like a participant
 *   client->>server: connection request      a message (solid line, arrowhead)
 *   server-->>client: 101 Switching Protocols a reply (dashed line, arrowhead)
 *   server-xclient: dropped                  solid line ending in a cross; --x dashed
 *   Note right of client: the page shows it  also "left of a", "over a", "over a,b"
 *   %% a comment
 *
 * Text is everything after the first colon. As in Mermaid, ";" would end the
 * statement and "#…;" is an entity, so text writes #59; for ";" and #35; for
 * "#". Anything outside this subset (loop, alt, activations, "->" without a
 * head) is refused with its line number rather than drawn differently from
 * Mermaid.
 */
import { arrow } from './layout.ts';
import type { Row } from './model.ts';

export interface Participant {
  /** What statements use: `client` in `client->>server`. */
  id: string;
  /** What is drawn: the alias after `as`, else the id. */
  name: string;
}

export interface MessageStep {
  kind: 'message';
  from: string;
  to: string;
  dashed: boolean;
  head: 'arrow' | 'cross';
  text: string;
  /** 1-based line in the source. */
  line: number;
}

export interface NoteStep {
  kind: 'note';
  place: 'left of' | 'right of' | 'over';
  /** One participant id, or two for "over a,b". */
  over: string[];
  text: string;
  line: number;
}

export type Step = MessageStep | NoteStep;

export interface SequenceDiagram {
  /** In order of declaration, then of first mention (Mermaid's order). */
  participants: Participant[];
  steps: Step[];
}

export class MermaidError extends Error {
  override name = 'MermaidError';
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

const ID = '[A-Za-z_]\\w*';
const HEADER = /^sequenceDiagram$/;
const PARTICIPANT = new RegExp(`^(participant|actor)\\s+(${ID})(?:\\s+as\\s+(.+))?$`, 'i');
const MESSAGE = new RegExp(`^(${ID})\\s*(-->>|->>|--x|-x|--\\)|-\\)|-->|->)\\s*([+-]?)\\s*(${ID})\\s*:(.*)$`);
const NOTE = new RegExp(`^note\\s+(left\\s+of|right\\s+of|over)\\s+(${ID})(?:\\s*,\\s*(${ID}))?\\s*:(.*)$`, 'i');
/** Mermaid statements this renderer does not draw: refused by name instead of as gibberish. */
const UNSUPPORTED = /^(loop|alt|else|opt|par|and|critical|option|break|rect|end|box|autonumber|activate|deactivate|create|destroy|title|link|links|properties|details)\b/i;

const ENTITY = /#(\d+|[A-Za-z]+);/g;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0' };

/** Mermaid's entity codes in text: `#59;` is ";", `#quot;` is '"'; an unknown name stays as written. */
function decode(text: string): string {
  return text.replace(ENTITY, (whole, code: string) => {
    if (/^\d+$/.test(code)) {
      const n = Number(code);
      return n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return NAMED_ENTITIES[code.toLowerCase()] ?? whole;
  });
}

/** Text as Mermaid reads it literally: ";" and "#" as entity codes, one line. */
export function escapeText(text: string): string {
  // One pass, so the ";" of an inserted "#35;" is not escaped again.
  return text.replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;')).replace(/[\r\n]+/g, ' ');
}

const MESSAGE_FORMS = '"a->>b: text", "a-->>b: text", "a-xb: text" or "a--xb: text"';
const NOTE_FORMS = '"Note right of a: text" ("left of a", "over a", "over a,b")';

function text(raw: string, line: number, what: string): string {
  const value = decode(raw.trim());
  if (value === '') throw new MermaidError(line, `${what} has no text after its colon`);
  return value;
}

export function parseMermaid(source: string): SequenceDiagram {
  const participants: Participant[] = [];
  const steps: Step[] = [];
  const mentioned = new Set<string>();
  let header = false;
  const see = (id: string): void => {
    if (mentioned.has(id)) return;
    mentioned.add(id);
    participants.push({ id, name: id });
  };

  source.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const statement = raw.trim();
    if (statement === '' || statement.startsWith('%%')) return;
    if (!header) {
      if (!HEADER.test(statement)) {
        throw new MermaidError(line, `a Mermaid sequence diagram starts with "sequenceDiagram", got "${statement}"`);
      }
      header = true;
      return;
    }
    if (statement.includes(';') && statement.replace(ENTITY, '').includes(';')) {
      throw new MermaidError(line, 'Mermaid ends a statement at ";": write #59; for a semicolon in text');
    }
    if (statement.replace(ENTITY, '').includes('#')) {
      throw new MermaidError(line, 'Mermaid reads "#" as the start of an entity code: write #35; for "#" in text');
    }
    const declared = PARTICIPANT.exec(statement);
    if (declared) {
      const [, , id = '', alias] = declared;
      if (mentioned.has(id)) {
        throw new MermaidError(line, `"${id}" is already in the diagram: declare a participant before its first message or note, once`);
      }
      mentioned.add(id);
      participants.push({ id, name: alias === undefined ? id : decode(alias.trim()) });
      return;
    }
    const message = MESSAGE.exec(statement);
    if (message) {
      const [, from = '', arrow = '', activation = '', to = '', label = ''] = message;
      if (arrow === '->' || arrow === '-->') {
        throw new MermaidError(line, `"${arrow}" is a line without an arrowhead in Mermaid: write "${arrow}>" for a message`);
      }
      if (arrow.endsWith(')')) throw new MermaidError(line, `async arrows ("${arrow}") are not drawn here: write ${MESSAGE_FORMS}`);
      if (activation !== '') {
        throw new MermaidError(line, `activations ("${arrow}${activation}${to}") are not drawn here: write "${from}${arrow}${to}"`);
      }
      if (from === to) {
        throw new MermaidError(line, `a message needs two different participants, got "${from}" twice: use a Note for something at one`);
      }
      see(from);
      see(to);
      steps.push({
        kind: 'message',
        from,
        to,
        dashed: arrow.startsWith('--'),
        head: arrow.endsWith('x') ? 'cross' : 'arrow',
        text: text(label, line, 'a message'),
        line,
      });
      return;
    }
    const note = NOTE.exec(statement);
    if (note) {
      const [, place = '', first = '', second, label = ''] = note;
      const normal = place.toLowerCase().replace(/\s+/, ' ') as NoteStep['place'];
      if (second !== undefined && normal !== 'over') {
        throw new MermaidError(line, `a note ${normal} one participant names one, got "${first},${second}": use "over ${first},${second}" to span two`);
      }
      const over = second === undefined || second === first ? [first] : [first, second];
      over.forEach(see);
      steps.push({ kind: 'note', place: normal, over, text: text(label, line, 'a note'), line });
      return;
    }
    const keyword = UNSUPPORTED.exec(statement)?.[1];
    if (keyword) {
      throw new MermaidError(line, `"${keyword}" is Mermaid, but these diagrams draw only participants, messages and notes: write the steps out`);
    }
    throw new MermaidError(line, `expected a message (${MESSAGE_FORMS}), a note (${NOTE_FORMS}) or "participant a as Name", got "${statement}"`);
  });

  if (!header) throw new MermaidError(1, 'the diagram is empty: it starts with "sequenceDiagram", then one statement per line');
  if (steps.length === 0) throw new MermaidError(source.split('\n').length, 'the diagram has no messages or notes');
  return { participants, steps };
}

/**
 * Mermaid text for the live diagram's rows, participants in the order given
 * (the lanes as drawn). Each arrow is drawn as the live diagram draws it:
 * dashed from the server to a client and from Redis, a cross where a connection ended.
 */
export function toMermaid(participants: readonly string[], rows: readonly Row[]): string {
  const ids = new Map(participants.map((p, i) => [p, `p${i}`]));
  const lines = ['sequenceDiagram', ...participants.map((p) => `  participant ${ids.get(p)} as ${escapeText(p)}`)];
  for (const row of rows) {
    const from = ids.get(row.from) ?? 'p0';
    const to = ids.get(row.to) ?? 'p0';
    const { dashed, head, self } = arrow(participants, row);
    if (self || head === 'none') {
      lines.push(`  Note over ${from}: ${escapeText(row.label)}`);
    } else {
      lines.push(`  ${from}${dashed ? '--' : '-'}${head === 'cross' ? 'x' : '>>'}${to}: ${escapeText(row.label)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
