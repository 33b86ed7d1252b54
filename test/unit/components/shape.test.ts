import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The shape of a browser element (docs/elements.md): a folder per component
 * under src/components/, its element.ts beside its .astro, the .astro's
 * script only imports ./element.ts, and every element registers through
 * define.ts. This test keeps the convention true as components are added.
 */
const components = join(import.meta.dirname, '../../../src/components');
const files = readdirSync(components, { recursive: true, encoding: 'utf8' }).sort();
const read = (file: string): string => readFileSync(join(components, file), 'utf8');
// Client scripts of an .astro file (its template, not the frontmatter's comments); `type="application/json"` data islands are not scripts.
const scripts = (source: string): string[] =>
  [...source.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/<script\b[^>]*\/>/g, '').matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/\btype=/.test(m[1] ?? ''))
    .map((m) => (m[2] ?? '').trim());

describe('browser elements have one shape', () => {
  const elements = files.filter((f) => f.endsWith('/element.ts'));

  it('finds the course components with an element, each in its own folder', () => {
    expect(elements).toEqual([
      'chart/element.ts',
      'collab/element.ts',
      'diagram/element.ts',
      'lab/element.ts',
      'playground/element.ts',
      'progress/element.ts',
      'quiz/element.ts',
      'sign-in/element.ts',
      'teacher/element.ts',
    ]);
  });

  it.each(elements)('%s registers through defineElement, and its .astro only imports it', (file) => {
    const source = read(file);
    expect(source).toMatch(/^defineElement\('fd-[a-z-]+', \w+\);$/m);
    expect(source).not.toContain('customElements.define(');
    const folder = file.slice(0, -'/element.ts'.length);
    const astro = files.filter((f) => f.startsWith(`${folder}/`) && f.endsWith('.astro'));
    expect(astro.length).toBeGreaterThan(0);
    for (const page of astro) expect(scripts(read(page)), page).toEqual(["import './element.ts';"]);
  });

  it('no component defines an element anywhere else', () => {
    const defining = files.filter((f) => /\.(ts|astro)$/.test(f) && f !== 'define.ts' && /customElements\.define\(|extends HTMLElement/.test(read(f)));
    expect(defining.map((f) => relative('.', f))).toEqual(elements);
  });
});
