import { describe, expect, it } from 'vitest';
import { figure } from '../../../src/runtime/diagram/figure.ts';
import { arrow, lanes } from '../../../src/runtime/diagram/layout.ts';
import { MermaidError, parseMermaid, toMermaid } from '../../../src/runtime/diagram/mermaid.ts';
import { recordedRun } from './recorded-run.ts';

describe('parseMermaid', () => {
  it('reads participants with aliases, the four arrows and every note placement, in order', () => {
    const source = [
      '%% a comment before the header',
      'sequenceDiagram',
      '  participant c as Your page',
      '  actor s',
      '  c->>s: GET /echo: Upgrade',
      '  s-->>c: 101 Switching Protocols',
      '  c -x s : dropped',
      '  s--xc: gone #59; really #35;1 #quot;ok#quot; #nope;',
      '  %% a comment between steps',
      '',
      '  note right of c: beside',
      '  Note LEFT  OF s: before',
      '  Note over new: above',
      '  Note over c, s: across',
    ].join('\n');
    expect(parseMermaid(source)).toEqual({
      participants: [
        { id: 'c', name: 'Your page' },
        { id: 's', name: 's' },
        { id: 'new', name: 'new' },
      ],
      steps: [
        { kind: 'message', from: 'c', to: 's', dashed: false, head: 'arrow', text: 'GET /echo: Upgrade', line: 5 },
        { kind: 'message', from: 's', to: 'c', dashed: true, head: 'arrow', text: '101 Switching Protocols', line: 6 },
        { kind: 'message', from: 'c', to: 's', dashed: false, head: 'cross', text: 'dropped', line: 7 },
        { kind: 'message', from: 's', to: 'c', dashed: true, head: 'cross', text: 'gone ; really #1 "ok" #nope;', line: 8 },
        { kind: 'note', place: 'right of', over: ['c'], text: 'beside', line: 11 },
        { kind: 'note', place: 'left of', over: ['s'], text: 'before', line: 12 },
        { kind: 'note', place: 'over', over: ['new'], text: 'above', line: 13 },
        { kind: 'note', place: 'over', over: ['c', 's'], text: 'across', line: 14 },
      ],
    });
  });

  it('orders participants by first mention when none is declared', () => {
    expect(parseMermaid('sequenceDiagram\nbob->>server: a\nalice->>server: b').participants.map((p) => p.id)).toEqual(['bob', 'server', 'alice']);
  });

  it.each([
    ['client->>server: hi', 1, 'a Mermaid sequence diagram starts with "sequenceDiagram", got "client->>server: hi"'],
    ['sequenceDiagram\nclient -> server: hi', 2, '"->" is a line without an arrowhead in Mermaid: write "->>" for a message'],
    ['sequenceDiagram\na->>b: ok\nserver --> client: hi', 3, '"-->" is a line without an arrowhead in Mermaid: write "-->>" for a message'],
    ['sequenceDiagram\nnote client: done', 2, 'expected a message ("a->>b: text", "a-->>b: text", "a-xb: text" or "a--xb: text"), a note ("Note right of a: text" ("left of a", "over a", "over a,b")) or "participant a as Name", got "note client: done"'],
    ['sequenceDiagram\na => b: wrong', 2, 'expected a message ("a->>b: text", "a-->>b: text", "a-xb: text" or "a--xb: text"), a note ("Note right of a: text" ("left of a", "over a", "over a,b")) or "participant a as Name", got "a => b: wrong"'],
    ['sequenceDiagram\na->>a: self', 2, 'a message needs two different participants, got "a" twice: use a Note for something at one'],
    ['sequenceDiagram\na->>+b: hi', 2, 'activations ("->>+b") are not drawn here: write "a->>b"'],
    ['sequenceDiagram\na-)b: hi', 2, 'async arrows ("-)") are not drawn here: write "a->>b: text", "a-->>b: text", "a-xb: text" or "a--xb: text"'],
    ['sequenceDiagram\na->>b:   ', 2, 'a message has no text after its colon'],
    ['sequenceDiagram\na->>b: one; two', 2, 'Mermaid ends a statement at ";": write #59; for a semicolon in text'],
    ['sequenceDiagram\na->>b: #1 issue', 2, 'Mermaid reads "#" as the start of an entity code: write #35; for "#" in text'],
    ['sequenceDiagram\nNote left of a,b: x', 2, 'a note left of one participant names one, got "a,b": use "over a,b" to span two'],
    ['sequenceDiagram\na->>b: x\nparticipant a as A', 3, '"a" is already in the diagram: declare a participant before its first message or note, once'],
    ['sequenceDiagram\nloop every second\na->>b: x\nend', 2, '"loop" is Mermaid, but these diagrams draw only participants, messages and notes: write the steps out'],
    ['sequenceDiagram\n%% nothing\n', 3, 'the diagram has no messages or notes'],
    ['  \n', 1, 'the diagram is empty: it starts with "sequenceDiagram", then one statement per line'],
  ])('refuses %j at line %i', (source, line, message) => {
    let caught: unknown;
    try {
      parseMermaid(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MermaidError);
    expect((caught as MermaidError).line).toBe(line);
    expect((caught as MermaidError).message).toBe(`line ${line}: ${message}`);
  });
});

describe('toMermaid', () => {
  it('writes participants with aliases and escapes what Mermaid reads specially', () => {
    const model = recordedRun();
    const text = toMermaid(lanes(model.participants), model.rows);
    expect(text).toBe(
      [
        'sequenceDiagram',
        '  participant p0 as alice',
        '  participant p1 as bob',
        '  participant p2 as carol',
        '  participant p3 as server',
        '  p0->>p3: GET /broadcast (Upgrade: websocket)',
        '  p3-->>p0: 101 Switching Protocols',
        '  p1->>p3: GET /broadcast (Upgrade: websocket)',
        '  p3-->>p1: 101 Switching Protocols',
        '  p0->>p3: text "a#59;#35;b" (4 bytes)',
        '  p3-->>p1: text "a#59;#35;b" (4 bytes)',
        '  p1->>p3: binary (2 bytes)',
        '  p3-->>p0: ping (0 bytes)',
        '  p0->>p3: pong (0 bytes)',
        '  p0->>p3: close 1000',
        '  p3-->>p0: close 1000',
        '  p3--xp1: connection dropped, no close frame (1006)',
        '  p3-->>p2: 429 refused: too many connections',
        '  Note over p3: 3 events not drawn (they came faster than a page can draw)',
        '  Note over p2: error event (the browser does not say why)',
        '',
      ].join('\n'),
    );
  });

  it('round-trips: a recorded run exported and parsed back gives the same rows, drawn the same way', () => {
    const model = recordedRun();
    const order = lanes(model.participants);
    const parsed = parseMermaid(toMermaid(order, model.rows));
    const name = new Map(parsed.participants.map((p) => [p.id, p.name]));
    expect(parsed.participants.map((p) => p.name)).toEqual(order);
    const back = parsed.steps.map((step) =>
      step.kind === 'message'
        ? { from: name.get(step.from), to: name.get(step.to), label: step.text, dashed: step.dashed, head: step.head }
        : { from: name.get(step.over[0] ?? ''), to: name.get(step.over[0] ?? ''), label: step.text, dashed: false, head: 'none' },
    );
    const drawn = model.rows.map((row) => {
      const g = arrow(order, row);
      return { from: row.from, to: row.to, label: row.label, dashed: g.self ? false : g.dashed, head: g.head };
    });
    expect(back).toEqual(drawn);
    expect(back).toHaveLength(15);
  });
});

describe('static figure', () => {
  it('puts lanes, arrows and notes where the live diagram would, notes beside, before, over or across', () => {
    const drawn = figure(
      parseMermaid(
        [
          'sequenceDiagram',
          'participant c as page',
          'c->>s: hi',
          's--xc: gone',
          'Note right of c: right',
          'Note left of s: left',
          'Note over s: over',
          'Note over c,s: across',
        ].join('\n'),
      ),
    );
    expect(drawn.width).toBe(500);
    expect(drawn.height).toBe(40 + 6 * 36 + 16);
    expect(drawn.lanes).toEqual([
      { name: 'page', x: 191 },
      { name: 's', x: 381 },
    ]);
    expect(drawn.shapes).toEqual([
      { kind: 'message', x1: 191, x2: 381, y: 66, dashed: false, head: 'arrow', labelX: 286, text: 'hi' },
      { kind: 'message', x1: 381, x2: 191, y: 102, dashed: true, head: 'cross', labelX: 286, text: 'gone' },
      { kind: 'note', x: 197, y: 120, width: 43, height: 22, textX: 203, anchor: 'start', text: 'right' },
      { kind: 'note', x: 339, y: 156, width: 36, height: 22, textX: 369, anchor: 'end', text: 'left' },
      { kind: 'note', x: 363, y: 192, width: 36, height: 22, textX: 381, anchor: 'middle', text: 'over' },
      { kind: 'note', x: 179, y: 228, width: 214, height: 22, textX: 286, anchor: 'middle', text: 'across' },
    ]);
    expect(drawn.words).toEqual(['page → s: hi', 's ✕ page: gone', 'Note at page: right', 'Note at s: left', 'Note over s: over', 'Note over page and s: across']);
  });
});
