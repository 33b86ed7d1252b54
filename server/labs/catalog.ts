import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { labSchema, type Lab, type LabLanguage } from '../../labs/schema.ts';

const LABS = new URL('../../labs/', import.meta.url);
const EXTENSION: Record<LabLanguage, string> = { lua: 'lua', ts: 'ts' };

/** Every lab under labs/, validated; a bad lab.json throws naming the folder and the field. */
export function loadLabs(root: URL = LABS): Map<string, Lab> {
  const labs = new Map<string, Lab>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = new URL(`${entry.name}/`, root);
    const parsed = labSchema.safeParse(JSON.parse(readFileSync(new URL('lab.json', folder), 'utf8')));
    if (!parsed.success) throw new Error(`labs/${entry.name}/lab.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (parsed.data.id !== entry.name) throw new Error(`labs/${entry.name}/lab.json: id must be "${entry.name}"`);
    const lab: Lab = { ...parsed.data, starter: {}, solution: {} };
    for (const language of parsed.data.languages) {
      for (const kind of ['starter', 'solution'] as const) {
        const file = new URL(`${kind}.${EXTENSION[language]}`, folder);
        if (!existsSync(file)) throw new Error(`labs/${entry.name}: ${kind}.${EXTENSION[language]} is missing`);
        lab[kind][language] = readFileSync(file, 'utf8');
      }
    }
    labs.set(lab.id, lab);
  }
  return labs;
}
