import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';

/**
 * What the lab API needs from an engine, and nothing more: the API never
 * knows which language or runtime serves a lab, so the TypeScript engine of
 * part 2 (a child process behind a proxy) is one more folder beside lua/.
 */

export interface LabLogLine {
  /** ms since the epoch. */
  time: number;
  /** nginx's level names for Lua ("error", "warn", "info"…); "stdout"/"stderr" for process engines. */
  level: string;
  text: string;
  /** The learner's line, when the engine knows it. */
  line: number | null;
  /**
   * The line's number in its lab server's log, from 1, set by LabLog: it keeps its number as older
   * lines are dropped, so a reader that asks for the lines after the last number it has (GET
   * …/log?after=N) gets each new line once, and counts the ones that went before it read them.
   */
  seq?: number;
}

/** Sees the bytes of one lab connection, for the inspector and the diagram. */
export interface WireTap {
  read(chunk: Uint8Array): void;
  wrote(chunk: Uint8Array): void;
  end(code: number, reason: string, how: 'clean' | 'abnormal' | 'shutdown'): void;
}

export interface LabServer {
  /** e.g. "Lua 5.4, embedded". */
  readonly engine: string;
  /** A client's upgrade request to /labs/<id>/…, headers untouched. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tap: WireTap | null): void;
  readonly connections: number;
  /** Every log line so far, oldest first, within a LabLog's bounds (each line cut, the oldest dropped). */
  readonly log: readonly LabLogLine[];
  onLog(listener: (line: LabLogLine) => void): () => void;
  /** Closes every connection (1001) and ends the server; resolves when all is released. */
  stop(): Promise<void>;
  /** Resolves when the server ends, by stop() or by itself (the VM failed, stopped answering). */
  readonly ended: Promise<void>;
  /** Bytes the server's runtime holds, when the engine can tell. */
  memory(): Promise<number | null>;
}

export interface LabOptions {
  /** lua_shared_dict names the lab declares. */
  sharedDicts: readonly string[];
}

export type StartResult =
  | { ok: true; server: LabServer }
  /** Nothing started: a syntax error, or (TypeScript) an import a lab may not use, at the learner's line. */
  | { ok: false; error: 'syntax' | 'import'; line: number; message: string };

export interface Engine {
  /** The `language` a POST names. */
  readonly language: string;
  /** Shown to the learner: which engine ran. */
  readonly label: string;
  start(code: string, options: LabOptions): Promise<StartResult>;
  /** Releases what the engine keeps between labs (a booted spare worker). */
  dispose?(): Promise<void>;
}

/**
 * A connection whose lab server has ended it gets this long to send what its client has not read yet
 * (the last frames, the close frame); a client that does not read them by then is cut.
 */
export const LAB_FLUSH_MS = 1000;

/** Keeps a log capped: the oldest lines go first. */
export const LAB_LOG_LINES = 2000;
/** Characters of one line's text a log keeps; a longer line is cut, and says how many characters went. */
export const LAB_LOG_LINE_CHARS = 4096;
/** Bytes a whole log may hold (each line's UTF-8 text, level and JSON framing): the oldest lines go first. */
export const LAB_LOG_BYTES = 1024 * 1024;
/**
 * What a line costs beyond its text and level: the rest of its JSON on GET /log, at most 74 bytes
 * (`{"time":…,"level":"","text":"","line":123456,"seq":123456789}` and its newline).
 */
const LINE_FRAME_BYTES = 80;
/** Room kept at the end of a cut line for its marker, so a cut line stays within LAB_LOG_LINE_CHARS. */
const MARKER_ROOM = 48;

/**
 * A log line's text as a log keeps it: whole when it fits in LAB_LOG_LINE_CHARS, else its start and
 * " … [N more characters cut]", N counting `alreadyCut` (characters a reader dropped before this).
 * Always a copy: a slice would hold the whole original string in memory.
 */
