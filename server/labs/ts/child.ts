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
import { writeSync } from 'node:fs';
import { registerHooks } from 'node:module';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [labFile = '', wsUrl = '', loopMark = ''] = process.argv.slice(2);
const labUrl = pathToFileURL(labFile).href;
const ALLOWED = new Set(['ws', 'node:events', 'node:crypto', 'node:timers/promises', 'events', 'crypto', 'timers/promises']);

function send(message: Record<string, unknown>): void {
  try {
    writeSync(3, `${JSON.stringify(message)}\n`);
  } catch {
    // The companion is gone or not reading: nothing left to tell.
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

// Tells the companion which port to proxy to, once the learner's server listens.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
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

const exit = process.exit.bind(process);
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

// ws is loaded while the spare waits, not after Run.
await import(wsUrl);
const port = await new Promise<number>((resolve) => {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    const end = input.indexOf('\n');
    if (end < 0) return;
    process.stdin.pause();
    process.stdin.unref();
    resolve((JSON.parse(input.slice(0, end)) as { port: number }).port);
  });
});
process.env['PORT'] = String(port);
try {
  await import(labUrl);
} catch (error) {
  // Thrown while the module ran its top level: the same report as any uncaught exception.
  crashed(error, 'uncaughtException');
}
