import { connect as connectTcp } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LAB_LIMITS } from '../../../protocol/labs.ts';
import { useServer, withTimeout } from '../server/helpers.ts';

/** The lab API's contract and its refusals, against a real companion on a free port. */
const { base, port } = await useServer();

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function start(code: string): Promise<{ id: string; url: string; engine: string }> {
  const res = await post({ language: 'lua', code });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string; engine: string };
}

const stop = async (id: string): Promise<void> => {
  expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
};

async function logOf(id: string): Promise<{ time: number; level: string; text: string; line: number | null }[]> {
  const res = await fetch(`${base}/api/labs/${id}/log`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
  return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { time: number; level: string; text: string; line: number | null });
}

async function waitForLog(id: string, text: string): Promise<{ level: string; text: string; line: number | null }> {
  for (let i = 0; i < 200; i++) {
    const hit = (await logOf(id)).find((l) => l.text.includes(text));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no log line with ${text}`);
}

/** The status line the companion answers an upgrade to `target` with, the target sent byte for byte. */
function rawUpgrade(target: string): Promise<string> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = connectTcp(port, '127.0.0.1', () => {
        socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      let got = '';
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        const end = got.indexOf('\r\n');
        if (end === -1) return;
        socket.destroy();
        resolve(got.slice(0, end));
      });
      socket.on('error', reject);
    }),
    'the status line',
    10_000,
  );
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    }),
    'the lab handshake',
    10_000,
  );
}

describe('POST /api/labs', () => {
  it('starts a lab server: 201 with its id, ws://127.0.0.1:<port>/labs/<id> and the engine', async () => {
    const lab = await start('require("resty.websocket.server"):new()');
    expect(lab.id).toMatch(/^[a-f0-9]{16}$/);
    expect(lab.url).toBe(`ws://127.0.0.1:${port}/labs/${lab.id}`);
    expect(lab.engine).toBe('Lua 5.4, embedded');
    await stop(lab.id);
  });

  it('refuses a page on another site with 403 and starts nothing', async () => {
    const res = await post({ language: 'lua', code: 'ngx.log(ngx.ERR, "ran")' }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'origin_not_allowed' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a body that is not application/json with 415 (a cross-site form cannot start code)', async () => {
    const res = await post(JSON.stringify({ language: 'lua', code: 'x' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('answers a syntax error with 400, its line and Lua message, and starts nothing', async () => {
    const res = await post({ language: 'lua', code: 'local ok = true\nif ok then\n  ngx.log(ngx.INFO, "x"\nend' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'syntax', line: 4, message: "')' expected (to close '(' at line 3) near 'end'" });
  });

  it('refuses an unknown language, an unknown lab and bad JSON with 400', async () => {
    expect((await post({ language: 'cobol', code: '' })).status).toBe(400);
    expect(await (await post({ language: 'lua', code: '', lab: 'nope' })).json()).toMatchObject({ error: 'unknown_lab' });
    expect(await (await post('{nope')).json()).toMatchObject({ error: 'bad_json' });
  });

  it(`refuses a lab server beyond ${LAB_LIMITS.maxServers} with 429`, { timeout: 60_000 }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < LAB_LIMITS.maxServers; i++) ids.push((await start('return')).id);
    const res = await post({ language: 'lua', code: 'return' });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: 'too_many_labs' });
    for (const id of ids) await stop(id);
    const again = await start('return');
    await stop(again.id);
  });
});

