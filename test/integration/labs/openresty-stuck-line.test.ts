import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OPENRESTY_INSTALL, openRestyMissing } from '../../../server/labs/openresty/engine.ts';
import { useServer, withTimeout } from '../server/helpers.ts';
import { nginxLabFolder } from './nginx-folder.ts';

/**
 * A handler stuck in a loop on real nginx: the lab kills the worker, and the
 * log names the learner's line as the embedded engine does (the worker writes
 * where the handler runs as it runs, and the lab reads it once the worker is
 * gone), in the text and as the log line's `line`. A worker held by a C call
 * after a loop that ended is not said to be in that loop.
 */
const missing = openRestyMissing();
if (missing.length > 0 && process.env['CI'] === 'true') throw new Error(`CI=true and OpenResty lab tests need ${missing.join(', ')}: ${OPENRESTY_INSTALL}`);
if (missing.length > 0) process.stderr.write(`\n!! SKIPPING OpenResty stuck-line tests: missing ${missing.join(', ')}. Install with: ${OPENRESTY_INSTALL}\n\n`);
const describeIf = missing.length > 0 ? describe.skip : describe;

type LogLine = { level: string; text: string; line: number | null };

const TAIL =
  ', so no other connection was served. ' +
  'The lab killed that worker and nginx started a new one; a real nginx would stay stuck. Lua in nginx must give the worker back: end the loop, or wait in it (a socket read, ngx.sleep).';

describeIf('a handler stuck in a loop on nginx', async () => {
  const { base } = await useServer({ luaEngine: 'openresty' });

  /** Starts the handler, marked so that its lab's folder (and nginx's error.log in it) can be found. */
  async function start(lines: string[]): Promise<{ id: string; url: string; folder: string; errorLog: () => string }> {
    const marker = `-- test ${randomBytes(8).toString('hex')}`;
    const res = await fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'lua', code: [...lines, marker].join('\n') }) });
    expect(res.status).toBe(201);
    const { id, url } = (await res.json()) as { id: string; url: string };
    const folder = nginxLabFolder('handler.lua', (text) => text.endsWith(marker));
    if (folder === undefined) throw new Error('the lab\'s folder was not found');
    return { id, url, folder, errorLog: () => readFileSync(join(folder, 'logs/error.log'), 'utf8') };
  }

  async function logOf(id: string): Promise<LogLine[]> {
    return (await (await fetch(`${base}/api/labs/${id}/log`)).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  }

  /** The log once it says why the worker was killed (the line is read once the worker is gone). */
  async function logOnceKilled(id: string): Promise<LogLine[]> {
    for (;;) {
      const log = await logOf(id);
      if (log.some((l) => l.text.includes('The lab killed that worker'))) return log;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function open(url: string): Promise<WebSocket> {
    const ws = new WebSocket(url);
    await withTimeout(new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject))), 'the open', 15_000);
    return ws;
  }

  async function echo(url: string, text: string): Promise<void> {
    const ws = await open(url);
    ws.send(text);
    expect(await withTimeout(new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString()))), 'the echo', 15_000)).toBe(text);
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  }

  /** nginx's error.log lines at error level and above, pids as N. */
  function serious(errorLog: string): string[] {
    return errorLog
      .split('\n')
      .filter((l) => /\[(error|crit|alert|emerg)\]/.test(l))
      .map((l) => l.replace(/^\S+ \S+ /, '').replace(/\d+/g, 'N'));
  }

  const ECHO = [
    'local server = require "resty.websocket.server"',
    'local function spin()',
    '  local turns = 0',
    '  while true do end',
    'end',
    'local wb = assert(server:new{ timeout = 20000 })',
    'while true do',
    '  local data, typ = wb:recv_frame()',
    '  if not data or typ == "close" then return end',
    '  if data == "spin" then spin() end',
    '  wb:send_text(data)',
    'end',
  ];

  it('names the loop\'s line (4, in a function called from line 10), then serves the next client; error.log has only the kill', { timeout: 60_000 }, async () => {
    const lab = await start(ECHO);
    await echo(lab.url, 'one');
    const ws = await open(lab.url);
    const dropped = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.send('spin');
    expect(await dropped).toBe(1006);
    const log = await logOnceKilled(lab.id);
    expect(log.map((l) => ({ level: l.level, text: l.text.replace(/ busy for \d+ s /, ' busy for N s '), line: l.line }))).toEqual([
      { level: 'error', text: `your handler kept nginx's worker busy for N s without yielding (an endless loop?) at line 4${TAIL}`, line: 4 },
    ]);
    await echo(lab.url, 'after');
    expect(serious(lab.errorLog())).toEqual(['[alert] N#N: worker process N exited on signal N']);
    expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('a worker held by a C call after a loop that ended: the message names no line, not the loop\'s', { timeout: 60_000 }, async () => {
    const lab = await start([
      'local n = 0',
      'for i = 1, 3000000 do n = n + i end',
      // Lua's pattern matcher, in C, on a string with no "y": each start tries every length, for minutes.
      'local at = string.rep("x", 200000):find(".-y")',
      'ngx.say(n, at)',
    ]);
    const ws = new WebSocket(lab.url);
    const ended = new Promise<void>((resolve) => {
      ws.once('error', () => resolve());
      ws.once('close', () => resolve());
    });
    // The worker wrote the loop's line (2) while the loop ran; then the C call holds it, writing nothing.
    const written = async (): Promise<string[]> =>
      readdirSync(join(lab.folder, 'logs'))
        .filter((name) => name.startsWith('line.'))
        .map((name) => readFileSync(join(lab.folder, 'logs', name), 'utf8').trim());
    while (!(await written()).includes('2')) await new Promise((resolve) => setTimeout(resolve, 20));
    const log = await logOnceKilled(lab.id);
    expect(log.map((l) => ({ level: l.level, text: l.text.replace(/ busy for \d+ s /, ' busy for N s '), line: l.line }))).toEqual([
      { level: 'error', text: `your handler kept nginx's worker busy for N s without yielding (an endless loop?)${TAIL}`, line: null },
    ]);
    await ended;
    // The socket closes as the worker dies; nginx's master logs the exit when it reaps it, a moment later.
    await expect.poll(() => serious(lab.errorLog())).toEqual(['[alert] N#N: worker process N exited on signal N']);
    expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
