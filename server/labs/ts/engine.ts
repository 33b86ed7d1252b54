import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cutLogText, LAB_LOG_LINE_CHARS, readLines, type Engine, type LabServer, type StartResult, type WireTap } from '../engine.ts';
import { LAB_KEY_HEADER, newLabKey } from '../headers.ts';
import { NOT_LISTENING, ProxiedLabServer, proxyUpgrade } from '../proxy.ts';
import { LOOP_MARK, stripTypes } from './compile.ts';
import { createCompiler } from './compiler.ts';
import { V8Report } from './fatal.ts';
import { freePort } from '../port.ts';
import { cpuMs, residentBytes } from '../proc.ts';

/**
 * TypeScript `ws` servers: each lab server is a child process on the
 * companion's own Node, under Node's permission model (reads of its own file,
 * the bootstrap and ws only; no writes, child processes, workers or addons),
 * with a heap cap, a memory cap and a liveness watchdog. The learner's code
 * listens on process.env.PORT (loopback); the companion proxies /labs/<id>
 * to it byte for byte, so the wire tap and the checks see what it sent.
 */

export const TS_LIMITS = {
  /** V8's old space in the child (--max-old-space-size). */
  heapMiB: 64,
  /** Resident memory beyond this ends the server: buffers live outside the capped heap. */
  rssBytes: 256 * 1024 * 1024,
  /** No heartbeat for this long while the child keeps a core busy: the event loop is stuck (an endless loop). */
  stallMs: 1000,
  /** No heartbeat for this long whatever the CPU: a starved child on a loaded machine gets this much grace. */
  silentMs: 15_000,
  /** From spawn to the first heartbeat, generous for a loaded machine. */
  bootMs: 20_000,
  /** From the first heartbeat to the learner's server listening. */
  listenMs: 30_000,
  /** A compile that keeps the compile worker's core busy this long is stopped (compiler.ts): a warm one takes milliseconds. */
  compileMs: 5000,
  /** A compile is stopped after this long whatever the CPU: a starved compile worker gets this much grace. */
  compileStarvedMs: 30_000,
  /** V8's old space in the compile worker: TypeScript takes about 20 MiB of it, compiling the largest lab (128 K characters) some 40 MiB more. */
  compileHeapMiB: 256,
} as const;

/** Characters of one message from the child (fd 3, JSON): a console line longer than this is dropped, not read whole. */
const CHILD_MESSAGE_CHARS = 4 * 1024 * 1024;
/** Once the child has exited, the longest wait for its pipes to close (they hold its last lines) before saying why it ended. */
const LAST_LINES_MS = 1000;

/** Said when the heap reached its cap (V8's report on stderr says so): what happened, and where to look. */
const OUT_OF_MEMORY =
  `your server ran out of memory (its heap is capped at ${TS_LIMITS.heapMiB} MiB) and was stopped. ` +
  'Something in it only grows: an array, Map or string that gains on every message or timer tick and never lets go. ' +
  'Keep only what you need, then press Run again.';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/**
 * child.ts with its types erased, once per companion: Node would erase them at every boot of a
 * child, 55 ms of its 136 ms of CPU. Each spare gets a copy in its own folder. Strip mode blanks
 * the types, so a line in the copy is the same line in child.ts.
 */
