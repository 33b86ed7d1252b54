import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { LAB_KEY_HEADER, newLabKey } from '../headers.ts';
import { ProxiedLabServer, proxyUpgrade } from '../proxy.ts';
import { LAB_LOG_LINE_CHARS, type Engine, type LabLogLine, type LabOptions, type LabServer, type StartResult, type WireTap } from '../engine.ts';
import { freePort } from '../port.ts';
import { cpuDemandMs, residentBytes } from '../proc.ts';
import { nginxWorkers, stopNginx, whenGone } from './process.ts';
import { NGINX_WATCH, WorkerWatchdog, type WorkerSeen } from './watchdog.ts';

/**
 * Lua on real OpenResty pieces from Debian: one nginx (one worker) per lab
 * server on a loopback port, the learner's handler as content_by_lua_file,
 * and the companion proxying /labs/<id> to it byte for byte (so the wire tap
 * and the checks see exactly what nginx sent).
 */
const NGINX = '/usr/sbin/nginx';
const LUA_MODULE = '/usr/lib/nginx/modules/ngx_http_lua_module.so';
const NDK_MODULE = '/usr/lib/nginx/modules/ndk_http_module.so';
const WEBSOCKET_LIB = '/usr/share/lua/5.1/nginx/websocket/server.lua';
const CJSON = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.1/cjson.so`;
export const OPENRESTY_INSTALL = 'sudo apt-get install -y nginx libnginx-mod-http-lua lua-nginx-websocket lua-cjson';
const SAMPLES = new URL('../../../samples/lua/', import.meta.url);
/**
 * VM instructions between two looks at where the learner's code runs (a count hook, which needs the JIT
 * off). Measured on 10^7 turns of `x = x + i % 7`: 20 ms with the JIT, 40 ms without, 59 ms with any
 * count hook set (LuaJIT then checks the count at every instruction), 64 ms with this one (87 ms at
 * 1,000): about 3 times the JIT's time, as for a mix of calls, strings and patterns. A loop whose every
 * turn spends long in a C function (a big cjson.encode) runs few instructions: it may not be seen in time.
 */
const LINE_HOOK_COUNT = 10_000;

/** How long nginx may take to test its conf, and then to answer its readiness probe. */
const START_DEADLINE_MS = 10_000;
/**
 * How much of nginx's stderr is kept (its verdict at -t, a syntax error in init_by_lua, why it did
 * not start). The pipe is read for the master's life, so the rest is read and dropped.
 */
const STDERR_KEPT = 64 * 1024;

/** A sink for a child's stderr that keeps its first STDERR_KEPT characters and reads the rest. */
export function keepStderr(child: Pick<ChildProcess, 'stderr'>): { text: () => string } {
  let kept = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (kept.length < STDERR_KEPT) kept += chunk.slice(0, STDERR_KEPT - kept.length);
  });
  return { text: () => kept };
}

/** The pieces that are missing, by path; empty when the engine can run. */
export function openRestyMissing(): string[] {
  return [NGINX, LUA_MODULE, NDK_MODULE, WEBSOCKET_LIB, CJSON].filter((path) => !existsSync(path));
}

function nginxVersion(): string {
  const out = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  return /nginx\/([\d.]+)/.exec(out.stderr)?.[1] ?? '?';
}

export function openRestyEngine(): Engine {
  const missing = openRestyMissing();
  if (missing.length > 0) {
    throw new Error(`--lua-engine openresty needs ${missing.join(', ')}. Install them with: ${OPENRESTY_INSTALL}`);
  }
  const nginx = `OpenResty: nginx ${nginxVersion()}, lua-nginx-module`;
  // lua-nginx-module's version is known only to a running nginx (ngx.config.ngx_lua_version):
  // the first lab server's readiness probe reports it, and the label says it from then on.
  let module: string | null = null;
  return {
    language: 'lua',
    get label() {
      return module ? `${nginx} ${module}` : nginx;
    },
    start: (code, lab) =>
      startNginxLab(code, lab, (version) => {
        module = version;
        return `${nginx} ${version}`;
      }),
  };
}

/** ngx.config.ngx_lua_version (10023) as lua-nginx-module's release name (0.10.23). */
export function luaModuleVersion(number: number): string {
  return `${Math.floor(number / 1_000_000)}.${Math.floor(number / 1000) % 1000}.${number % 1000}`;
}

async function startNginxLab(code: string, lab: LabOptions, label: (moduleVersion: string) => string): Promise<StartResult> {
  // World-readable: when the companion runs as root, nginx's workers run as nobody
  // and must still read the handler and the course's modules.
  const prefix = mkdtempSync(join(tmpdir(), 'full-duplex-lab-'));
  chmodSync(prefix, 0o755);
  const closed = process.getuid?.() === 0 ? unreachableAncestor(prefix) : null;
  if (closed) {
    rmSync(prefix, { recursive: true, force: true });
    throw new Error(
      `nginx's workers run as nobody and cannot enter ${closed} (every lab would answer 503). Give it o+x (chmod o+x ${closed}) or point TMPDIR at a folder they can reach, e.g. TMPDIR=/tmp`,
    );
  }
  for (const dir of ['logs', 'tmp', 'lua']) {
    mkdirSync(join(prefix, dir));
    chmodSync(join(prefix, dir), 0o777);
  }
  for (const file of readdirSync(SAMPLES)) {
    if (!/^[a-z_][a-z0-9_]*\.lua$/.test(file)) continue;
    copyFileSync(new URL(file, SAMPLES), join(prefix, 'lua', file));
    chmodSync(join(prefix, 'lua', file), 0o644);
  }
  const handler = join(prefix, 'handler.lua');
  writeFileSync(handler, code);
  chmodSync(handler, 0o644);
  const port = await freePort();
  const key = newLabKey();
  const conf = `load_module ${NDK_MODULE};
load_module ${LUA_MODULE};
daemon off;
worker_processes 1;
error_log ${prefix}/logs/error.log info;
pid ${prefix}/logs/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${prefix}/tmp;`).join('\n')}
  lua_package_path "/usr/share/lua/5.1/?.lua;${prefix}/lua/?.lua;;";
