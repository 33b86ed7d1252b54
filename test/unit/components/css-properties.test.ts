import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every CSS custom property the course's own code reads is set somewhere: by
 * Starlight or by the course. `var(--x)` of a property nobody sets makes the
 * whole declaration invalid, silently: `var(--sl-font-mono)`, which Starlight
 * leaves for a site to set, had every code box and Output in the body's
 * sans-serif until src/styles/theme.css set it.
 */
const root = join(import.meta.dirname, '../../..');
const filesUnder = (dir: string, extensions: RegExp): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => extensions.test(file))
    .map((file) => join(root, dir, file));
const ours = filesUnder('src', /\.(astro|css|ts)$/);
const starlight = filesUnder('node_modules/@astrojs/starlight', /\.(astro|css)$/);

/** `--name` of each `var(--name` (fallback or not) in the files. */
const read = (files: string[]): Set<string> => new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1] as string)));
/** `--name` of each `--name:` declaration in the files (CSS, inline styles, style strings in scripts). */
const set = (files: string[]): Set<string> => new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1] as string)));

describe('CSS custom properties', () => {
  it('reads none that neither Starlight nor the course sets', () => {
    const defined = new Set([...set(starlight), ...set(ours)]);
    const used = [...read(ours)].sort();
    expect(used).toContain('--sl-font-mono');
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });
});