let childJs: string | undefined;
const require = createRequire(import.meta.url);
const WS_DIR = realpathSync(dirname(require.resolve('ws/package.json')));
const WS_VERSION = (JSON.parse(readFileSync(join(WS_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const WS_ENTRY = pathToFileURL(join(WS_DIR, 'wrapper.mjs')).href;

/** A child booted with ws loaded and no code yet, in its own directory. */
function spawnSpare(label: string): TsLabServer {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'full-duplex-ts-lab-')));
  const file = join(dir, 'lab.mjs');
  const bootstrap = join(dir, 'child.mjs');
  try {
    childJs ??= stripTypes(readFileSync(CHILD, 'utf8'));
    writeFileSync(bootstrap, childJs);
  } catch (error) {
    // A full disk: no spare this time, and no empty folder left behind.
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const child = spawn(
    process.execPath,
    [
      '--permission',
      `--allow-fs-read=${bootstrap}`,
      `--allow-fs-read=${file}`,
      `--allow-fs-read=${WS_DIR}`,
      `--max-old-space-size=${TS_LIMITS.heapMiB}`,
      '--disable-warning=ExperimentalWarning',
      bootstrap,
      file,
      WS_ENTRY,
      LOOP_MARK,
    ],
    // Nothing of the companion's environment (tokens, paths): PORT is set when the lab starts.
    { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: { WS_NO_BUFFER_UTIL: '1', WS_NO_UTF_8_VALIDATE: '1' }, cwd: dir },
  );
  return new TsLabServer(child, dir, label);
}

export function tsEngine(): Engine & { dispose(): Promise<void> } {
  const label = `TypeScript: Node ${process.versions.node}, ws ${WS_VERSION}`;
  // One booted child waits for the next Run, as the Lua engine keeps a spare worker: Run then costs no Node boot.
  let spare: TsLabServer | null = null;
  const take = (): TsLabServer => {
    const next = spare !== null && !spare.gone ? spare : spawnSpare(label);
    spare = null;
    try {
      spare = spawnSpare(label);
      spare.hold(false);
    } catch {
      // No spare this time (no temp folder to be had): the next Run spawns its own. This one is taken.
    }
    return next;
  };
  // Started on the first Run (a Lua-only session never pays for TypeScript), then kept, TypeScript loaded.
  const compiler = createCompiler({
    compileMs: TS_LIMITS.compileMs,
    compileStarvedMs: TS_LIMITS.compileStarvedMs,
    heapMiB: TS_LIMITS.compileHeapMiB,
    bootMs: TS_LIMITS.bootMs,
  });
  return {
    language: 'ts',
    label,
    async start(code): Promise<StartResult> {
      // In the compile worker, never on the companion's thread: some code takes the compiler minutes.
      const compiled = await compiler.compile(code);
      if (!compiled.ok) return compiled;
      // The spare first, then once more in a child spawned now: a spare whose folder was cleaned away
      // (a tmp cleaner, a disk that filled) cannot take the learner's module, and one spawned before
      // the same cause may be no better. A child that failed is stopped, its folder removed with it.
      let failure: unknown = null;
      for (const next of [take, () => spawnSpare(label)]) {
        let server: TsLabServer | null = null;
        try {
          server = next();
          server.hold(true);
          await server.run(compiled.js, await freePort());
          return { ok: true, server };
        } catch (error) {
          failure = error;
          await server?.stop();
        }
      }
      // The learner reads this after "… engine could not start:" (api.ts): the error's code, not a temp path that means nothing to them.
      const errno = (failure as NodeJS.ErrnoException | null)?.code;
      throw new Error(
        `a Node process could not be prepared for your server, twice${errno ? ` (${errno})` : ''}. Press Run to try again; if it keeps failing, restart the companion.`,
        { cause: failure },
      );
    },
    async dispose() {
      const waiting = spare;
      spare = null;
      await Promise.all([compiler.dispose(), waiting?.stop()]);
    },
  };
}

interface FromChild {
  t: 'hello' | 'beat' | 'listening' | 'log' | 'crash' | 'exit' | 'loop';
  port?: number;
  level?: string;
  text?: string;
  line?: number | null;
  kind?: 'exception' | 'rejection';
  code?: number | string;
}

class TsLabServer extends ProxiedLabServer implements LabServer {
  readonly engine: string;
  readonly ended: Promise<void>;
  /** What the proxy sends with each connection; the child takes no other (child.ts). */
  private readonly key = newLabKey();
  /** Resolves once the learner's server listens, or the process ended or never listened. */
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly dir: string;
  private readonly watchdog: NodeJS.Timeout;
  private port: number | null = null;
  private lastBeat: number | null = null;
  /** The child's CPU time (ms) at its last heartbeat. */
  private cpuAtBeat: number | null = null;
  private lastTick = Date.now();
  private readonly started = Date.now();
  private runAt = 0;
  /** Why the companion ended it, if it did: the exit is then not the learner's own. */
  private killedFor: { text: string; line: number | null } | null = null;
  /** The line of the learner's loop that held the event loop at the last stall (child.ts tells it). */
  private stuckAt: number | null = null;
  /** What the child said before it exited (a crash, process.exit): logged once it has ended, so the log never says "stopped" of a live server. */
  private lastWord: { text: string; line: number | null } | null = null;
  private markReady!: () => void;
  private running = false;
  /** V8's report when it ends the process (the heap ran out): held back from the log, said in words at the end. */
  private readonly report = new V8Report();

  constructor(child: ChildProcess, dir: string, label: string) {
    super();
    this.child = child;
    this.dir = dir;
    this.engine = label;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.ended = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        clearInterval(this.watchdog);
        // The last lines on the pipes (V8's report among them) arrive before the verdict on why it
        // ended: the pipes close once they are read, 'close' says so; a pipe held open is not waited for long.
        let done = false;
        const end = (): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.ending(code, signal);
          for (const socket of this.sockets) socket.destroy();
          rmSync(this.dir, { recursive: true, force: true });
          this.markReady();
          resolve();
        };
        const timer = setTimeout(end, LAST_LINES_MS);
        child.once('close', end);
      });
    });
    // A child that died before Run cannot read its line (EPIPE): its exit says why it ended, not an unhandled 'error'.
    child.stdin?.on('error', () => {});
    // Nor may a failed spawn or kill stop the companion: an 'error' with no listener would.
    child.on('error', () => {});
    this.lines(child.stdout, (text, cut) => this.push('stdout', cutLogText(text, cut), null));
    this.lines(child.stderr, (text, cut) => {
      for (const shown of this.report.take(cutLogText(text, cut))) this.push('stderr', shown, null);
    });
    this.lines(child.stdio[3] as Readable, (text, cut) => {
      if (cut > 0) {
        const level = /^\{"t":"log","level":"stdout"/.test(text) ? 'stdout' : 'stderr';
        this.push(level, `(a line of about ${text.length + cut} characters from your server was dropped: a line over ${CHILD_MESSAGE_CHARS} characters is not kept)`, null);
        return;
      }
      let message: FromChild;
      try {
        message = JSON.parse(text) as FromChild;
      } catch {
        return;
      }
      this.onMessage(message);
    }, CHILD_MESSAGE_CHARS);
    this.watchdog = setInterval(() => this.watch(), 100);
    this.watchdog.unref();
  }

  /** It exited (or was killed) before being used. */
  get gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** A spare must not keep the companion's process alive; a running lab does. */
  hold(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr, this.child.stdio[3]] as ({ ref?(): void; unref?(): void } | null)[]) {
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Writes the learner's module and lets the child import it; resolves once it listens (or ended, or never listened). */
  async run(js: string, port: number): Promise<void> {
    writeFileSync(join(this.dir, 'lab.mjs'), js);
    this.running = true;
    this.runAt = Date.now();
    this.child.stdin?.end(`${JSON.stringify({ port, key: this.key, header: LAB_KEY_HEADER })}\n`);
    await this.ready;
  }

  /** Each line the child writes: its first `max` characters, and how many more it had (readLines). */
  private lines(stream: Readable | null | undefined, each: (line: string, cut: number) => void, max = LAB_LOG_LINE_CHARS): void {
    if (!stream) return;
    readLines(stream, max, each);
  }

  private push(level: string, text: string, line: number | null): void {
    // A line from elsewhere: stderr lines held back as a possible start of V8's report were not one.
    if (level !== 'stderr') for (const held of this.report.flush()) this.addLog({ time: Date.now(), level: 'stderr', text: held, line: null });
    // The child's file is the learner's: name it as they know it.
    const shown = text.split(pathToFileURL(join(this.dir, 'lab.mjs')).href).join('lab.ts').split(join(this.dir, 'lab.mjs')).join('lab.ts');
    this.addLog({ time: Date.now(), level, text: shown, line: line ?? lineIn(shown) });
  }

  private onMessage(message: FromChild): void {
    if (message.t === 'hello' || message.t === 'beat') {
      this.lastBeat = Date.now();
      // The event loop turned: whatever loop held it has ended.
      this.stuckAt = null;
      this.cpuAtBeat = cpuMs(this.child.pid);
    } else if (message.t === 'listening' && typeof message.port === 'number') {
      this.port = message.port;
      this.markReady();
    } else if (message.t === 'log') {
      this.push(message.level === 'stderr' ? 'stderr' : 'stdout', message.text ?? '', message.line ?? null);
    } else if (message.t === 'crash') {
      const what = message.kind === 'rejection' ? 'a promise was rejected and nothing caught it' : 'an exception was thrown and nothing caught it';
      this.lastWord = { text: `${message.text ?? ''} — ${what}, so your server stopped. Add a try/catch or an 'error' listener, then press Run again.`, line: message.line ?? null };
    } else if (message.t === 'loop' && typeof message.line === 'number') {
      this.stuckAt = message.line;
    } else if (message.t === 'exit') {
      this.lastWord = { text: `your server called process.exit(${String(message.code ?? '')}) and stopped; a server should keep running: press Run again.`, line: message.line ?? null };
    }
  }

  private watch(): void {
    const now = Date.now();
    // The companion's own timer ran late (a busy machine): that says nothing about the child.
    const late = now - this.lastTick > 400;
    this.lastTick = now;
    if (late && this.lastBeat !== null) this.lastBeat = now;
    if (this.lastBeat === null) {
      if (now - this.started > TS_LIMITS.bootMs) this.kill('the lab server did not start in time; press Run to try again.');
      return;
    }
    const rss = residentBytes(this.child.pid);
    if (rss !== null && rss > TS_LIMITS.rssBytes) {
      this.kill(`your server used more than ${TS_LIMITS.rssBytes / 1024 / 1024} MiB of memory and was stopped.`);
      return;
    }
    const silence = now - this.lastBeat;
    // Silent and busy is an endless loop; silent and idle is a starved child on a loaded machine, which gets longer.
    const cpu = cpuMs(this.child.pid);
    const busy = cpu === null || this.cpuAtBeat === null || cpu - this.cpuAtBeat >= silence / 2;
    if ((silence > TS_LIMITS.stallMs && busy) || silence > TS_LIMITS.silentMs) {
      if (rss !== null && rss > TS_LIMITS.rssBytes / 2) {
        this.kill(`your server stopped responding while its memory grew to ${Math.round(rss / 1024 / 1024)} MiB (a memory bomb?) and was stopped.`);
        return;
      }
      const where = this.stuckAt === null ? '(an endless loop, or a long synchronous task?)' : `(the loop on line ${this.stuckAt} did not end)`;
      this.kill(`your server stopped responding for ${Math.round(silence / 1000)} s ${where} and was stopped. Node runs one thing at a time: a loop that never ends blocks every connection.`, this.stuckAt);
      return;
    }
    if (this.running && this.port === null && now - this.runAt > TS_LIMITS.listenMs) {
      this.push('error', `your server is not listening yet after ${TS_LIMITS.listenMs / 1000} s: create it with new WebSocketServer({ port: Number(process.env.PORT) }).`, null);
      this.runAt = Number.POSITIVE_INFINITY;
      this.markReady();
    }
  }

  private kill(why: string, line: number | null = null): void {
    if (this.killedFor !== null || this.child.exitCode !== null) return;
    this.killedFor = { text: why, line };
    this.child.kill('SIGKILL');
  }

  private ending(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.killedFor !== null) {
      this.push('error', this.killedFor.text, this.killedFor.line);
      return;
    }
    if (this.lastWord) {
      this.push('error', this.lastWord.text, this.lastWord.line);
      return;
    }
    if (this.report.outOfMemory) {
      // What happened and what to do first; of V8's report, only its reason.
      this.push('error', OUT_OF_MEMORY, null);
      if (this.report.reason !== null) this.push('stderr', this.report.reason, null);
      return;
    }
    if (this.port === null && code === 0) this.push('error', 'your server ended without listening: create it with new WebSocketServer({ port: Number(process.env.PORT) }).', null);
    else if (code === 0) this.push('error', 'your server ended: nothing was left running (was the server closed?).', null);
    else this.push('error', `your server ended (${signal ?? `exit code ${code}`}).`, null);
    // Another fatal error of V8's: its reason after the verdict, its stack left out.
    if (this.report.reason !== null) this.push('stderr', this.report.reason, null);
  }

  memory(): Promise<number | null> {
    return Promise.resolve(residentBytes(this.child.pid));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tap: WireTap | null): void {
    if (this.port === null || this.child.exitCode !== null) {
      socket.end(NOT_LISTENING);
      return;
    }
    proxyUpgrade({ req, socket, head, tap, port: this.port, key: this.key, sockets: this.sockets });
  }

  async stop(): Promise<void> {
    this.goingAway();
    // A spare is unref'd: stopped as the companion shuts down, nothing else may keep the process
    // alive until its exit is seen, and Node would end before its folder is removed.
    this.hold(true);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.killedFor ??= { text: 'the lab server was stopped.', line: null };
      this.child.kill('SIGKILL');
    }
    await this.ended;
  }
}

/** A stack line's position in lab.mjs is the learner's line: types are blanked in place. */
function lineIn(text: string): number | null {
  const match = /lab\.(?:mjs|ts):(\d+)/.exec(text);
  return match ? Number(match[1]) : null;
}
