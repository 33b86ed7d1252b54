import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

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
  /** Every log line so far (capped), oldest first. */
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

/** Keeps a log capped: the oldest lines go first. */
export const LAB_LOG_LINES = 2000;
