import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openRestyMissing } from '../../../server/labs/openresty/engine.ts';
import { useServer, withTimeout } from '../server/helpers.ts';
import { nginxLabFolder } from './nginx-folder.ts';

/**
 * What a lab server's code can reach beyond its own connections (the audit of
 * 2026-12-02): a learner's TypeScript could kill the companion with one
 * process.kill, reach Node's modules through getBuiltinModule, listen on every
 * interface, and connect to another learner's lab on 127.0.0.1 past the
 * companion's owner check; every lab handler read the companion's cookies,
 * the teacher's being the teacher key. Each case runs through the real lab API.
 */
const { base } = await useServer();

type LogLine = { level: string; text: string };

async function start(language: 'ts' | 'lua', code: string, b = base): Promise<{ id: string; url: string }> {
  const res = await fetch(`${b}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language, code }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string };
}

async function logOf(id: string, b = base): Promise<LogLine[]> {
  return (await (await fetch(`${b}/api/labs/${id}/log`)).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

async function waitForLog(id: string, text: string, b = base): Promise<LogLine> {
  for (;;) {
    const hit = (await logOf(id, b)).find((l) => l.text.includes(text));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The reply to one message on a new connection (the test's own timeout bounds it). */
async function echo(url: string, text: string, headers: Record<string, string> = {}): Promise<string> {
  const ws = new WebSocket(url, { headers });
  await withTimeout(new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject))), `open ${url}`, 15_000);
  ws.send(text);
  const reply = await withTimeout(new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString()))), 'the echo', 15_000);
  ws.close();
  return reply;
}

/** How a direct connection to a lab server's own port ends: its HTTP status, or 'dropped'. */
function direct(port: number): Promise<number | 'dropped'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/labs/x`);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.once('error', () => resolve('dropped'));
  });
}

const TS_ECHO =
  "import { WebSocketServer } from 'ws';\n" +
  'const wss = new WebSocketServer({ port: Number(process.env.PORT) });\n' +
  "wss.on('listening', () => console.log('address', JSON.stringify(wss.address())));\n" +
  "wss.on('connection', (socket, req) => {\n" +
  "  console.log('sees cookie:', req.headers.cookie ?? '-', 'authorization:', req.headers.authorization ?? '-', 'lab key:', req.headers['x-fd-lab-key'] ?? '-', 'raw:', req.rawHeaders.filter((_, i) => i % 2 === 0).join(','));\n" +
  "  socket.on('message', (data: Buffer) => socket.send(data.toString()));\n" +
  '});\n';

