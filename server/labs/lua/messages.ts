import type { LuaLogLevel } from './vm.ts';

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
