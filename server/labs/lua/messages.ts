import type { LuaLogLevel } from './vm.ts';

/**
 * Bytes of a connection's sends the companion may hold that its client has not taken yet: past this,
 * the handler's send waits until the client reads (or its send timeout), as nginx's send waits on a
 * full socket buffer, instead of the companion's memory growing with a client that does not read.
 */
export const SEND_BUFFER_BYTES = 256 * 1024;

/** What the main thread hands a new lab worker. */
export interface WorkerInit {
  budget: number;
  memoryMax: number;
}

export type ToWorker =
  | { t: 'load'; code: string; sharedDicts: string[] }
  | { t: 'request'; conn: string; method: string; uri: string; query: string; headers: [string, string][]; args: [string, string][] }
  | { t: 'data'; conn: string; bytes: Uint8Array }
  | { t: 'eof'; conn: string }
  | { t: 'abort'; conn: string }
  /** The socket has passed this many more bytes of the conn's sends to the kernel (or dropped them: the client is gone). */
  | { t: 'flushed'; conn: string; bytes: number }
  | { t: 'ping'; n: number };

export type FromWorker =
  | { t: 'booted' }
  | { t: 'ready' }
  | { t: 'syntax'; line: number; message: string }
  | { t: 'fatal'; message: string }
  | { t: 'log'; time: number; level: LuaLogLevel; text: string; line: number | null }
  | { t: 'send'; conn: string; bytes: Uint8Array }
  | { t: 'accept'; conn: string; protocol: string | null }
  | { t: 'finish'; conn: string; status: number }
  | { t: 'pong'; n: number; memory: number };
