import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checklistEntries } from '../../../src/components/progress/checklist.ts';

describe("a lesson's checklist, read from its MDX", () => {
  it('lists checked playgrounds, labs and quizzes in page order, and nothing else', () => {
    const mdx = [
      "import Playground from '../../../components/playground/Playground.astro';",
      '',
      '# Title',
      '',
      '<Playground id="free" code={starter} title="Just run it" />',
      '',
      '<Playground',
      '  id="graded"',
      '  code={starter}',
      '  check="message-too-big"',
      '/>',
      '',
      '<Playground id="untitled" code={starter} check="echo" />',
      '',
      '```mdx',
      '<Playground id="in-a-code-block" check="echo" />',
      '```',
      '',
      '<ServerLab lab="echo" />',
      '',
      '<Quiz id="lessons/echo-server" />',
    ].join('\n');
    expect(checklistEntries(mdx)).toEqual([
      { kind: 'exercise', id: 'graded', title: 'Playground' },
      { kind: 'exercise', id: 'untitled', title: 'Playground' },
      { kind: 'lab', lab: 'echo' },
      { kind: 'quiz', id: 'lessons/echo-server' },
    ]);
  });

  it('reads the echo-server lesson: its graded playground, its lab and its knowledge check', () => {
    const mdx = readFileSync(new URL('../../../src/content/docs/lessons/echo-server.mdx', import.meta.url), 'utf8');
    expect(checklistEntries(mdx)).toEqual([
      { kind: 'exercise', id: 'echo-payload-limit', title: 'The payload limit' },
      { kind: 'lab', lab: 'echo' },
      { kind: 'quiz', id: 'lessons/echo-server' },
    ]);
  });
});
