/**
 * Runs in the lab's child process, before the learner's module: it is the
 * only code there besides theirs and ws. It talks to the companion over fd 3
 * in JSON lines written synchronously, so the last word before an exit (a
 * crash, process.exit) is never lost in a buffer.
 *
 * argv: <lab.mjs path> <ws entry URL> <loop mark name (compile.ts LOOP_MARK)>. The process starts before the
 * learner presses Run (a spare, so Run costs no Node boot): it waits for one
 * line on stdin, {"port":N}, then sets PORT and imports lab.mjs, which the
 * companion has written by then. Nothing from the companion's environment
 * is passed in.
 */
import { timingSafeEqual } from 'node:crypto';
import { writeSync } from 'node:fs';
import http from 'node:http';
import { registerHooks } from 'node:module';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [labFile = '', wsUrl = '', loopMark = ''] = process.argv.slice(2);
const labUrl = pathToFileURL(labFile).href;
const ALLOWED = new Set(['ws', 'node:events', 'node:crypto', 'node:timers/promises', 'events', 'crypto', 'timers/promises']);

const exit = process.exit.bind(process);

function send(message: Record<string, unknown>): void {
  try {
    writeSync(3, `${JSON.stringify(message)}\n`);
  } catch (error) {
    // The companion is gone (killed, crashed): a lab server must not outlive it, listening on with no
    // one to stop it. The heartbeat writes every 100 ms, so this is noticed within that. Any other
    // failure (a full pipe) loses one line only.
    if ((error as { code?: string }).code === 'EPIPE') exit(0);
  }
}

/** The learner's line in a stack: lab.mjs keeps their lines (types are blanked, not removed). */
function lineIn(stack: string | undefined): number | null {
  if (!stack) return null;
  const at = stack.indexOf(labUrl);
  if (at < 0) return null;
  const match = /^:(\d+):\d+/.exec(stack.slice(at + labUrl.length));
  return match ? Number(match[1]) : null;
}

function clean(text: string): string {
  return text.split(labUrl).join('lab.ts');
}

send({ t: 'hello' });
let beatAt = Date.now();
setInterval(() => {
  beatAt = Date.now();
  send({ t: 'beat' });
}, 100).unref();

/**
 * Every loop of the learner's calls this each turn (compile.ts markLoops).
 * When the heartbeat above has not run for half the companion's stall limit,
 * this loop is what holds the event loop: its line is told once per stall,
 * synchronously, since nothing queued would ever run. The companion decides
 * whether to end the server; this only says where it is stuck.
 */
const STUCK_MS = 500;
let turns = 0;
let toldFor = -1;
Object.defineProperty(globalThis, loopMark, {
  value: (line: number): void => {
    // Date.now() every 1024 turns: a tight loop pays a counter, not a clock read.
    if ((++turns & 1023) !== 0 || toldFor === beatAt) return;
    if (Date.now() - beatAt > STUCK_MS) {
      toldFor = beatAt;
      send({ t: 'loop', line });
    }
  },
});

// A second check at run time: the static one covers import declarations, this covers the rest.
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (context.parentURL === labUrl) {
      if (specifier === 'ws') return { url: wsUrl, format: 'module', shortCircuit: true };
      if (!ALLOWED.has(specifier)) throw new Error(`"${specifier}" cannot be imported in a lab`);
    }
    return nextResolve(specifier, context);
  },
});

/**
 * Tells the companion which port to proxy to, once the learner's server listens; and keeps it on
 * loopback: `new WebSocketServer({ port })` listens on every interface, where other machines would
 * reach the learner's server past the companion's checks. Only the companion's proxy connects to it.
 */
const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') args[1] = LOOPBACK;
    else args.splice(1, 0, LOOPBACK);
  } else if (first !== null && typeof first === 'object' && 'port' in first) {
    args[0] = { ...first, host: LOOPBACK };
  }
  this.once('listening', () => {
    const address = this.address();
    if (address && typeof address === 'object') send({ t: 'listening', port: address.port });
  });
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof listen;

for (const [method, level] of [
  ['log', 'stdout'],
  ['info', 'stdout'],
  ['debug', 'stdout'],
  ['warn', 'stderr'],
  ['error', 'stderr'],
] as const) {
  console[method] = (...args: unknown[]) => {
    send({ t: 'log', level, text: clean(format(...args)), line: lineIn(new Error().stack) });
  };
}