describe('a TypeScript lab server', () => {
  it('cannot signal the companion, its process group or any other process; the companion and the lab go on', { timeout: 60_000 }, async () => {
    const lab = await start(
      'ts',
      TS_ECHO +
        "for (const [what, pid] of [['parent', process.ppid], ['group', 0], ['init', 1]] as const) {\n" +
        "  try {\n    process.kill(pid, 'SIGKILL');\n    console.log('signalled', what);\n  } catch (error) {\n    console.error('kill', what + ':', (error as Error).message);\n  }\n}\n" +
        "console.log('raw kill of the parent:', (process as unknown as { _kill(p: number, s: number): number })._kill(process.ppid, 9));\n",
    );
    await waitForLog(lab.id, 'raw kill of the parent:');
    expect((await logOf(lab.id)).filter((l) => /kill|signalled/.test(l.text)).map((l) => l.text)).toEqual([
      'kill parent: process.kill can signal only your own server (process.pid) in a lab',
      'kill group: process.kill can signal only your own server (process.pid) in a lab',
      'kill init: process.kill can signal only your own server (process.pid) in a lab',
      'raw kill of the parent: -1',
    ]);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await echo(lab.url, 'still here')).toBe('still here');
    expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('listens on loopback only, refuses a connection that does not come through the companion, and never sees the companion\'s credentials', { timeout: 60_000 }, async () => {
    const lab = await start('ts', TS_ECHO);
    const address = JSON.parse((await waitForLog(lab.id, 'address')).text.slice('address '.length)) as { address: string; port: number };
    expect(address.address).toBe('127.0.0.1');
    // Another lab's code reaching this port on 127.0.0.1 is cut off before the learner's handler runs.
    expect(await direct(address.port)).toBe('dropped');
    const headers = { Cookie: 'fd-teacher=TeacherKey_secret; theme=dark; fd-learner=v1.abc', Authorization: 'Bearer TeacherKey_secret', 'X-Fd-Lab-Key': 'guess' };
    expect(await echo(lab.url, 'through the companion', headers)).toBe('through the companion');
    const seen = (await logOf(lab.id)).filter((l) => l.text.startsWith('sees ')).map((l) => l.text);
    expect(seen).toEqual(['sees cookie: theme=dark authorization: - lab key: - raw: Cookie,Sec-WebSocket-Version,Sec-WebSocket-Key,Connection,Upgrade,Sec-WebSocket-Extensions,Host']);
    expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('cannot open a connection of its own: not to the companion, another lab or any other service on the machine', { timeout: 60_000 }, async () => {
    const { port } = new URL(base);
    const lab = await start(
      'ts',
      TS_ECHO +
        `const client = new WebSocket('ws://127.0.0.1:${port}/echo');\nclient.on('open', () => console.log('ws client opened'));\nclient.on('error', (error) => console.error('ws client:', error.message));\n` +
        `fetch('http://127.0.0.1:${port}/health').then(() => console.log('fetched'), (error: Error) => console.error('fetch:', (error.cause as Error).message));\n` +
        "import { WebSocket } from 'ws';\n",
    );
    // 'fetch: ', not 'fetch': the ws client's line, which may come first, names fetch too.
    await waitForLog(lab.id, 'fetch: ');
    expect((await logOf(lab.id)).filter((l) => /client|fetch/.test(l.text)).map((l) => l.text)).toEqual([
      'ws client: a lab server takes connections but cannot open its own (a WebSocket client, fetch, http or net)',
      'fetch: a lab server takes connections but cannot open its own (a WebSocket client, fetch, http or net)',
    ]);
    // Its own server still takes the companion's connections.
    expect(await echo(lab.url, 'in')).toBe('in');
    expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('ends when the process that started it is killed, instead of listening on with no one to stop it', { timeout: 60_000 }, async () => {
    // A stand-in companion: a Node process that spawns child.ts as the engine does (fd 3 for its
    // messages), prints the child's pid, and is then killed with SIGKILL.
    const child = new URL('../../../server/labs/ts/child.ts', import.meta.url).pathname;
    const ws = new URL('../../../node_modules/ws/wrapper.mjs', import.meta.url).href;
    const script = `const { spawn } = require('node:child_process');
const c = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ${JSON.stringify(child)}, '/nonexistent/lab.mjs', ${JSON.stringify(ws)}, 'mark'], { stdio: ['pipe', 'ignore', 'ignore', 'pipe'] });
c.stdio[3].once('data', () => console.log(c.pid));`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    parent.kill('SIGKILL');
    // Its heartbeat's write to the gone parent fails (EPIPE), and it exits: waited for, not timed.
    while (existsSync(`/proc/${pid}`) && !/^\S+ \S+ Z/.test(await readStat(pid))) await new Promise((r) => setTimeout(r, 50));
  });
});

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Running, not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every process below `pid`, children first. */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

async function readStat(pid: number): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
}

const missing = openRestyMissing();
(missing.length > 0 && process.env['CI'] !== 'true' ? describe.skip : describe)('a Lua lab server', async () => {
  const openresty = await useServer({ luaEngine: 'openresty' });
  const LUA_ECHO = [
    'local server = require "resty.websocket.server"',
    'ngx.log(ngx.ERR, "port ", ngx.var.server_port, " sees cookie: ", ngx.var.http_cookie or "-", " authorization: ", ngx.var.http_authorization or "-", " lab key: ", ngx.var.http_x_fd_lab_key or "-")',
    'local wb = assert(server:new{ timeout = 10000 })',
    'local data = wb:recv_frame()',
    'wb:send_text(data)',
  ].join('\n');
  const headers = { Cookie: 'fd-teacher=TeacherKey_secret; theme=dark', Authorization: 'Bearer TeacherKey_secret' };

  it('on nginx: refuses a connection without the lab\'s key, and the handler never sees the key or the companion\'s credentials', { timeout: 60_000 }, async () => {
    const lab = await start('lua', LUA_ECHO, openresty.base);
    expect(await echo(lab.url, 'through the companion', headers)).toBe('through the companion');
    const line = (await waitForLog(lab.id, 'sees cookie', openresty.base)).text;
    expect(line.replace(/^port \d+ /, 'port N ')).toBe('port N sees cookie: theme=dark authorization: - lab key: -');
    expect(await direct(Number(/^port (\d+)/.exec(line)?.[1]))).toBe(403);
    expect((await fetch(`${openresty.base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('on nginx: a worker whose memory passes the limit is killed, while it still answers, and the log says so', { timeout: 60_000 }, async () => {
    const lab = await start(
      'lua',
      [
        'local server = require "resty.websocket.server"',
        'local wb = assert(server:new{ timeout = 20000 })',
        'wb:recv_frame()',
        'local kept = {}',
        // 1 MB a turn, each followed by a 1 ms wait (a shorter one does not yield to other connections
        // on nginx: the live-feeds lesson): it keeps answering, so only the memory limit can stop it.
        'for i = 1, 1e9 do',
        '  kept[i] = string.rep("x", 1000000) .. i',
        '  ngx.sleep(0.001)',
        'end',
      ].join('\n'),
      openresty.base,
    );
    const ws = new WebSocket(lab.url);
    await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 'open', 15_000);
    const code = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.send('grow');
    expect(await code).toBe(1006);
    const lines = (await logOf(lab.id, openresty.base)).map((l) => [l.level, l.text.replace(/grew to \d+ MiB/, 'grew to N MiB')]);
    expect(lines).toEqual([
      [
        'error',
        "your handler's nginx worker grew to N MiB of memory (a lab's limit is 256 MiB: something that only grows, such as a table of every message?). " +
          'The lab killed that worker and nginx started a new one; the connections it held dropped.',
      ],
    ]);
    expect((await fetch(`${openresty.base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('on nginx: a lab\'s nginx, its worker stuck in a loop included, ends when the companion is killed', { timeout: 90_000 }, async () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const companion = spawn(process.execPath, ['server/main.ts', '--port', '0', '--heartbeat', '0', '--lua-engine', 'openresty'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const port = await new Promise<number>((resolve) =>
      companion.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /running at http:\/\/localhost:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      }),
    );
    const companionBase = `http://127.0.0.1:${port}`;
    const lab = await start('lua', 'while true do end', companionBase);
    // The handler takes the worker as the connection arrives, and never gives it back.
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    const family = descendants(companion.pid as number);
    const nginx = family.filter((pid) => comm(pid) === 'nginx');
    expect(nginx.length).toBe(2);
    companion.kill('SIGKILL');
    // Every process the companion started (nginx's master and worker, the TypeScript spare) ends: waited for, not timed.
    while (family.some((pid) => alive(pid))) await new Promise((r) => setTimeout(r, 100));
    ws.terminate();
    // A companion killed with SIGKILL cleans nothing up: the lab's folder (its nginx.pid names the master) is this test's to remove.
    const folder = nginxLabFolder('logs/nginx.pid', (text) => nginx.includes(Number(text.trim())));
    expect(folder).toBeDefined();
    rmSync(folder as string, { recursive: true, force: true });
  });

  it('on the embedded engine: the handler never sees the companion\'s credentials', { timeout: 60_000 }, async () => {
    const lab = await start('lua', LUA_ECHO);
    expect(await echo(lab.url, 'hello', headers)).toBe('hello');
    // The embedded engine has no server_port: a lab server there has no port of its own to reach.
    expect((await waitForLog(lab.id, 'sees cookie')).text).toBe('port nil sees cookie: theme=dark authorization: - lab key: -');
    expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
