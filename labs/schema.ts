import { z } from 'zod';

/**
 * A lab is data: a folder under labs/ with lab.json (this schema), the
 * starter and solution for each language it offers, and hints. The check is
 * a script of steps played by named clients against the learner's server; the
 * companion runs it (server/labs/check.ts) and the page shows its verdict.
 */

const client = z.string().regex(/^[a-z][a-z0-9]{0,15}$/).describe('Name of the scripted client, e.g. "alice".');
const skip = z
  .array(z.enum(['text', 'binary']))
  .default([])
  .describe("Data frames of these types that may come first and are passed over: a feed's ticks, which a busy machine can let in before the pong or the close reply awaited.");
const within = z.number().int().positive().max(30_000).default(2000).describe('Milliseconds to wait for it.');
/**
 * A handshake's answer is not what a check judges by its speed, and on a loaded machine (a learner's laptop
 * running the browser, the companion and the lab) it took over 2 s: a correct server failed the origin lab.
 */
const handshakeWithin = z.number().int().positive().max(30_000).default(5000).describe('Milliseconds to wait for the answer to the handshake.');

export const stepSchema = z.discriminatedUnion('do', [
  z
    .object({
      do: z.literal('connect'),
      client,
      path: z.string().regex(/^(\/[^\s]*)?(\?[^\s]*)?$/).default('').describe('Appended to the lab URL: a subpath and/or ?query.'),
      headers: z.record(z.string(), z.string()).default({}),
      /** Leave pings unanswered (the heartbeat lab's dead peer). */
      autoPong: z.boolean().default(true),
      status: z.number().int().default(101).describe('Expected answer: 101, or the refusal status such as 403.'),
      within: handshakeWithin,
    })
    .strict(),
  z
    .object({
      do: z.literal('send'),
      client,
      text: z.string().optional(),
      hex: z.string().regex(/^([0-9a-f]{2})*$/).optional().describe('A binary frame, as hex.'),
      repeat: z.number().int().positive().max(1_000_000).default(1).describe('The text repeated this many times.'),
    })
    .strict()
    .refine((s) => (s.text === undefined) !== (s.hex === undefined), { error: 'send needs exactly one of text or hex' }),
  z.object({ do: z.literal('ping'), client, data: z.string().max(125).default('') }).strict(),
  z
    .object({
      do: z.literal('expect'),
      client,
      type: z.enum(['text', 'binary', 'ping', 'pong']),
      text: z.string().optional().describe('The exact payload, for text, ping and pong.'),
      hex: z.string().optional().describe('The exact payload as hex, for binary.'),
      json: z.unknown().optional().describe('The text parsed as JSON must equal this (keys in any order).'),
      length: z.number().int().nonnegative().optional().describe('The payload length in bytes.'),
      skip,
      within,
    })
    .strict(),
  z.object({ do: z.literal('expectClose'), client, code: z.number().int().optional(), skip, within }).strict(),
  z.object({ do: z.literal('silence'), client, for: z.number().int().positive().max(10_000) }).strict(),
  z.object({ do: z.literal('close'), client, code: z.number().int().default(1000), reason: z.string().default('') }).strict(),
  z.object({ do: z.literal('leave'), client }).strict().describe('The client vanishes: TCP cut, no close frame.'),
  z.object({ do: z.literal('wait'), ms: z.number().int().positive().max(10_000) }).strict(),
  z.object({ do: z.literal('expectLog', ), text: z.string().min(1), within }).strict().describe('A server log line containing text.'),
]);

export const caseSchema = z
  .object({
    name: z.string().min(1),
    /** Hidden cases are run but their steps are not shown until they fail. */
    hidden: z.boolean().default(false),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

export const checkSchema = z.object({ cases: z.array(caseSchema).min(1) }).strict();

/** lua: OpenResty (embedded Lua 5.4 or real nginx); ts: a Node `ws` server (server/labs/ts/). */
export const LAB_LANGUAGES = ['lua', 'ts'] as const;
const language = z.enum(LAB_LANGUAGES);
const hints = z.array(z.string().min(1)).min(1).max(3);

export const labSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
    title: z.string().min(1),
    /** The lesson (src/content/docs/…) that teaches it, e.g. "lessons/echo-server". */
    lesson: z.string().min(1),
    summary: z.string().min(1),
    /** Each language here has its starter.<ext> and solution.<ext> beside lab.json; the same check judges them all. */
    languages: z.array(language).min(1),
    /** lua_shared_dict names the server may use (ngx.shared.NAME). */
    sharedDicts: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)).default([]),
    /** The Lua hints, and any language's without hints of its own. */
    hints,
    /** Hints for a language where they differ (the TypeScript twin names ws's API, not OpenResty's). */
    languageHints: z.partialRecord(language, hints).default({}),
    /** A pitfall the language teaches that the other does not (Lua: the cosocket rule; Node: 'error' listeners, backpressure, terminate() vs close()). */
    notes: z.partialRecord(language, z.string().min(1)).default({}),
    check: checkSchema,
  })
  .strict();

export type Step = z.infer<typeof stepSchema>;
export type CheckCase = z.infer<typeof caseSchema>;
export type Check = z.infer<typeof checkSchema>;
export type LabDefinition = z.infer<typeof labSchema>;
export type LabLanguage = (typeof LAB_LANGUAGES)[number];

/** The hints a learner sees for a language. */
export function hintsFor(lab: Pick<LabDefinition, 'hints' | 'languageHints'>, lang: LabLanguage): string[] {
  return lab.languageHints[lang] ?? lab.hints;
}

/** A lab with its code, as the companion and the page use it. */
export interface Lab extends LabDefinition {
  starter: Partial<Record<LabLanguage, string>>;
  solution: Partial<Record<LabLanguage, string>>;
}
