import { hintsFor, labSchema, type LabDefinition, type LabLanguage } from '../../../labs/schema.ts';

/**
 * The labs under labs/, read at build time through Vite (so it works inside
 * Astro's bundle, where server/labs/catalog.ts's file URLs would not) and
 * validated by the same schema the companion uses.
 */
const definitions = import.meta.glob<unknown>('../../../labs/*/lab.json', { eager: true, import: 'default' });
const sources = import.meta.glob<string>(['../../../labs/*/*.lua', '../../../labs/*/starter.ts', '../../../labs/*/solution.ts', '../../../labs/*/client.js'], {
  eager: true,
  query: '?raw',
  import: 'default',
});
const EXTENSION: Record<LabLanguage, string> = { lua: 'lua', ts: 'ts' };

export interface PageVariant {
  starter: string;
  solution: string;
  hints: string[];
  note: string | null;
}

export interface PageLab {
  definition: LabDefinition;
  /** Lua's, shown before the page's script runs. */
  starter: string;
  solution: string;
  variants: Partial<Record<LabLanguage, PageVariant>>;
  /** The starter of the learner's own client (labs/<id>/client.js), run in the page against their server. */
  client: string;
}

/** The id of a lab's root element, unique on the site (one lab appears in one lesson): it keys saved code and the pass record. */
export function labDomId(lab: string): string {
  return `lab-${lab}`;
}

export function pageLab(id: string, where: string): PageLab {
  const json = definitions[`../../../labs/${id}/lab.json`];
  if (json === undefined) throw new Error(`${where}: there is no lab "${id}" (labs/${id}/lab.json).`);
  const parsed = labSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: labs/${id}/lab.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const variants: Partial<Record<LabLanguage, PageVariant>> = {};
  for (const language of parsed.data.languages) {
    const starter = sources[`../../../labs/${id}/starter.${EXTENSION[language]}`];
    const solution = sources[`../../../labs/${id}/solution.${EXTENSION[language]}`];
    if (starter === undefined || solution === undefined) throw new Error(`${where}: labs/${id} needs starter.${EXTENSION[language]} and solution.${EXTENSION[language]}.`);
    variants[language] = { starter, solution, hints: hintsFor(parsed.data, language), note: parsed.data.notes[language] ?? null };
  }
  const lua = variants.lua;
  if (!lua) throw new Error(`${where}: labs/${id} has no Lua version; every lab starts from its OpenResty server.`);
  const client = sources[`../../../labs/${id}/client.js`];
  if (client === undefined) throw new Error(`${where}: labs/${id} needs client.js, the starter of the learner's own client.`);
  return { definition: parsed.data, starter: lua.starter, solution: lua.solution, variants, client };
}
