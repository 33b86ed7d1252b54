import { readdirSync, readFileSync } from 'node:fs';

/**
 * The course's own Lua modules (samples/lua/<name>.lua with a name `require`
 * can spell: no dash), the only files a lab's `require` may load. Read once.
 */
const SAMPLES = new URL('../../../samples/lua/', import.meta.url);

let cache: Record<string, string> | null = null;

export function courseModules(): Record<string, string> {
  if (cache) return cache;
  const out: Record<string, string> = {};
  for (const file of readdirSync(SAMPLES)) {
    const match = /^([a-z_][a-z0-9_]*)\.lua$/.exec(file);
    if (match?.[1]) out[match[1]] = readFileSync(new URL(file, SAMPLES), 'utf8');
  }
  cache = out;
  return out;
}
