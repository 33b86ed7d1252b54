import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mermaid from 'mermaid';
import { describe, expect, it } from 'vitest';
import { lanes } from '../../../src/runtime/diagram/layout.ts';
import { parseMermaid, toMermaid, type SequenceDiagram } from '../../../src/runtime/diagram/mermaid.ts';
import { recordedRun } from './recorded-run.ts';

/**
 * Our subset must mean to Mermaid what it means to us: every lesson's static
 * diagram and a recorded run's export are parsed by Mermaid itself (its
 * sequence diagram database) and by parseMermaid, and must agree on the
 * participants, every arrow's line and head, every note's place, and the text.
 */

// Mermaid's parser keeps entity codes as placeholders until it renders.
const unplaceholder = (text: string): string =>
  text
    .replace(/ﬂ°°(\d+)¶ß/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/ﬂ°(\w+)¶ß/g, (_, name: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0' })[name] ?? `#${name};`);

interface MermaidDb {
  getActorKeys(): string[];
  getActors(): Map<string, { description: string }>;
  getMessages(): { from: string; to: string; message: string; type: number; placement?: number }[];
}

const TYPES: Record<number, { dashed: boolean; head: 'arrow' | 'cross' }> = {
  0: { dashed: false, head: 'arrow' },
  1: { dashed: true, head: 'arrow' },
  3: { dashed: false, head: 'cross' },
  4: { dashed: true, head: 'cross' },
};
const NOTE = 2;
const PLACES = ['left of', 'right of', 'over'] as const;

async function mermaidReads(source: string): Promise<SequenceDiagram> {
  await mermaid.parse(source);
  // Deprecated for rendering, but the sequence database behind it is the only place Mermaid's reading shows.
  const db = (await mermaid.mermaidAPI.getDiagramFromText(source)).db as unknown as MermaidDb;
  const actors = db.getActors();
  return {
    participants: db.getActorKeys().map((id) => ({ id, name: unplaceholder(actors.get(id)?.description ?? '') })),
    steps: db.getMessages().map((m) => {
      const text = unplaceholder(m.message);
      if (m.type === NOTE) {
        const place = PLACES[m.placement ?? -1];
        if (!place) throw new Error(`Mermaid placed a note at ${m.placement}`);
        return { kind: 'note', place, over: m.from === m.to ? [m.from] : [m.from, m.to], text, line: 0 };
      }
      const style = TYPES[m.type];
      if (!style) throw new Error(`Mermaid read an arrow of type ${m.type}, outside the subset`);
      return { kind: 'message', from: m.from, to: m.to, ...style, text, line: 0 };
    }),
  };
}

const withoutLines = (d: SequenceDiagram): SequenceDiagram => ({ ...d, steps: d.steps.map((s) => ({ ...s, line: 0 })) });

function lessonDiagrams(): { page: string; source: string }[] {
  const root = join(import.meta.dirname, '../../../src/content/docs');
  const found: { page: string; source: string }[] = [];
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.mdx')) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/<SequenceDiagram\b[^>]*?\bscript=\{`([^`]*)`\}/g)) found.push({ page: file, source: match[1] ?? '' });
  }
  return found.sort((a, b) => a.page.localeCompare(b.page));
}

describe('Mermaid reads our diagrams as we do', () => {
  const diagrams = lessonDiagrams();

  it('finds every static diagram in the course', () => {
    expect(diagrams.map((d) => d.page)).toEqual([
      'lessons/handshake-and-frames.mdx',
      'lessons/sequence-diagrams.mdx',
      'lessons/sequence-diagrams.mdx',
      'projects/collaborative-editor.mdx',
      'projects/collaborative-editor.mdx',
      'projects/collaborative-editor.mdx',
    ]);
  });

  it.each(diagrams.map((d, i) => [`${d.page} #${i + 1}`, d.source]))('%s', async (_name, source) => {
    expect(await mermaidReads(source)).toEqual(withoutLines(parseMermaid(source)));
  });

  it('a recorded run as exported', async () => {
    const model = recordedRun();
    const source = toMermaid(lanes(model.participants), model.rows);
    const ours = withoutLines(parseMermaid(source));
    expect(ours.steps.map((s) => s.kind)).toContain('note');
    expect(await mermaidReads(source)).toEqual(ours);
  });

  it('the subset: aliases, all four arrows, every note placement and entity codes', async () => {
    const source = [
      'sequenceDiagram',
      '  participant c as Your page',
      '  actor s',
      '  c->>s: GET /echo: Upgrade',
      '  s-->>c: 101',
      '  c -x s : dropped',
      '  s--xc: gone #59; #35;1 #quot;ok#quot;',
      '  note right of c: beside',
      '  Note LEFT OF s: before',
      '  Note over s: above',
      '  Note over c, s: across',
    ].join('\n');
    expect(await mermaidReads(source)).toEqual(withoutLines(parseMermaid(source)));
  });
});
