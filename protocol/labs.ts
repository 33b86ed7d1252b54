import { z } from 'zod';

/**
 * The lab API: learners' own servers run by the companion (server/labs/).
 * The page (<ServerLab>), the companion and the tests read paths, limits and
 * the shapes of requests and answers from here.
 */
export const LAB_PATHS = {
  /** POST to start a lab server; /api/labs/<id> DELETE, /api/labs/<id>/log GET (?after=<seq>), /api/labs/<id>/check POST. */
  api: '/api/labs',
  /** WebSocket clients connect to /labs/<id>, with any subpath and query after it. */
  socket: '/labs/',
} as const;

export const LAB_LIMITS = {
  /** Lab servers running at once; one more is refused with 429. */
  maxServers: 8,
  /** A lab server with no connection and no API call for this long is stopped. */
  idleMs: 10 * 60 * 1000,
  /** Largest POST body (the code is most of it). */
  bodyBytes: 256 * 1024,
  /** Largest handler source. */
  codeChars: 128 * 1024,
} as const;

export const LAB_ID_PATTERN = /^[a-f0-9]{16}$/;

export const startLabRequestSchema = z
  .object({
    language: z.string().min(1).describe('"lua" or "ts".'),
    code: z.string().max(LAB_LIMITS.codeChars, `code must be at most ${LAB_LIMITS.codeChars} characters`),
    lab: z.string().optional().describe('A lab id from labs/ (its check and shared dicts), e.g. "echo".'),
  })
  .strict();
export type StartLabRequest = z.infer<typeof startLabRequestSchema>;

export const startLabResponseSchema = z.object({
  id: z.string(),
  url: z.string().describe('ws://127.0.0.1:<port>/labs/<id>'),
  engine: z.string().describe('Which engine runs it, e.g. "Lua 5.4, embedded".'),
  lab: z.string().nullable(),
});
export type StartLabResponse = z.infer<typeof startLabResponseSchema>;

/** Nothing started: `syntax`, or `import` (TypeScript: a module a lab may not use), at the learner's line. */
export const syntaxErrorSchema = z.object({ error: z.enum(['syntax', 'import']), line: z.number().int(), message: z.string() });
export type LabSyntaxError = z.infer<typeof syntaxErrorSchema>;

/** The optional body of POST /api/labs/<id>/check. */
export const checkLabRequestSchema = z
  .object({
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,96}$/)
      .optional()
      .describe('The page\'s inspector tag: each check client connects tagged "<tag>.<client>", so a live diagram watching the tag draws it.'),
  })
  .strict();
export type CheckLabRequest = z.infer<typeof checkLabRequestSchema>;

/**
 * GET /api/labs/<id>/log?after=<seq>: only the lines numbered above `seq`, the number of the last line
 * the reader has. Without it, every line held (the newest 2,000). A line that was dropped before the
 * reader asked is not sent: the first line's `seq` then jumps past `after + 1`, which says how many went.
 */
export const LAB_LOG_AFTER = {
  param: 'after',
  pattern: /^\d{1,15}$/,
  message: 'after: the number of the last log line you have (its "seq"), a whole number from 0.',
} as const;

/**
 * A header of GET /api/labs/<id>/log: `true` once the lab server has ended by itself (a crash, a
 * process.exit, a watchdog), so the page stops saying it runs; the log says why.
 */
export const LAB_ENDED_HEADER = 'x-lab-ended';

/** One line of GET /api/labs/<id>/log (JSON lines). */
export const labLogLineSchema = z.object({
  time: z.number().describe('ms since the epoch'),
  level: z.string().describe('nginx level names: error, warn, notice, info, debug…'),
  text: z.string(),
  line: z.number().int().nullable().describe("The learner's line, when known."),
  seq: z
    .number()
    .int()
    .positive()
    .describe("The line's number in the lab server's log, from 1; it keeps it as older lines are dropped (ask ?after= it for the lines after it)."),
});
export type LabLogLineJson = z.infer<typeof labLogLineSchema>;

/**
 * The answer of POST /api/labs/<id>/check: the server's check runner
 * (server/labs/check.ts) builds it, the page's lab store reads it.
 */
export interface CheckFailure {
  client: string | null;
  /** 1-based index of the step in its case. */
  step: number;
  action: string;
  expected: string;
  arrived: string;
}

export interface CaseResult {
  name: string;
  hidden: boolean;
  passed: boolean;
  failure: CheckFailure | null;
}

export interface Verdict {
  passed: boolean;
  cases: CaseResult[];
}

/**
 * POST /api/labs/<id>/check with `Accept: application/x-ndjson`: the check as it goes, one JSON
 * object per line: each case as it starts (`case`, numbered from 1 of `of`) and as it ends
 * (`result`), then the whole `verdict`, or an `error` if the check could not run. Without that
 * Accept the answer is the verdict alone, once every case has run.
 */
export const CHECK_PROGRESS_TYPE = 'application/x-ndjson';

export type CheckProgress =
  | { t: 'case'; index: number; of: number; name: string }
  | { t: 'result'; index: number; result: CaseResult }
  | { t: 'verdict'; verdict: Verdict }
  | { t: 'error'; error: string; message: string };
