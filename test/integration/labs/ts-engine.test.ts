import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useServer, withTimeout } from '../server/helpers.ts';
import { startTsLab } from './ts-lab.ts';

/**
 * The TypeScript engine through the real lab API: what it refuses before
 * anything starts, and what ends a running lab server (an endless loop, a
 * memory bomb, process.exit, a crash) while the companion keeps answering.
 * The permission model's refusals are read from the lab's own log.
 */
const { base, port, errors } = await useServer();

type LogLine = { time: number; level: string; text: string; line: number | null; seq: number };

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const start = (code: string): ReturnType<typeof startTsLab> => startTsLab(base, code);

const stop = async (id: string): Promise<void> => {
  expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
};

async function logOf(id: string): Promise<LogLine[]> {
  const res = await fetch(`${base}/api/labs/${id}/log`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

async function waitForLog(id: string, text: string): Promise<LogLine> {
  for (let i = 0; i < 600; i++) {
    const hit = (await logOf(id)).find((l) => l.text.includes(text));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no log line with ${text}: ${JSON.stringify(await logOf(id))}`);
}

const SERVER = "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: Number(process.env.PORT) });\n";

describe('POST /api/labs {"language":"ts"}', () => {
  it('runs an ordinary ws server: the engine is named, a message comes back, a log line names its line', { timeout: 30_000 }, async () => {
    const lab = await start(`${SERVER}wss.on('connection', (socket) => {\n  socket.on('message', (data: Buffer) => {\n    console.log('got', data.toString());\n    socket.send(data.toString().toUpperCase());\n  });\n});\n`);
    expect(lab.engine).toMatch(/^TypeScript: Node 24\.\d+\.\d+, ws 8\.\d+\.\d+$/);
    expect(lab.url).toBe(`ws://127.0.0.1:${port}/labs/${lab.id}`);
    const ws = new WebSocket(`${lab.url}/room?x=1`);
    await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 'open', 10_000);
    ws.send('hello');
    const reply = await withTimeout(new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString()))), 'the reply', 10_000);
    expect(reply).toBe('HELLO');
    expect(await waitForLog(lab.id, 'got hello')).toMatchObject({ level: 'stdout', text: 'got hello', line: 5 });
    ws.close();
    await stop(lab.id);
  });

  it('refuses a module a lab may not use, naming it and its line, and starts nothing', { timeout: 30_000 }, async () => {
    const res = await post({ language: 'ts', code: `// a server\n${SERVER}import { readFileSync } from 'node:fs';\n` });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; line: number; message: string };
    expect(body).toMatchObject({ error: 'import', line: 4 });
    expect(body.message).toContain('"node:fs" cannot be imported');
    expect(body.message).toContain('"ws", "node:events", "node:crypto", "node:timers/promises"');
    const dynamic = (await (await post({ language: 'ts', code: `${SERVER}\nconst cp = await import('child_process');\n` })).json()) as { error: string; line: number };
    expect(dynamic).toMatchObject({ error: 'import', line: 4 });
    // A type-only import is erased and loads nothing; a value import of the same module is refused.
    const typeOnly = await post({ language: 'ts', code: `import type { IncomingMessage } from 'node:http';\n${SERVER}wss.on('connection', (_s, req: IncomingMessage) => console.log(req.url));\n` });
    expect(typeOnly.status).toBe(201);
    await stop(((await typeOnly.json()) as { id: string }).id);
    expect(await (await post({ language: 'ts', code: "import { type IncomingMessage, createServer } from 'node:http';\n" })).json()).toMatchObject({ error: 'import', line: 1 });
    const required = (await (await post({ language: 'ts', code: "const ws = require('ws');\n" })).json()) as { error: string; line: number };
    expect(required).toMatchObject({ error: 'import', line: 1 });
  });

  it('answers a syntax error with its line, and an enum (not erasable) too', async () => {
    const res = await post({ language: 'ts', code: `${SERVER}wss.on('connection', (socket) => {\n  socket.send(;\n});\n` });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'syntax', line: 4, message: "')' expected." });
    const enumRes = (await (await post({ language: 'ts', code: `${SERVER}\nenum Kind { Text, Binary }\n` })).json()) as { error: string; line: number; message: string };
    expect(enumRes).toMatchObject({ error: 'syntax', line: 4 });
    expect(enumRes.message).toContain('enum is not supported');
  });

  it('refuses a page on another origin (403) before anything runs', async () => {
    const res = await post({ language: 'ts', code: SERVER }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'origin_not_allowed' });
  });
});