describe('a running lab', () => {
  it('gets any subpath and query, with headers untouched (a foreign Origin reaches the handler)', async () => {
    const lab = await start(
      'ngx.log(ngx.INFO, ngx.var.uri, " ", ngx.var.arg_name, " ", ngx.var.http_origin, " ", ngx.req.get_headers()["x-extra"])\nrequire("resty.websocket.server"):new()',
    );
    const ws = await connect(`${lab.url}/room/1?name=ada`, { origin: 'http://evil.example', 'x-extra': 'kept' });
    expect(await waitForLog(lab.id, '/labs/')).toMatchObject({
      level: 'info',
      text: `/labs/${lab.id}/room/1 ada http://evil.example kept`,
      line: 1,
    });
    ws.terminate();
    await stop(lab.id);
  });

  it('refuses a path with escaped dots or slashes (400 bad_target), and hands the handler dot segments resolved', async () => {
    const lab = await start('ngx.log(ngx.INFO, "uri ", ngx.var.uri)\nrequire("resty.websocket.server"):new()');
    const base = `/labs/${lab.id}`;
    // Sent as written: a WebSocket client would resolve the dots itself.
    for (const sneaky of ['/..%2f..%2f__ready', '/..%2F..%2F__ready', '/..%5C..%5C__ready', '/a%2Fb', '/%2e%2e%2f__ready']) {
      expect([sneaky, await rawUpgrade(`${base}${sneaky}`)]).toEqual([sneaky, 'HTTP/1.1 400 Bad Request']);
    }
    // A dot segment the companion resolves to another lab's id, or none, is no lab of this one's.
    expect(await rawUpgrade(`${base}/%2e%2e/__ready`)).toBe('HTTP/1.1 404 Not Found');
    expect(await rawUpgrade(`${base}/room/../other/./1`)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await waitForLog(lab.id, 'uri ')).toMatchObject({ text: `uri ${base}/other/1` });
    await stop(lab.id);
  });

  it('DELETE closes its connections with 1001, and then the lab is gone (404)', async () => {
    const lab = await start('local wb = require("resty.websocket.server"):new{ timeout = 60000 }\nwhile true do wb:recv_frame() end');
    const ws = await connect(lab.url);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await stop(lab.id);
    expect(await withTimeout(closed, 'the close')).toBe(1001);
    expect((await fetch(`${base}/api/labs/${lab.id}/log`)).status).toBe(404);
    await expect(connect(lab.url)).rejects.toThrow('HTTP 404');
  });

  it('stops an endless loop with a message naming the line, while the companion answers /health', { timeout: 30_000 }, async () => {
    const lab = await start('local n = 0\nwhile true do\n  n = n + 1\nend');
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const line = await waitForLog(lab.id, 'endless loop');
    expect(line.level).toBe('error');
    expect(line.text).toMatch(/at line [234]$/);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('stops a memory bomb, while the companion answers /health', { timeout: 30_000 }, async () => {
    const lab = await start('local t = {}\nfor i = 1, 1e9 do\n  t[i] = string.rep("x", 1024 * 1024) .. i\nend');
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    const line = await waitForLog(lab.id, 'not enough memory');
    expect(line.level).toBe('error');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await stop(lab.id);
  });

  it('the naive broadcast raises "bad request" as under nginx', { timeout: 30_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const lab = await start(readFileSync(new URL('../../../samples/lua/broadcast-naive.lua', import.meta.url), 'utf8'));
    const a = await connect(lab.url);
    const b = await connect(lab.url);
    a.send('hi');
    const line = await waitForLog(lab.id, 'bad request');
    expect(line).toMatchObject({ level: 'error', text: 'lua entry thread aborted: runtime error: bad request' });
    a.terminate();
    b.terminate();
    await stop(lab.id);
  });
});

describe('POST /api/labs/<id>/check with a tag', () => {
  it("tags the check's clients <tag>.<client>, so an /inspect stream for the tag sees them", { timeout: 60_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const res = await post({ language: 'lua', code: readFileSync(new URL('../../../labs/echo/solution.lua', import.meta.url), 'utf8'), lab: 'echo' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const inspector = new WebSocket(`ws://127.0.0.1:${port}/inspect?fd-tag=page-run1`);
    const tags = new Set<string>();
    inspector.on('message', (data) => {
      const event = JSON.parse(String(data)) as { kind: string; tag?: string | null };
      if (event.kind === 'handshake' && event.tag) tags.add(event.tag);
    });
    await withTimeout(new Promise((resolve) => inspector.once('open', resolve)), 'the inspector', 10_000);
    const checked = await fetch(`${base}/api/labs/${id}/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'page-run1' }) });
    expect(checked.status).toBe(200);
    expect(((await checked.json()) as { passed: boolean }).passed).toBe(true);
    for (let i = 0; i < 100 && tags.size < 7; i++) await new Promise((r) => setTimeout(r, 50));
    expect([...tags].sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map((c) => `page-run1.${c}`));
    inspector.close();
    const bad = await fetch(`${base}/api/labs/${id}/check`, { method: 'POST', body: JSON.stringify({ tag: 'no spaces' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('bad_request');
    await stop(id);
  });
});
