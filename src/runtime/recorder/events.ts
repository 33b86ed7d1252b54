import { z } from 'zod';

/**
 * What a playground run records on the client side: every WebSocket call and
 * event the learner's code makes, plus its console output and errors. The
 * recorder beside this file (record.ts) produces them in the sandbox worker;
 * the output panel, the exercise checks and the live sequence diagram
 * consume them. The wire view of the same connections comes
 * from the server's /inspect stream (protocol/inspect.ts); the diagram merges
 * the two by `tag` and time.
 */

const at = {
  t: z.number().describe('Milliseconds since the run started (performance.now() based).'),
  client: z.string().describe('Name of the playground client that produced the event, e.g. "alice".'),
};
const sock = z
  .number()
  .int()
  .nonnegative()
  .describe('Index of the socket within its client, in order of construction (0, 1, …).');
const payload = {
  dataType: z.enum(['text', 'binary']).describe('Text frames arrive as strings, binary as Blob/ArrayBuffer.'),
  size: z.number().int().nonnegative().describe('Payload size in bytes (UTF-8 bytes for text).'),
  preview: z.string().describe('Text, or spaced hex for binary, capped at a few hundred characters.'),
};

export const clientEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('create'),
    ...at,
    sock,
    url: z.string().describe('The URL exactly as the learner passed it.'),
    protocols: z.array(z.string()).describe('Requested subprotocols.'),
  }),
  z.object({
    kind: z.literal('open'),
    ...at,
    sock,
    protocol: z.string().describe('The subprotocol the server selected, or "".'),
  }),
  z.object({ kind: z.literal('send'), ...at, sock, ...payload }),
  z.object({ kind: z.literal('message'), ...at, sock, ...payload }),
  z.object({
    kind: z.literal('close'),
    ...at,
    sock,
    code: z.number().int().describe('CloseEvent.code: 1006 when the connection dropped without a close frame.'),
    reason: z.string(),
    wasClean: z.boolean(),
  }),
  z.object({ kind: z.literal('error'), ...at, sock }),
  z.object({
    kind: z.literal('console'),
    ...at,
    level: z.enum(['log', 'info', 'warn', 'error']),
    text: z.string().describe('The arguments, formatted and joined with spaces.'),
  }),
  z.object({
    kind: z.literal('uncaught'),
    ...at,
    message: z.string(),
    line: z.number().int().nullable().describe('1-based line in the learner\'s code, when known.'),
    column: z.number().int().nullable(),
  }),
  z.object({
    kind: z.literal('run-end'),
    ...at,
    reason: z
      .enum(['finished', 'stopped', 'timeout', 'crashed', 'left'])
      .describe('Why the run ended; `left`: the learner left the page (a link, Back, a closed tab), which ends what runs on it.'),
  }),
]);

export type ClientEvent = z.infer<typeof clientEventSchema>;
export type ClientEventKind = ClientEvent['kind'];

/**
 * What a playground element exposes to other components on the page (the
 * live diagram finds it by id): the run's events so far, and a subscription.
 */
export interface RecordSource {
  /** The tag the playground's sockets carry (INSPECT_TAG_PARAM), fresh per run. */
  readonly tag: string | null;
  /** Events of the current run, in order. */
  readonly events: readonly ClientEvent[];
  /** Called for every new event, and with `null` when a new run starts. Returns an unsubscribe. */
  subscribe(listener: (event: ClientEvent | null) => void): () => void;
}