process.exit = ((code?: number | string | null) => {
  send({ t: 'exit', code: code ?? process.exitCode ?? 0, line: lineIn(new Error().stack) });
  exit(code);
}) as typeof process.exit;

function crashed(error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void {
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  const head = error instanceof Error ? `${error.name}: ${error.message}` : `a non-Error value was thrown: ${format(error)}`;
  const code = (error as { code?: unknown } | null)?.code;
  send({
    t: 'crash',
    kind: origin === 'unhandledRejection' ? 'rejection' : 'exception',
    text: clean(typeof code === 'string' && !head.includes(code) ? `${head} (${code})` : head),
    line: lineIn(stack),
  });
  exit(1);
}
process.on('uncaughtException', crashed);

/**
 * What the permission model leaves open and a lab must not have, set just before the learner's
 * module runs (ws has loaded by then):
 * - signals: process.kill (and the binding it calls) reach any process of the user, the companion
 *   and its process group included; a lab may signal itself only;
 * - process.getBuiltinModule, a way around the import check above;
 * - connections without the lab's key: another lab's code can reach this port on 127.0.0.1, past the
 *   companion's check of who owns the lab; the proxy sends the key, which is taken out here;
 * - connections of its own: a lab server takes connections, and no lab opens one, while a socket
 *   out (the ws client, fetch, a Socket reached through ws) would reach every service on the machine
 *   that trusts loopback (another lab, a Redis without a password). Every one goes through
 *   net.Socket's connect, which is refused.
 */
function guard(labKey: string, keyHeader: string): void {
  const rawKill = (process as unknown as { _kill(pid: number, signal: number): number })._kill.bind(process);
  const EPERM = -1;
  Object.defineProperty(process, '_kill', {
    value: (pid: number, signal: number): number => (pid === process.pid ? rawKill(pid, signal) : EPERM),
  });
  const kill = process.kill.bind(process);
  Object.defineProperty(process, 'kill', {
    value: (pid: number, signal?: string | number): true => {
      if (pid !== process.pid) throw new Error('process.kill can signal only your own server (process.pid) in a lab');
      return kill(pid, signal);
    },
  });
  const builtin = process.getBuiltinModule.bind(process);
  Object.defineProperty(process, 'getBuiltinModule', {
    value: (id: string): unknown => {
      if (!ALLOWED.has(id)) throw new Error(`"${id}" cannot be used in a lab`);
      return builtin(id);
    },
  });
  // As a refused connection fails: an 'error' on the socket, which the client's own error handling sees.
  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: function refused(this: net.Socket): net.Socket {
      process.nextTick(() => this.destroy(new Error('a lab server takes connections but cannot open its own (a WebSocket client, fetch, http or net)')));
      return this;
    },
  });
  const expected = Buffer.from(labKey);
  const keyed = (req: http.IncomingMessage): boolean => {
    const got = Buffer.from(String(req.headers[keyHeader] ?? ''));
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return false;
    Reflect.deleteProperty(req.headers, keyHeader);
    for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) if (req.rawHeaders[i]?.toLowerCase() === keyHeader) req.rawHeaders.splice(i, 2);
    return true;
  };
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function keyedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if ((event === 'upgrade' || event === 'request') && !keyed(args[0] as http.IncomingMessage)) {
      if (event === 'upgrade') (args[1] as Duplex).destroy();
      else (args[1] as http.ServerResponse).writeHead(403).end();
      return true;
    }
    return (emit as (...a: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof emit;
}

// ws is loaded while the spare waits, not after Run.
await import(wsUrl);
const { port, key, header } = await new Promise<{ port: number; key: string; header: string }>((resolve) => {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    const end = input.indexOf('\n');
    if (end < 0) return;
    process.stdin.pause();
    process.stdin.unref();
    resolve(JSON.parse(input.slice(0, end)) as { port: number; key: string; header: string });
  });
});
process.env['PORT'] = String(port);
guard(key, header);
try {
  await import(labUrl);
} catch (error) {
  // Thrown while the module ran its top level: the same report as any uncaught exception.
  crashed(error, 'uncaughtException');
}