/** POSTs a lab with node:http: `sent` resolves once the whole body is on the wire, `answered` with the reply. */
function postRaw(body: string): { sent: Promise<void>; answered: Promise<{ status: number; json: unknown }> } {
  let sent!: () => void;
  const onWire = new Promise<void>((resolve) => (sent = resolve));
  const answered = new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = request(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body, sent);
  });
  return { sent: onWire, answered };
}

describe('code the compiler cannot finish, the companion still answering', () => {
  it('a + a + … of 20,000 terms (40 KB): /health answers while it compiles, the lab gets a 400 saying why, no error is logged', { timeout: 120_000 }, async () => {
    // The compiler warm, as after any earlier Run (these tests run in order; this makes it so alone too).
    expect((await post({ language: 'ts', code: 'const a: number = (;\n' })).status).toBe(400);
    const code = `const x = ${Array.from({ length: 20_000 }, () => 'a').join('+')};\n`;
    expect(code.length).toBe(40_011);
    const order: string[] = [];
    const lab = postRaw(JSON.stringify({ language: 'ts', code }));
    const answered = lab.answered.then((reply) => {
      order.push('lab');
      return reply;
    });
    await lab.sent;
    // Time for the companion to read the body and start compiling, which takes the compiler many seconds.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const health = await fetch(`${base}/health`);
    order.push('health');
    expect(health.status).toBe(200);
    const reply = await answered;
    // On the companion's thread, the compile held /health until it was over: the lab answered first.
    expect(order).toEqual(['health', 'lab']);
    expect(reply).toEqual({
      status: 400,
      json: {
        error: 'syntax',
        line: 1,
        message:
          'Compiling your code took more than 5 s, so it was stopped: an expression of thousands of terms (a chain like a + a + …) compiles very slowly. Split it into smaller expressions or functions, then press Run again.',
      },
    });
    expect(errors).toEqual([]);
    // The compiler was ended mid-compile and a new one started: the next Run compiles and listens.
    const next = await start(`${SERVER}wss.on('connection', (socket) => socket.send('hi'));\n`);
    await stop(next.id);
  });

  it('brackets nested 20,000 deep: a 400 saying the code is nested too deeply (it was a 500 and an error in the log)', { timeout: 60_000 }, async () => {
    const res = await post({ language: 'ts', code: `const x = ${'('.repeat(20_000)}1${')'.repeat(20_000)};\n` });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'syntax',
      line: 1,
      message:
        "Your code is nested too deeply to compile: thousands of levels (brackets inside brackets, or a chain like a + a + … of thousands of terms) exhaust the compiler's stack. Split it into smaller expressions or functions, then press Run again.",
    });
    expect(errors).toEqual([]);
  });
});

