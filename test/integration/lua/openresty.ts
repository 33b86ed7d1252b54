import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe } from 'vitest';
import { stopNginx } from '../../../server/labs/openresty/process.ts';
import { freePort } from '../../../tools/free-port.ts';

/**
 * Runs the course's OpenResty samples under real nginx with lua-nginx-module,
 * from Debian's packages. Debian ships lua-resty-websocket as
 * `nginx.websocket.*`; the harness maps the `resty.websocket.*` names the
 * lessons use onto it, so the samples read exactly as they would on OpenResty.
 */
const NGINX = '/usr/sbin/nginx';
const LUA_MODULE = '/usr/lib/nginx/modules/ngx_http_lua_module.so';
const NDK_MODULE = '/usr/lib/nginx/modules/ndk_http_module.so';
const WEBSOCKET_LIB = '/usr/share/lua/5.1/nginx/websocket/server.lua';
// OpenResty bundles lua-cjson; Debian packages it for LuaJIT's 5.1 ABI.
const CJSON = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.1/cjson.so`;
export const LUA54 = '/usr/bin/lua5.4';

const HOW_TO_INSTALL =
  'sudo apt-get install -y nginx libnginx-mod-http-lua lua-nginx-websocket lua-cjson lua5.4';

export const root = new URL('../../../', import.meta.url).pathname;

function missing(paths: string[]): string[] {
  return paths.filter((path) => !existsSync(path));
}

/**
 * `describe` for tests that need the given tools: skips with a message saying
 * how to install them, except under CI=true, where a missing tool fails.
 */
function describeWith(paths: string[], what: string): typeof describe | typeof describe.skip {
  const absent = missing(paths);
  if (absent.length === 0) return describe;
  const message = `${what}: missing ${absent.join(', ')}. Install with: ${HOW_TO_INSTALL}`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${message}`);
  process.stderr.write(`\n!! SKIPPING ${message}\n\n`);
  return describe.skip;
}

const describeNginx = describeWith([NGINX, LUA_MODULE, NDK_MODULE, WEBSOCKET_LIB, CJSON], 'OpenResty sample tests');

/** Running nginx instances, so a failing test can show what nginx said. */
const running = new Set<{ prefix: string; errorLog(): string }>();
/** Lines of error.log printed under a failed test. */
const LOG_TAIL = 40;

/**
 * `describe` for OpenResty tests: when a test fails, the last lines of each
 * running nginx's error.log go to stderr (a 503 or a closed socket says little;
 * "failed to load external Lua file … Permission denied" says what to fix).
 */
export const describeOpenResty = ((name: string, body: () => void) =>
  describeNginx(name, () => {
    afterEach((context) => {
      if (context.task.result?.state !== 'fail') return;
      for (const nginx of running) {
        const tail = nginx.errorLog().trimEnd().split('\n').slice(-LOG_TAIL).join('\n');
        process.stderr.write(`\n--- last ${LOG_TAIL} lines of ${nginx.prefix}/logs/error.log (${context.task.name}) ---\n${tail}\n---\n`);
      }
    });
    body();
  })) as (name: string, body: () => void) => void;
export const describeLua = describeWith([LUA54], 'plain Lua sample tests');

export interface Nginx {
  port: number;
  url(path: string): string;
  /** The error log so far, for asserting what the sample logged. */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** location path → sample file (relative to the repo root) run by content_by_lua_file. */
  locations?: Record<string, string>;
  /** Extra lines for the http block (lua_shared_dict, init_worker_by_lua…). */
  http?: string[];
  /**
   * Worker processes; 1 unless a test is about per-worker state. With more than one, the port is
   * opened with `reuseport`: a socket per worker, among which the kernel spreads connections by
   * their addresses. Without it the workers share one socket, and a busy runner once handed 40
   * connections in a row to the same worker, so a test looking for both workers found one.
   * startNginx returns once every worker has answered.
   */
  workers?: number;
  /** A whole server block (or more) to add, e.g. a proxy sample; `listen` lines are rewritten to the test port. */
  servers?: string;
}

