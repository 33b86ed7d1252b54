import { readFileSync } from 'node:fs';
import { LuaFactory } from 'wasmoon';

/**
 * One Lua 5.4 VM (wasmoon) running runtime.lua: the embedded OpenResty
 * worker. Synchronous and I/O-free: every call feeds one event in, the VM runs
 * every coroutine that can run, and the effects come out through `sink`. The
 * worker thread (worker.ts) wires it to messages; unit tests wire it to arrays.
 */

const RUNTIME = readFileSync(new URL('./runtime.lua', import.meta.url), 'utf8');
const CJSON = readFileSync(new URL('./cjson.lua', import.meta.url), 'utf8');

/** nginx's log levels by number, as ngx.ERR etc. */
export const LUA_LOG_LEVELS = ['stderr', 'emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'] as const;
export type LuaLogLevel = (typeof LUA_LOG_LEVELS)[number];

export interface VmSink {
  log(level: LuaLogLevel, text: string, line: number | null): void;
  /** Bytes for the client of `conn`. */
  send(conn: string, bytes: Buffer): void;
  /**
   * After a send: the client of `conn` has more unsent bytes than a socket buffer would hold, so the
   * sender waits (until `writable(conn)`, or its send timeout). Absent: sends never wait.
   */
  full?(conn: string): boolean;
  /** server:new() accepted the handshake: write the 101. */
  accept(conn: string, protocol: string | null): void;
  /** The request ended: status 0 after the handshake (close the TCP connection), 444 (drop), or an HTTP status to answer with. */
  finish(conn: string, status: number): void;
}

export interface VmOptions {
  /** Instructions one resume may run before it is stopped as an endless loop. */
  budget: number;
  /** Bytes the VM may allocate. */
  memoryMax: number;
  /** The course's Lua modules, by require name. */
  modules: Record<string, string>;
  /** lua_shared_dict names. */
  sharedDicts: readonly string[];
  now: () => number;
  pid: number;
}

export type CompileResult = { ok: true } | { ok: false; line: number; message: string };

interface Runtime {
  compile(source: string): string | null;
  add_module(name: string, source: string): void;
  add_builtin(name: string, source: string): void;
  declare_dict(name: string): void;
  request(conn: string, method: string, uri: string, query: string, headers: string[][], args: string[][]): number;
  data(conn: string, hex: string): number;
  eof(conn: string): number;
  abort(conn: string): number;
  writable(conn: string): number;
  tick(): number;
  memory(): number;
}

export interface LuaVm {
  compile(source: string): CompileResult;
  request(conn: string, req: { method: string; uri: string; query: string; headers: [string, string][]; args: [string, string][] }): void;
  data(conn: string, bytes: Uint8Array): void;
  eof(conn: string): void;
  abort(conn: string): void;
  /** The client of `conn` took enough of what was sent: a handler waiting in a send goes on. */
  writable(conn: string): void;
  /** Runs what is due at `now()`. */
  tick(): void;
  /** The earliest deadline a parked coroutine waits for (ms, `now()`'s clock), or null. */
  readonly deadline: number | null;
  memoryUsed(): number;
  /** lua_shared_dict names, declared when the lab's code is loaded. */
  declareDicts(names: readonly string[]): void;
}

export async function createLuaVm(options: VmOptions, sink: VmSink): Promise<LuaVm> {
  const factory = new LuaFactory();
  const lua = await factory.createEngine({ openStandardLibs: true, injectObjects: false, enableProxy: false, traceAllocations: true });
  lua.global.set('__host', {
    budget: options.budget,
    pid: options.pid,
    now: options.now,
    log: (level: number, text: string, line: number) =>
      sink.log(LUA_LOG_LEVELS[level] ?? 'notice', text, line > 0 ? line : null),
    send: (conn: string, hex: string) => {
      sink.send(conn, Buffer.from(hex, 'hex'));
      return sink.full?.(conn) === true;
    },
    accept: (conn: string, protocol: string) => sink.accept(conn, protocol === '' ? null : protocol),
    finish: (conn: string, status: number) => sink.finish(conn, status),
  });
  const rt = lua.doStringSync(RUNTIME) as Runtime;
  rt.add_builtin('cjson', CJSON);
  rt.add_builtin('cjson.safe', CJSON);
  for (const [name, source] of Object.entries(options.modules)) rt.add_module(name, source);
  for (const name of options.sharedDicts) rt.declare_dict(name);
  // After the runtime is in: the cap is for the learner's code.
  lua.global.setMemoryMax(options.memoryMax);

  let deadline: number | null = null;
  const after = (next: number): void => {
    deadline = next < 0 ? null : next;
  };
  return {
    compile(source) {
      const result = rt.compile(source);
      if (result === null || result === undefined) return { ok: true };
      const tab = result.indexOf('\t');
      return { ok: false, line: Number(result.slice(0, tab)), message: result.slice(tab + 1) };
    },
    request(conn, req) {
      after(rt.request(conn, req.method, req.uri, req.query, req.headers, req.args));
    },
    data(conn, bytes) {
      after(rt.data(conn, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')));
    },
    eof(conn) {
      after(rt.eof(conn));
    },
    abort(conn) {
      after(rt.abort(conn));
    },
    writable(conn) {
      after(rt.writable(conn));
    },
    tick() {
      after(rt.tick());
    },
    get deadline() {
      return deadline;
    },
    memoryUsed: () => lua.global.getMemoryUsed(),
    declareDicts(names) {
      for (const name of names) rt.declare_dict(name);
    },
  };
}