describe('what ends a TypeScript lab server, the companion still up', () => {
  it('an endless loop: stopped, with a message naming the loop\'s line, while /health answers', { timeout: 60_000 }, async () => {
    const lab = await start(`${SERVER}wss.on('connection', () => {\n  let turns = 0;\n  while (true) turns++;\n});\n`);
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const line = await waitForLog(lab.id, 'stopped responding');
    // The seconds depend on the machine's load (a starved child gets longer); the rest is exact.
    expect(line.text).toMatch(/^your server stopped responding for \d+ s \(the loop on line 5 did not end\) and was stopped\. Node runs one thing at a time: a loop that never ends blocks every connection\.$/);
    expect(line).toMatchObject({ level: 'error', line: 5 });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('a 2 GB allocation: stopped, while /health answers', { timeout: 60_000 }, async () => {
    const lab = await start(`${SERVER}setTimeout(() => {\n  const big = Buffer.alloc(2 * 1024 ** 3, 1);\n  console.log(big.length);\n}, 50);\n`);
    const line = await waitForLog(lab.id, 'was stopped');
    expect(line.level).toBe('error');
    expect((await logOf(lab.id)).some((l) => l.text === '2147483648')).toBe(false);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('a heap that keeps growing: stopped at the heap cap, while /health answers', { timeout: 60_000 }, async () => {
    const lab = await start(`${SERVER}const hoard: number[][] = [];\nsetInterval(() => {\n  for (let i = 0; i < 50; i++) hoard.push(new Array(100_000).fill(i));\n}, 1);\n`);
    const line = await waitForLog(lab.id, 'was stopped');
    expect(line.text).toMatch(/ran out of memory|memory|stopped responding/);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('process.exit() ends only the lab, and the log names the line', { timeout: 30_000 }, async () => {
    const lab = await start(`${SERVER}wss.on('listening', () => {\n  process.exit(3);\n});\n`);
    const line = await waitForLog(lab.id, 'process.exit(3)');
    expect(line).toEqual({ time: line.time, seq: line.seq, level: 'error', line: 4, text: 'your server called process.exit(3) and stopped; a server should keep running: press Run again.' });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // The ended server refuses new connections with a pointer to its log.
    const refused = new WebSocket(lab.url);
    const status = await withTimeout(new Promise<number>((resolve) => refused.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0))), 'the refusal', 10_000);
    expect(status).toBe(503);
    await stop(lab.id);
  });

  it('an exception nobody catches ends the lab with its message and line', { timeout: 30_000 }, async () => {
    const lab = await start(`${SERVER}wss.on('connection', (socket) => {\n  socket.on('message', () => {\n    throw new TypeError('no handler for this');\n  });\n});\n`);
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 'open', 10_000);
    ws.send('x');
    const line = await waitForLog(lab.id, 'TypeError: no handler for this');
    expect(line).toEqual({
      time: line.time,
      seq: line.seq,
      level: 'error',
      line: 5,
      text: "TypeError: no handler for this — an exception was thrown and nothing caught it, so your server stopped. Add a try/catch or an 'error' listener, then press Run again.",
    });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('a rejected promise nobody handles ends the lab with its message and line', { timeout: 30_000 }, async () => {
    const lab = await start(`${SERVER}wss.on('connection', (socket) => {\n  socket.on('message', async () => {\n    await Promise.resolve();\n    throw new RangeError('no room named that');\n  });\n});\n`);
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 'open', 10_000);
    ws.send('x');
    const line = await waitForLog(lab.id, 'RangeError: no room named that');
    expect(line).toEqual({
      time: line.time,
      seq: line.seq,
      level: 'error',
      line: 6,
      text: "RangeError: no room named that — a promise was rejected and nothing caught it, so your server stopped. Add a try/catch or an 'error' listener, then press Run again.",
    });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('the permission model is on (no file writes, no processes, no workers), and getBuiltinModule cannot reach past the module list', { timeout: 30_000 }, async () => {
    const lab = await start(
      `${SERVER}console.log('may write /tmp:', process.permission.has('fs.write', '/tmp'), 'spawn:', process.permission.has('child'), 'workers:', process.permission.has('worker'));\n` +
        `for (const id of ['node:fs', 'node:child_process', 'net', 'node:http']) {\n  try {\n    process.getBuiltinModule(id);\n    console.log('got', id);\n  } catch (error) {\n    console.error('module:', (error as Error).message);\n  }\n}\n` +
        `console.log('events allowed:', typeof process.getBuiltinModule('node:events'));\n`,
    );
    expect(await waitForLog(lab.id, 'events allowed:')).toMatchObject({ level: 'stdout', text: 'events allowed: function', line: 12 });
    const texts = (await logOf(lab.id)).map((l) => l.text);
    expect(texts).toEqual([
      'may write /tmp: false spawn: false workers: false',
      'module: "node:fs" cannot be used in a lab',
      'module: "node:child_process" cannot be used in a lab',
      'module: "net" cannot be used in a lab',
      'module: "node:http" cannot be used in a lab',
      'events allowed: function',
    ]);
    await stop(lab.id);
  });
});