export function cutLogText(text: string, alreadyCut = 0): string {
  if (alreadyCut === 0 && text.length <= LAB_LOG_LINE_CHARS) return copyString(text);
  let keep = Math.min(text.length, LAB_LOG_LINE_CHARS - MARKER_ROOM);
  // Never half of a surrogate pair.
  const last = text.charCodeAt(keep - 1);
  if (keep < text.length && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return copyString(`${text.slice(0, keep)} … [${text.length - keep + alreadyCut} more characters cut]`);
}

/** A flat copy: V8 keeps a slice (or a concatenation) of a string as a view that holds the whole original. */
function copyString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** What a line counts for against LAB_LOG_BYTES. */
function lineBytes(line: LabLogLine): number {
  return Buffer.byteLength(line.text, 'utf8') + line.level.length + LINE_FRAME_BYTES;
}

/**
 * A lab server's log, kept in bounds whatever the learner's code prints: each line's text is cut
 * to LAB_LOG_LINE_CHARS, and the oldest lines go once there are LAB_LOG_LINES of them or they hold
 * LAB_LOG_BYTES. Every engine keeps its log in one.
 */
export class LabLog {
  readonly lines: LabLogLine[] = [];
  #bytes = 0;
  /** The number of the newest line: every line ever added, dropped ones too. */
  #seq = 0;
  readonly #listeners = new Set<(line: LabLogLine) => void>();

  /** What the lines hold now, as counted against LAB_LOG_BYTES. */
  get bytes(): number {
    return this.#bytes;
  }

  onLog(listener: (line: LabLogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Keeps the line (cut, if it is long) and tells every listener. */
  add(line: LabLogLine): void {
    this.#seq += 1;
    const kept: LabLogLine = { time: line.time, level: line.level, text: cutLogText(line.text), line: line.line, seq: this.#seq };
    this.lines.push(kept);
    this.#bytes += lineBytes(kept);
    while (this.lines.length > LAB_LOG_LINES || this.#bytes > LAB_LOG_BYTES) {
      const gone = this.lines.shift();
      if (gone === undefined) break;
      this.#bytes -= lineBytes(gone);
    }
    for (const listener of this.#listeners) listener(kept);
  }
}

/**
 * The lines of a log numbered above `after` (LabLogLine.seq), oldest first, in a new array: all of
 * them when the line after `after` was already dropped. A line without a number counts as its place from 1.
 */
export function linesAfter(lines: readonly LabLogLine[], after: number): LabLogLine[] {
  // The numbers run on without a gap (only the oldest lines go), so the first one places the rest.
  const first = lines[0]?.seq ?? 1;
  return lines.slice(Math.min(lines.length, Math.max(0, after - first + 1)));
}

/**
 * Splits what a child process writes into lines (\n, \r\n or \r, as readline does), keeping at most
 * `max` characters of each: the rest of a line is counted, not kept, so a line with no end in sight
 * holds no more than that. `each` gets the kept start and how many characters were dropped.
 */
export function readLines(stream: Readable, max: number, each: (text: string, cut: number) => void): void {
  stream.setEncoding('utf8');
  let parts: string[] = [];
  let kept = 0;
  let cut = 0;
  let crLast = false;
  const take = (piece: string): void => {
    const room = max - kept;
    if (piece.length <= room) {
      if (piece.length > 0) parts.push(piece);
      kept += piece.length;
    } else {
      if (room > 0) parts.push(piece.slice(0, room));
      kept = max;
      cut += piece.length - room;
    }
  };
  const flush = (): void => {
    const text = parts.join('');
    const dropped = cut;
    parts = [];
    kept = 0;
    cut = 0;
    each(text, dropped);
  };
  stream.on('data', (chunk: string) => {
    let at = 0;
    // A \r\n split across two chunks is one line end.
    if (crLast && chunk.startsWith('\n')) at = 1;
    crLast = false;
    const eol = /\r\n|\r|\n/g;
    eol.lastIndex = at;
    for (let match = eol.exec(chunk); match !== null; match = eol.exec(chunk)) {
      take(chunk.slice(at, match.index));
      flush();
      at = match.index + match[0].length;
      crLast = match[0] === '\r' && at === chunk.length;
    }
    take(chunk.slice(at));
  });
  stream.on('end', () => {
    if (kept > 0 || cut > 0) flush();
  });
}