${lab.sharedDicts.map((name) => `  lua_shared_dict ${name} 1m;`).join('\n')}
  init_by_lua_block {
    -- Interpreted only: the count hook set in each worker (below) does not fire in JIT-compiled code.
    jit.off()
    for _, name in ipairs({ "server", "client", "protocol" }) do
      package.preload["resty.websocket." .. name] = function()
        return require("nginx.websocket." .. name)
      end
    end
    -- A syntax error fails here, at nginx -t, with the learner's line, and nothing starts.
    local chunk, err = loadfile("${handler}")
    if not chunk then error("LAB_SYNTAX " .. err, 0) end
    -- nginx does not end with the process that started it: killed with the companion, a lab's nginx
    -- would listen on, and a worker stuck in a loop spin on, for good. PR_SET_PDEATHSIG (1) has the
    -- kernel send SIGKILL (9) when the parent dies: the companion's to this master here, and the
    -- master's to each worker below (a fork does not inherit it).
    local ffi = require "ffi"
    ffi.cdef("int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);")
    ffi.C.prctl(1, 9, 0, 0, 0)
  }
  init_worker_by_lua_block {
    require("ffi").C.prctl(1, 9, 0, 0, 0)
    -- Where the learner's code runs, for the lab's watchdog: every ${LINE_HOOK_COUNT} instructions, the line of
    -- the innermost handler.lua frame goes to logs/line.<pid>; once the watchdog has killed a worker stuck
    -- in a loop, that file (and when it was last written) says at which line. A file, not a shared dict:
    -- it is read once the worker is gone, with no need for the next worker to answer, and the hook never
    -- calls into resty.core, whose scratch buffers an interrupted call of the learner's may be using.
    -- A LuaJIT hook is the VM's: it runs in every request's coroutine, timer and light thread.
    local file = io.open("${prefix}/logs/line." .. ngx.worker.pid(), "w")
    if file then
      file:setvbuf("no")
      local getinfo, format = debug.getinfo, string.format
      debug.sethook(function()
        for level = 2, 21 do
          local info = getinfo(level, "Sl")
          if not info then return end
          if info.source == "@${handler}" then
            file:seek("set", 0)
            file:write(format("%10d\\n", info.currentline))
            return
          end
        end
      end, "", ${LINE_HOOK_COUNT})
    end
  }
  server {
    listen 127.0.0.1:${port};
    location = /__ready { content_by_lua_block { ngx.print(ngx.config.ngx_lua_version) } }
    location /labs/ {
      # The companion's proxy sends the lab's key: another lab's code on 127.0.0.1 is refused, and the handler never sees it.
      access_by_lua_block {
        if ngx.var.http_${LAB_KEY_HEADER.replaceAll('-', '_')} ~= "${key}" then return ngx.exit(403) end
        ngx.req.clear_header("${LAB_KEY_HEADER}")
      }
      content_by_lua_file ${handler};
    }
  }
}
`;
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf);
  const test = await nginxTest(prefix, confFile);
  if (test.status !== 0) {
    rmSync(prefix, { recursive: true, force: true });
    const syntax = syntaxError(test.stderr);
    if (syntax) return syntax;
    throw new Error(`nginx -t failed: ${test.stderr.trim()}`);
  }
  const child = spawn(NGINX, ['-p', prefix, '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = keepStderr(child);
  const deadline = Date.now() + START_DEADLINE_MS;
  let moduleVersion: string;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/__ready`).then(
      async (res) => (res.ok ? await res.text() : null),
      () => null,
    );
    if (ready !== null) {
      moduleVersion = /^\d+$/.test(ready) ? luaModuleVersion(Number(ready)) : '?';
      break;
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stopNginx(child, 0);
      rmSync(prefix, { recursive: true, force: true });
      // init_by_lua runs when nginx starts (not at -t): that is where the handler's syntax error shows.
      const syntax = syntaxError(stderr.text());
      if (syntax) return syntax;
      throw new Error(`nginx did not start: ${stderr.text().trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ok: true, server: new NginxLabServer(child, prefix, port, key, label(moduleVersion)) };
}

/**
 * `nginx -t` without blocking the companion: it compiles the learner's handler (init_by_lua), 5–18 ms
 * for a lesson's, longer for a big file, and every other learner's request waited that long under
 * spawnSync. A test that outlives the start deadline is killed.
 */
function nginxTest(prefix: string, confFile: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NGINX, ['-t', '-p', prefix, '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'], timeout: START_DEADLINE_MS, killSignal: 'SIGKILL' });
    const stderr = keepStderr(child);
    child.on('error', (error) => resolve({ status: null, stderr: error.message }));
    child.on('close', (status, signal) =>
      resolve({ status, stderr: signal ? `${stderr.text()}nginx -t was stopped (${signal}) after ${START_DEADLINE_MS / 1000} s` : stderr.text() }),
    );
  });
}

/** The first folder above `path` that others may not enter, or null. */
export function unreachableAncestor(path: string): string | null {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dir === dirname(dir)) return null;
  }
}

function syntaxError(output: string): StartResult | null {
  const match = /LAB_SYNTAX [^\n]*?handler\.lua:(\d+): ([^\n]*)$/m.exec(output);
  return match ? { ok: false, error: 'syntax', line: Number(match[1]), message: match[2] ?? '' } : null;
}

/**
 * The line the worker `pid` last wrote (the init_worker_by_lua hook in the conf) and when, by the
 * file's modification time; null when it wrote none. The file goes: nobody asks twice.
 */
function lastLine(prefix: string, pid: number): WorkerSeen | null {
  const file = join(prefix, 'logs', `line.${pid}`);
  try {
    const at = statSync(file).mtimeMs;
    const text = readFileSync(file, 'utf8').trim();
    rmSync(file, { force: true });
    return /^[1-9]\d*$/.test(text) ? { line: Number(text), at } : null;
  } catch {
    return null;
  }
}

const LEVELS = new Set(['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']);

/** One error.log line → a lab log line, or null for nginx's own chatter. */
export function parseErrorLogLine(raw: string): LabLogLine | null {
  const match = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*)$/.exec(raw);
  if (!match) return null;
  const level = match[7] ?? 'info';
  if (!LEVELS.has(level)) return null;
  let text = (match[8] ?? '').replace(/, client: [^,]*, server: .*$/, '').replace(/ while [a-z ]+$/, '');
  if (!text.includes('[lua]') && !text.includes('lua ') && !text.includes('handler.lua')) return null;
  let line: number | null = null;
  const lua = /^\[lua\] handler\.lua:(\d+): (.*)$/.exec(text);
  if (lua) {
    line = Number(lua[1]);
    text = lua[2] ?? '';
  } else {
    const at = /handler\.lua:(\d+):/.exec(text);
    if (at) line = Number(at[1]);
    text = text.replace(/^\[lua\] [\w./]+:\d+: /, '').replace(/\/[^\s:]*\/handler\.lua:\d+: /g, '');
  }
  const time = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}`).getTime();
  return { time, level: level === 'warn' ? 'warn' : level, text, line };
}

