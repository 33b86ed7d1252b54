import { z } from 'zod/mini';
import { apply, compact, transform, type Edit } from './ot.ts';

/**
 * One editor's side of a shared document, with no socket in sight: the page
 * passes `send` in and feeds `receive` with what the server relays.
 *
 * The server (the companion's /broadcast) only relays: every message goes to
 * every client, the sender included, in one order. That order is the truth.
 * Each client keeps the same ordered log and computes each entry's final form
 * the same way, so all logs, and so all documents, end up identical. An edit
 * says how many log entries its author had seen (`base`); entries after that
 * are concurrent with it and it is transformed past them.
 *
 * A client has at most one edit in flight; what is typed meanwhile waits in a
 * buffer and goes out, as one edit, when the server's copy of the first
 * comes back. That keeps every concurrent entry another author's.
 */

const opSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('insert'), pos: z.number().check(z.int(), z.nonnegative()), text: z.string() }),
  z.object({ kind: z.literal('delete'), pos: z.number().check(z.int(), z.nonnegative()), length: z.number().check(z.int(), z.positive()) }),
]);

/** What an editor sends on the wire, one JSON text message per edit. */
export const collabMessageSchema = z.object({
  /** Which shared document; clients ignore the others sharing the endpoint. */
  doc: z.string(),
  /** The sending editor's id, unique within the document. */
  from: z.string(),
  /** How many log entries the sender had applied when it made the edit. */
  base: z.number().check(z.int(), z.nonnegative()),
  /** The edit, as a list of operations applied in order. */
  ops: z.array(opSchema),
});
export type CollabMessage = z.infer<typeof collabMessageSchema>;

/** The naive way, for comparison: the sender's whole text, which replaces the receiver's. */
export const wholeMessageSchema = z.object({
  /** Which shared document, as above. */
  doc: z.string(),
  /** The sending editor's id. */
  from: z.string(),
  /** The sender's entire text. */
  whole: z.string(),
});
export type WholeMessage = z.infer<typeof wholeMessageSchema>;

/** A relayed text message read with `schema`; null for anything else, or for another document. */
function parseFor<T extends { doc: string }>(schema: z.ZodMiniType<T>, text: string, doc: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success && parsed.data.doc === doc ? parsed.data : null;
}

/** Parses a relayed text message; null for anything that is not an edit of `doc`. */
export function parseCollabMessage(text: string, doc: string): CollabMessage | null {
  return parseFor(collabMessageSchema, text, doc);
}

/** Parses a relayed text message; null for anything that is not a whole copy of `doc`. */
export function parseWholeMessage(text: string, doc: string): WholeMessage | null {
  return parseFor(wholeMessageSchema, text, doc);
}

export interface CollabSessionOptions {
  doc: string;
  id: string;
  /** The text everyone starts from. */
  initial?: string;
  send: (message: CollabMessage) => void;
}

export class CollabSession {
  readonly #options: CollabSessionOptions;
  /** Final forms of every relayed edit, in the server's order, with their authors. */
  readonly #log: { from: string; edit: Edit }[] = [];
  #text: string;
  #inFlight: Edit | null = null;
  #buffer: Edit = [];

  constructor(options: CollabSessionOptions) {
    this.#options = options;
    this.#text = options.initial ?? '';
  }

  /** What this editor shows: the agreed document plus its own unconfirmed edits. */
  get text(): string {
    return this.#text;
  }

  /** How many relayed edits this editor has applied. */
  get revision(): number {
    return this.#log.length;
  }

  /** Edits typed here that the server has not relayed back yet. */
  get pending(): number {
    return (this.#inFlight ? 1 : 0) + (this.#buffer.length > 0 ? 1 : 0);
  }

  /** The learner typed: apply at once, send when nothing else is in flight. */
  local(edit: Edit): void {
    if (edit.length === 0) return;
    this.#text = apply(this.#text, edit);
    if (this.#inFlight) this.#buffer = compact([...this.#buffer, ...edit]);
    else this.#flush(edit);
  }

  /**
   * A relayed message arrived. Returns the edit applied to this editor's text
   * (empty for its own edit coming back), so a view can move its caret.
   */
  receive(message: CollabMessage): Edit {
    if (message.doc !== this.#options.doc) return [];
    if (message.base > this.#log.length) throw new Error(`edit from ${message.from} is based on revision ${message.base}, past ${this.#log.length}`);
    let edit: Edit = message.ops;
    for (const entry of this.#log.slice(message.base)) [edit] = transform(edit, entry.edit, false);
    this.#log.push({ from: message.from, edit });
    if (message.from === this.#options.id) {
      this.#inFlight = null;
      const next = this.#buffer;
      this.#buffer = [];
      if (next.length > 0) this.#flush(next);
      return [];
    }
    // Someone else's edit, ordered before ours: ours move past it, it past ours.
    let remote = edit;
    if (this.#inFlight) [this.#inFlight, remote] = transform(this.#inFlight, remote, false);
    if (this.#buffer.length > 0) [this.#buffer, remote] = transform(this.#buffer, remote, false);
    this.#text = apply(this.#text, remote);
    return remote;
  }

  #flush(edit: Edit): void {
    this.#inFlight = edit;
    this.#options.send({ doc: this.#options.doc, from: this.#options.id, base: this.#log.length, ops: [...edit] });
  }
}
