import { labSchema, type LabDefinition } from '../../../labs/schema.ts';

/**
 * The labs under labs/, read at build time through Vite (so it works inside
 * Astro's bundle, where server/labs/catalog.ts's file URLs would not) and
 * validated by the same schema the companion uses.
 */
const definitions = import.meta.glob<unknown>('../../../labs/*/lab.json', { eager: true, import: 'default' });
const sources = import.meta.glob<string>('../../../labs/*/*.lua', { eager: true, query: '?raw', import: 'default' });

export interface PageLab {
  definition: LabDefinition;
  starter: string;
  solution: string;
}

export function pageLab(id: string, where: string): PageLab {
  const json = definitions[`../../../labs/${id}/lab.json`];
  if (json === undefined) throw new Error(`${where}: there is no lab "${id}" (labs/${id}/lab.json).`);
  const parsed = labSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: labs/${id}/lab.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const starter = sources[`../../../labs/${id}/starter.lua`];
  const solution = sources[`../../../labs/${id}/solution.lua`];
  if (starter === undefined || solution === undefined) throw new Error(`${where}: labs/${id} needs starter.lua and solution.lua.`);
  return { definition: parsed.data, starter, solution };
}
