import type { LuaLogLevel } from './vm.ts';

/** What the main thread hands a new lab worker. */
export interface WorkerInit {
  code: string;
  budget: number;
  memoryMax: number;
  sharedDicts: string[];
}

export type ToWorker =
  | { t: 'request'; conn: string; method: string; uri: string; query: string; headers: [string, string][]; args: [string, string][] }
  | { t: 'data'; conn: string; bytes: Uint8Array }
  | { t: 'eof'; conn: string }
  | { t: 'abort'; conn: string }
  | { t: 'ping'; n: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'syntax'; line: number; message: string }
  | { t: 'fatal'; message: string }
  | { t: 'log'; time: number; level: LuaLogLevel; text: string; line: number | null }
  | { t: 'send'; conn: string; bytes: Uint8Array }
  | { t: 'accept'; conn: string; protocol: string | null }
  | { t: 'finish'; conn: string; status: number }
  | { t: 'pong'; n: number; memory: number };