/** Starts nginx in the foreground on a free loopback port with the given samples. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const port = await freePort();
  const listen = `listen 127.0.0.1:${port}${(options.workers ?? 1) > 1 ? ' reuseport' : ''};`;
  const prefix = mkdtempSync(join(tmpdir(), 'full-duplex-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  mkdirSync(join(prefix, 'tmp'));
  const locations = Object.entries(options.locations ?? {})
    .map(([path, file]) => `    location = ${path} { content_by_lua_file ${join(root, file)}; }`)
    .join('\n');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${prefix}/tmp;`)
    .join('\n');
  const serverBlocks = options.servers
    ? options.servers
        .replace(/listen\s+[^;]+;/g, listen)
        .replace(/^server \{/m, 'server {\n    location = /__ready { return 200 $pid; }')
    : `  server {
    ${listen}
    location = /__ready { return 200 $pid; }
${locations}
  }`;
  // Started as root, nginx runs its workers as `nobody`, who cannot read a clone in a private
  // (0700) folder such as root's home or a mktemp -d: every Lua file would fail with
  // "Permission denied" and every test get 503. Keep the workers as the user running the tests.
  const asRoot = process.getuid?.() === 0;
  const conf = `load_module ${NDK_MODULE};
load_module ${LUA_MODULE};
${asRoot ? 'user root;' : ''}
daemon off;
worker_processes ${options.workers ?? 1};
error_log ${prefix}/logs/error.log info;
pid ${prefix}/logs/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  lua_package_path "/usr/share/lua/5.1/?.lua;${root}samples/lua/?.lua;;";
  init_by_lua_block {
    for _, name in ipairs({ "server", "client", "protocol" }) do
      package.preload["resty.websocket." .. name] = function()
        return require("nginx.websocket." .. name)
      end
    end
    -- This nginx ends with the test process however that ends (a test that timed out while nginx
    -- started was once left listening for hours): PR_SET_PDEATHSIG (1) has the kernel send the
    -- master SIGTERM (15) when its parent dies, and a master told to stop stops its workers.
    local ffi = require "ffi"
    ffi.cdef("int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);")
    ffi.C.prctl(1, 15, 0, 0, 0)
  }
${(options.http ?? []).map((line) => `  ${line}`).join('\n')}
${serverBlocks}
}
`;
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf);
  const test = spawnSync(NGINX, ['-t', '-p', prefix, '-c', confFile], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}`);
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  try {
    await waitForWorkers(port, options.workers ?? 1, child, () => output);
  } catch (error) {
    // It fails only once nginx has exited: what is left is its folder.
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  const errorLogPath = join(prefix, 'logs/error.log');
  const errorLog = (): string => (existsSync(errorLogPath) ? readFileSync(errorLogPath, 'utf8') : '');
  const entry = { prefix, errorLog };
  running.add(entry);
  return {
    port,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    errorLog,
    stop: async () => {
      // With its workers: a worker stuck in Lua outlives a killed master (process.ts says how).
      await stopNginx(child, 3000);
      running.delete(entry);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/**
 * Until each of nginx's `workers` has answered on `port` (`/__ready` names the worker's pid), or its
 * master has exited (a bad config, a port taken), which fails with what it printed. No deadline of
 * its own: on a starved runner nginx once took over 5 s to answer, and the test's timeout bounds the
 * wait. Each probe is a new connection, so that `reuseport` can send it to another worker.
 */
async function waitForWorkers(port: number, workers: number, child: ChildProcess, output: () => string): Promise<void> {
  const answered = new Set<string>();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nginx did not start on port ${port} (it exited: ${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    const pid = await new Promise<string | undefined>((resolve) => {
      const request = get({ host: '127.0.0.1', port, path: '/__ready', agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(response.statusCode === 200 ? body : undefined));
        response.on('error', () => resolve(undefined));
      });
      request.on('error', () => resolve(undefined));
    });
    if (pid !== undefined) answered.add(pid);
    if (answered.size >= workers) return;
    // Paced: a worker that starts late is waited for, not a thousand connections made to the others.
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a plain Lua script with lua5.4 and returns its output. */
export function runLua(file: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  // Run from the sample's folder, as the lesson says to, so messages name the file as a learner sees it.
  const result = spawnSync(LUA54, [basename(file), ...args], { encoding: 'utf8', cwd: join(root, dirname(file)) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