/**
 * How the lab's error.log is read (nginx writes it; the handler's print, io.write and io.stderr land
 * there too). Each poll reads only what was added since the last, and at most `readBytes` of it, the
 * newest: a handler that writes without pause was read whole every 50 ms, on the companion's thread,
 * however large the file had grown (100 MB after five requests to a handler writing io.stderr in a
 * loop). Past `fileBytes` the file is emptied (nginx appends, so it writes on from the start): the
 * same handler would otherwise fill the disk.
 */
export const ERROR_LOG = {
  readBytes: 1024 * 1024,
  fileBytes: 16 * 1024 * 1024,
  /** A line still unfinished at the end of a read keeps this much of its start for the next read. */
  partialChars: 2 * LAB_LOG_LINE_CHARS,
} as const;

/** The log's own line when a flood was read by its newest bytes only. */
export const skippedLogText = (bytes: number): string =>
  `${bytes} bytes of nginx's error log were skipped: your handler wrote faster than the log is read. What follows is its newest part.`;

class NginxLabServer extends ProxiedLabServer implements LabServer {
  readonly engine: string;
  readonly ended: Promise<void>;
  private readonly child: ChildProcess;
  private readonly prefix: string;
  private readonly port: number;
  /** What the proxy sends with each connection; nginx takes no other (the access phase in the conf). */
  private readonly key: string;
  private readonly poll: NodeJS.Timeout;
  private readonly watch: NodeJS.Timeout;
  private logOffset = 0;
  private partial = '';

