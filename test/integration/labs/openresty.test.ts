import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_LOG, OPENRESTY_INSTALL, openRestyEngine, openRestyMissing, unreachableAncestor } from '../../../server/labs/openresty/engine.ts';
import { nginxWorkers } from '../../../server/labs/openresty/process.ts';
import { useServer } from '../server/helpers.ts';
import { nginxLabFolder } from './nginx-folder.ts';

/**
 * The same labs and checks on the real engine (--lua-engine openresty):
 * every solution passes and every starter fails, as on the embedded engine,
 * and the naive broadcast raises `bad request` there too.
 */
const missing = openRestyMissing();
if (missing.length > 0 && process.env['CI'] === 'true') throw new Error(`CI=true and OpenResty lab tests need ${missing.join(', ')}: ${OPENRESTY_INSTALL}`);
if (missing.length > 0) process.stderr.write(`\n!! SKIPPING OpenResty lab tests: missing ${missing.join(', ')}. Install with: ${OPENRESTY_INSTALL}\n\n`);
const describeIf = missing.length > 0 ? describe.skip : describe;

describeIf('labs on OpenResty', async () => {
  const labs = loadLabs();
  const { base } = await useServer({ luaEngine: 'openresty' });

  async function start(code: string, lab?: string): Promise<Response> {
    return fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'lua', code, lab }) });
  }

  type LogLine = { level: string; text: string; line: number | null };
  /** The lab's log as GET /log answers it: the status, and each JSON line parsed. */
  async function labLog(id: string): Promise<{ status: number; lines: LogLine[] }> {
    const answer = await fetch(`${base}/api/labs/${id}/log`);
    return { status: answer.status, lines: (await answer.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine) };
  }

  async function run(code: string, lab: string, clean: boolean): Promise<Verdict> {
    const started = await start(code, lab);
    expect(started.status).toBe(201);
    const { id, engine } = (await started.json()) as { id: string; engine: string };
    expect(engine).toMatch(/^OpenResty: nginx \d+\.\d+\.\d+, lua-nginx-module \d+\.\d+\.\d+$/);
    try {
      const verdict = (await (await fetch(`${base}/api/labs/${id}/check`, { method: 'POST' })).json()) as Verdict;
      // nginx's error log, as the engine parsed it: in a solution's run, a runtime error or an alert or crit line is a failure
      // (a starter may fail loudly: the naive broadcast's `bad request` is the lesson).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const log = (await labLog(id)).lines;
      if (clean) expect(log.filter((l) => /runtime error/.test(l.text) || ['crit', 'alert', 'emerg'].includes(l.level))).toEqual([]);
      return verdict;
    } finally {
      await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' });
    }
  }

  it('answers a syntax error with 400 and the line, as the embedded engine does', async () => {
    const res = await start('local ok = true\nlocal x = = 1');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'syntax', line: 2 });
  });

  it('the naive broadcast raises "bad request" under nginx too', { timeout: 30_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const res = await start(readFileSync(new URL('../../../samples/lua/broadcast-naive.lua', import.meta.url), 'utf8'));
    const { id, url } = (await res.json()) as { id: string; url: string };
    const { default: WebSocket } = await import('ws');
    const open = (): Promise<InstanceType<typeof WebSocket>> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const a = await open();
    const b = await open();
    a.send('hi');
    let found: LogLine | undefined;
    for (let i = 0; i < 100 && !found; i++) {
      await new Promise((r) => setTimeout(r, 50));
      found = (await labLog(id)).lines.find((l) => l.text.includes('bad request'));
    }
    expect(found?.level).toBe('error');
    // nginx names the library line that raised it (protocol.lua:337); the embedded engine says only "bad request".
    expect(found?.text).toMatch(/^lua entry thread aborted: runtime error: \/usr\/share\/lua\/5\.1\/nginx\/websocket\/protocol\.lua:\d+: bad request$/);
    a.terminate();
    b.terminate();
    await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' });
  });

  /**
   * The workers of the lab whose handler ends with `marker`, by its master's pid in logs/nginx.pid.
   * Its own, not every nginx on the machine: other test files start and stop nginx at the same time.
   */
  function labWorkers(marker: string): number[] {
    const folder = nginxLabFolder('handler.lua', (text) => text.endsWith(marker));
    if (folder === undefined) throw new Error("the lab's folder was not found");
    return nginxWorkers(Number(readFileSync(join(folder, 'logs/nginx.pid'), 'utf8').trim()));
  }

  /** Those of `pids` still running: not gone and not a zombie waiting to be reaped. */
  function running(pids: number[]): number[] {
    return pids.filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // pid (comm) state …; comm may hold spaces, so read from the last ')'.
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
      } catch {
        return false;
      }
    });
  }

  it('a handler that never yields: Stop ends its nginx worker too, none is left spinning', { timeout: 30_000 }, async () => {
    const marker = `-- test ${randomBytes(8).toString('hex')}`;
    const res = await start(`while true do end\n${marker}`);
    expect(res.status).toBe(201);
    const { id, url } = (await res.json()) as { id: string; url: string };
    const { default: WebSocket } = await import('ws');
    // The upgrade runs the handler, which takes the worker and never gives it back: no 101 ever comes.
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    const answered = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      setTimeout(() => resolve(false), 1000);
    });
    expect(answered).toBe(false);
    const workers = labWorkers(marker);
    expect(workers.length).toBeGreaterThan(0);
    expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
    ws.terminate();
    // Stop waits for nginx's master; a killed worker can stay a zombie for a moment, which running() skips.
    expect(running(workers)).toEqual([]);
  });

  it('a handler that never yields: the lab kills its worker and says why, and nginx\'s new worker serves the next client', { timeout: 60_000 }, async () => {
    const marker = `-- test ${randomBytes(8).toString('hex')}`;
    const res = await start(
      [
        'local server = require "resty.websocket.server"',
        'local wb = assert(server:new{ timeout = 20000 })',
        'while true do',
        '  local data, typ = wb:recv_frame()',
        '  if not data or typ == "close" then return end',
        '  if data == "spin" then while true do end end',
        '  wb:send_text(data)',
        'end',
        marker,
      ].join('\n'),
    );
    expect(res.status).toBe(201);
    const { id, url } = (await res.json()) as { id: string; url: string };
    const { default: WebSocket } = await import('ws');
    const echo = async (text: string): Promise<InstanceType<typeof WebSocket>> => {
      const ws = new WebSocket(url);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.send(text);
      const reply = await new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
      expect(reply).toBe(text);
      return ws;
    };
    const first = await echo('one');
    const code = new Promise<number>((resolve) => first.once('close', resolve));
    first.send('spin');
    // The worker is killed with the connection it held: the client sees it drop, with no close frame.
    expect(await code).toBe(1006);
    // The message comes once the worker is gone: the lab reads then the line it last wrote, the loop's.
    let log: LogLine[] = [];
    while (log.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      log = (await labLog(id)).lines;
    }
    expect(log.map((l) => [l.level, l.text.replace(/ \d+ s /, ' N s '), l.line])).toEqual([
      [
        'error',
        "your handler kept nginx's worker busy for N s without yielding (an endless loop?) at line 6, so no other connection was served. " +
          'The lab killed that worker and nginx started a new one; a real nginx would stay stuck. Lua in nginx must give the worker back: end the loop, or wait in it (a socket read, ngx.sleep).',
        6,
      ],
    ]);
    const next = await echo('after');
    next.close();
    const workers = labWorkers(marker);
    expect(workers.length).toBeGreaterThan(0);
    expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(running(workers)).toEqual([]);
  });

  it('a handler flooding io.stderr (40 MB in a request): the log says how much was skipped, error.log is emptied, the next request\'s line is kept; GET /log 200', { timeout: 60_000 }, async () => {
    const marker = `stderr-flood-${randomBytes(4).toString('hex')}`;
    const code = `-- ${marker}
if ngx.var.arg_flood then
  local s = string.rep("x", 100000)
  for i = 1, 400 do io.stderr:write(s, "\\n") end
end
ngx.log(ngx.ERR, "request ", ngx.var.arg_n)
return ngx.exit(403)
`;
    const res = await start(code);
    expect(res.status).toBe(201);
    const { id, url } = (await res.json()) as { id: string; url: string };
    const folder = nginxLabFolder('handler.lua', (text) => text.includes(marker));
    expect(folder).toBeDefined();
    const errorLog = join(folder ?? '', 'logs/error.log');
    const { default: WebSocket } = await import('ws');
    const request = (query: string): Promise<unknown> => {
      const ws = new WebSocket(`${url}?${query}`);
      ws.on('error', () => {});
      return new Promise((resolve) => ws.once('unexpected-response', (_req, response) => resolve(response.statusCode)));
    };
    const skipped = (lines: LogLine[]): LogLine[] => lines.filter((l) => / bytes of nginx's error log were skipped/.test(l.text));
    try {
      await expect(request('flood=1&n=1')).resolves.toBe(403);
      await expect.poll(async () => skipped((await labLog(id)).lines).length, { timeout: 30_000 }).toBeGreaterThan(0);
      // 40 MB went through a file emptied each time it reached 16 MiB.
      await expect.poll(() => statSync(errorLog).size, { timeout: 10_000 }).toBeLessThan(ERROR_LOG.fileBytes);
      // The flood is over and its file emptied: the next request's line is read whole.
      await expect(request('n=2')).resolves.toBe(403);
      await expect.poll(async () => (await labLog(id)).lines.find((l) => l.text === 'request 2'), { timeout: 10_000 }).toEqual({
        time: expect.any(Number),
        level: 'error',
        text: 'request 2',
        line: 6,
        seq: expect.any(Number),
      });
      const { status, lines } = await labLog(id);
      expect(status).toBe(200);
      for (const l of skipped(lines)) {
        expect(l).toMatchObject({ level: 'warn', line: null });
        expect(l.text).toMatch(/^[1-9]\d* bytes of nginx's error log were skipped: your handler wrote faster than the log is read\. What follows is its newest part\.$/);
      }
    } finally {
      await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' });
    }
  });

  it('finds a folder nginx workers (nobody) cannot enter above the lab folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-private-'));
    try {
      expect(unreachableAncestor(join(dir, 'lab'))).toBe(dir);
      chmodSync(dir, 0o755);
      expect(unreachableAncestor(join(dir, 'lab'))).toBe(null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // As root, nginx's workers run as nobody: a private TMPDIR would make every lab answer 503.
  it.skipIf(process.getuid?.() !== 0)('as root with a private TMPDIR, Run says what to do instead of serving 503s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-private-'));
    const previous = process.env['TMPDIR'];
    process.env['TMPDIR'] = dir;
    try {
      await expect(openRestyEngine().start('return', { sharedDicts: [] })).rejects.toThrow(`nginx's workers run as nobody and cannot enter ${dir} (every lab would answer 503). Give it o+x`);
    } finally {
      if (previous === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const lab of labs.values()) {
    it(`${lab.id}: the solution passes and the starter fails`, { timeout: 90_000 }, async () => {
      const solved = await run(lab.solution.lua ?? '', lab.id, true);
      expect(solved.cases.filter((c) => !c.passed)).toEqual([]);
      const started = await run(lab.starter.lua ?? '', lab.id, false);
      expect(started.passed).toBe(false);
    });
  }
});