  constructor(child: ChildProcess, prefix: string, port: number, key: string, label: string) {
    super();
    this.child = child;
    this.prefix = prefix;
    this.port = port;
    this.key = key;
    this.engine = label;
    this.ended = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.ended.then(() => {
      clearInterval(this.poll);
      clearInterval(this.watch);
      this.readLog();
      for (const socket of this.sockets) socket.destroy();
      rmSync(this.prefix, { recursive: true, force: true });
    });
    this.poll = setInterval(() => this.readLog(), 50);
    this.poll.unref();
    const watchdog = new WorkerWatchdog({
      now: () => Date.now(),
      worker: () => nginxWorkers(child.pid)[0] ?? null,
      cpuMs: cpuDemandMs,
      residentBytes,
      probe: async () => {
        const res = await fetch(`http://127.0.0.1:${port}/__ready`);
        await res.arrayBuffer();
      },
      kill: (pid) => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      },
      // Read once the worker is gone: it wrote that file until the kill landed.
      where: async (pid) => ((await whenGone(pid, 1000)) ? lastLine(prefix, pid) : null),
      report: (text, line) => this.addLog({ time: Date.now(), level: 'error', text, line }),
    });
    this.watch = setInterval(() => watchdog.tick(), NGINX_WATCH.tickMs);
    this.watch.unref();
  }

  /** nginx's master and worker: their resident memory, from /proc (Linux; null elsewhere). */
  memory(): Promise<number | null> {
    const pid = this.child.pid;
    if (pid === undefined) return Promise.resolve(null);
    const sizes = [pid, ...nginxWorkers(pid)].map((id) => residentBytes(id));
    return Promise.resolve(sizes.includes(null) ? null : sizes.reduce<number>((sum, bytes) => sum + (bytes ?? 0), 0));
  }

  private readLog(): void {
    const file = join(this.prefix, 'logs/error.log');
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return;
    }
    let text: string;
    let skipped: number;
    let emptied = false;
    try {
      const size = fstatSync(fd).size;
      // Emptied below: nginx writes on from the start.
      if (size < this.logOffset) this.logOffset = 0;
      const fresh = size - this.logOffset;
      if (fresh <= 0) return;
      const take = Math.min(fresh, ERROR_LOG.readBytes);
      const bytes = Buffer.allocUnsafe(take);
      const read = readSync(fd, bytes, 0, take, size - take);
      this.logOffset = size;
      // At once, so that little can be written between the read and the truncation: that would be lost.
      if (size >= ERROR_LOG.fileBytes) emptied = this.empty(file);
      text = bytes.subarray(0, read).toString('utf8');
      skipped = fresh - take;
    } catch {
      return;
    } finally {
      closeSync(fd);
    }
    if (skipped > 0) {
      // From the first whole line of the newest bytes; the line cut in two is dropped with the rest.
      const newline = text.indexOf('\n');
      text = newline < 0 ? '' : text.slice(newline + 1);
      this.partial = '';
      this.addLog({ time: Date.now(), level: 'warn', text: skippedLogText(skipped), line: null });
    }
    const lines = (this.partial + text).split('\n');
    const unfinished = lines.pop() ?? '';
    // A line unfinished when the file was emptied ends in what was emptied: it is dropped.
    this.partial = emptied ? '' : unfinished.slice(0, ERROR_LOG.partialChars);
    for (const raw of lines) {
      const line = parseErrorLogLine(raw);
      if (line) this.addLog(line);
    }
  }

  /** Empties error.log: the lines read so far are in the lab's log, and nginx appends, so it writes on from the start. */
  private empty(file: string): boolean {
    try {
      truncateSync(file, 0);
      this.logOffset = 0;
      return true;
    } catch {
      // The lab is ending and its folder going: nothing left to bound.
      return false;
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tap: WireTap | null): void {
    proxyUpgrade({ req, socket, head, tap, port: this.port, key: this.key, sockets: this.sockets });
  }

  async stop(): Promise<void> {
    this.goingAway();
    await stopNginx(this.child, 2000);
    await this.ended;
  }
}
