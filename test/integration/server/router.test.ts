import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { get, request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLOSE, LIMITS } from '../../../protocol/constants.ts';
import { ENDPOINTS, HTTP_PATHS } from '../../../protocol/endpoints.ts';
import { healthSchema } from '../../../protocol/health.ts';
import { startServer } from '../../../server/app.ts';
import { createLogger } from '../../../server/log.ts';
import { tinySite } from './child.ts';
import { health, open, refused, useServer, withTimeout, type Client } from './helpers.ts';

/** An upgrade request to /echo with this Sec-WebSocket-Version (null: none), and how the server answered it. */
function handshake(version: string | null): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
  if (version !== null) headers['sec-websocket-version'] = version;
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.port, path: ENDPOINTS.echo, headers });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    }),
    `the answer to version ${version}`,
  );
}

/** An accepted connection is a working one: a text round trip, then a clean close. */
async function expectEchoes(c: Client): Promise<void> {
  c.send('accepted');
  expect(await c.next()).toEqual({ data: Buffer.from('accepted'), isBinary: false });
  c.ws.close(CLOSE.normal, 'done');
  expect(await c.closeCode()).toEqual({ code: CLOSE.normal, reason: 'done' });
}

const t = await useServer({ maxConnections: 12, maxPayload: 1024, allowOrigins: ['http://allowed.test:3000'] });

describe('upgrade router', () => {
  it('refuses an unknown path with 404 before any upgrade', async () => {
    const r = await refused(`${t.ws}/nope`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'not_found', message: 'No WebSocket endpoint at /nope.' });
  });

  it.each([ENDPOINTS.echo, ENDPOINTS.broadcast, ENDPOINTS.chat, ENDPOINTS.feed, ENDPOINTS.inspect])(
    'answers a plain GET on %s with 426 and Upgrade: websocket',
    async (path) => {
      const res = await fetch(`${t.base}${path}`);
      expect(res.status).toBe(426);
      expect(res.headers.get('upgrade')).toBe('websocket');
      expect(((await res.json()) as { error: string }).error).toBe('upgrade_required');
    },
  );

  it('serves the site, not 426, on a plain GET /', async () => {
    const res = await fetch(`${t.base}/`);
    // The test server has no built site: the static handler's "not built" answer proves routing.
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('not built yet');
  });

  it.each([
    ['no Origin', undefined],
    ['http://localhost:4321', 'http://localhost:4321'],
    ['http://127.0.0.1:4321', 'http://127.0.0.1:4321'],
    ['the server\'s own origin by another loopback name', 'SELF_LOCALHOST'],
    ['the server\'s own origin', 'SELF'],
    ['an --allow-origin', 'http://allowed.test:3000'],
  ])('accepts %s', async (_name, origin) => {
    const own = { SELF: t.base, SELF_LOCALHOST: `http://localhost:${t.port}` } as Record<string, string>;
    const headers = origin === undefined ? {} : { origin: own[origin] ?? origin };
    await expectEchoes(await open(`${t.ws}/echo`, { headers }));
  });

  it.each([
    'http://evil.test',
    'https://localhost.evil.test',
    'null',
    'http://allowed.test:3001',
    // Other programs on this machine: another local port is another origin.
    'http://localhost:3000',
    'http://127.0.0.1:9',
    'http://[::1]:8080',
  ])('refuses Origin %s with 403', async (origin) => {
    const r = await refused(`${t.ws}/echo`, { headers: { origin } });
    expect(r.status).toBe(403);
    expect(r.body['error']).toBe('origin_not_allowed');
  });

  it('refuses a Host that is not a loopback name with 403 (DNS rebinding)', async () => {
    const r = await refused(`${t.ws}/echo`, { headers: { host: `rebind.evil.test:${t.port}` } });
    expect(r.status).toBe(403);
    expect(r.body['error']).toBe('host_not_allowed');
    // fetch cannot set Host; node:http can.
    const status = await withTimeout(
      new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port: t.port, path: HTTP_PATHS.health, headers: { host: 'rebind.evil.test' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      }),
      'GET /health',
    );
    expect(status).toBe(403);
  });

  it('accepts Host localhost:<port>', async () => {
    await expectEchoes(await open(`${t.ws}/`, { headers: { host: `localhost:${t.port}` } }));
  });

  it.each([
    { version: '8', status: 400, error: 'unsupported_version', answers: '13' },
    { version: '7', status: 400, error: 'unsupported_version', answers: '13' },
    { version: null, status: 400, error: 'bad_handshake', answers: '13' },
    { version: '13', status: 101, error: null, answers: null },
  ])('answers Sec-WebSocket-Version $version with $status, naming the version it speaks when refused', async ({ version, status, error, answers }) => {
    const answer = await handshake(version);
    expect(answer.status).toBe(status);
    expect(answer.headers['sec-websocket-version'] ?? null).toBe(answers);
    if (error !== null) expect(JSON.parse(answer.body)).toMatchObject({ error });
    // The accepted socket was cut at once; the tests after this one count connections, so wait until the server let it go.
    else await expect.poll(async () => ((await health(t.base))['connections'] as Record<string, number>)['echo']).toBe(0);
  });

  it('refuses the connection over the cap with 503, and accepts again below it', async () => {
    const before = (await health(t.base))['connections'] as Record<string, number>;
    const total = Object.values(before).reduce((a, b) => a + b, 0);
    const clients: Client[] = [];
    for (let i = total; i < 12; i++) clients.push(await open(`${t.ws}/echo`));
    const r = await refused(`${t.ws}/echo`);
    expect(r.status).toBe(503);
    expect(r.body['error']).toBe('too_many_connections');
    const last = clients.pop() as Client;
    last.ws.close();
    await last.closeCode();
    const again = await open(`${t.ws}/echo`);
    clients.push(again);
    for (const c of clients) c.ws.close();
    await Promise.all(clients.map((c) => c.closeCode()));
  });
});

describe('the built site', () => {
  it('is served as rebuilt, without a restart: the new page and the new fingerprinted file it loads', async () => {
    const { dir, body } = tinySite();
    const server = await startServer({ port: 0, siteDir: dir, logLevel: 'error' });
    onTestFinished(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    await expect((await fetch(`${base}/`)).text()).resolves.toContain(body);
    expect((await fetch(`${base}/_astro/page.B0HMnVgl.js`)).status).toBe(404);
    // As a build writes: the new fingerprinted files, then the pages that load them.
    mkdirSync(join(dir, '_astro'));
    writeFileSync(join(dir, '_astro/page.B0HMnVgl.js'), 'export {};\n');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/_astro/page.B0HMnVgl.js"></script>');
    await expect.poll(async () => (await fetch(`${base}/_astro/page.B0HMnVgl.js`)).status, { timeout: 10_000 }).toBe(200);
    const script = await fetch(`${base}/_astro/page.B0HMnVgl.js`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await expect(script.text()).resolves.toBe('export {};\n');
    await expect((await fetch(`${base}/`)).text()).resolves.toBe('<!doctype html><title>t</title><script type="module" src="/_astro/page.B0HMnVgl.js"></script>');
  });

  it('keeps serving the files it has while the folder cannot be read, says why, and reads it at the next change', async () => {
    const { dir, body } = tinySite();
    const errors: Record<string, unknown>[] = [];
    const log = createLogger('error', (line) => void errors.push(JSON.parse(line) as Record<string, unknown>));
    const server = await startServer({ port: 0, siteDir: dir, logLevel: 'silent' }, { log });
    onTestFinished(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    // A link to nothing fails the read at its stat, as a file a build removes mid-read does.
    symlinkSync(join(dir, 'gone.txt'), join(dir, 'dangling.txt'));
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(3);
    expect(errors.map((line) => [line['msg'], line['error']])).toEqual(Array.from({ length: 3 }, () => ['site files not read', 'ENOENT']));
    await expect((await fetch(`${base}/`)).text()).resolves.toContain(body);
    unlinkSync(join(dir, 'dangling.txt'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><p>read again</p>');
    await expect.poll(async () => (await fetch(`${base}/`)).text(), { timeout: 10_000 }).toBe('<!doctype html><title>t</title><p>read again</p>');
    expect(errors).toHaveLength(3);
  });
});

describe('echo', () => {
  it.each([ENDPOINTS.root, ENDPOINTS.echo])('%s returns text as text and binary as binary, byte for byte', async (path) => {
    const c = await open(`${t.ws}${path}`);
    c.send('héllo 👋');
    expect(await c.next()).toEqual({ data: Buffer.from('héllo 👋'), isBinary: false });
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    c.send(bytes);
    expect(await c.next()).toEqual({ data: bytes, isBinary: true });
    c.send('');
    expect(await c.next()).toEqual({ data: Buffer.alloc(0), isBinary: false });
    c.ws.close(CLOSE.normal, 'bye');
    expect(await c.closeCode()).toEqual({ code: CLOSE.normal, reason: 'bye' });
  });

  it('closes with 1009 on a message over --max-payload', async () => {
    const c = await open(`${t.ws}/echo`);
    c.send(Buffer.alloc(1025));
    expect((await c.closeCode()).code).toBe(CLOSE.messageTooBig);
  });

  it('keeps the fd-tag parameter out of routing', async () => {
    const c = await open(`${t.ws}/echo?fd-tag=run-1`);
    c.send('tagged');
    expect((await c.next()).data.toString()).toBe('tagged');
    c.ws.close();
    await c.closeCode();
  });

  it('refuses a malformed fd-tag with 400', async () => {
    const r = await refused(`${t.ws}/echo?fd-tag=${'x'.repeat(LIMITS.inspectTagMaxLength + 1)}`);
    expect(r.status).toBe(400);
    expect(r.body['error']).toBe('bad_tag');
  });
});

describe('broadcast', () => {
  it('sends each data message to every client, sender included, same type', async () => {
    const a = await open(`${t.ws}/broadcast`);
    const b = await open(`${t.ws}/broadcast`);
    const c = await open(`${t.ws}/broadcast`);
    a.send('to all');
    for (const x of [a, b, c]) expect(await x.next()).toEqual({ data: Buffer.from('to all'), isBinary: false });
    b.send(Buffer.from([9, 8, 7]));
    for (const x of [a, b, c]) expect(await x.next()).toEqual({ data: Buffer.from([9, 8, 7]), isBinary: true });
    c.ws.close();
    await c.closeCode();
    a.send('two left');
    expect((await a.next()).data.toString()).toBe('two left');
    expect((await b.next()).data.toString()).toBe('two left');
    a.ws.close();
    b.ws.close();
    await Promise.all([a.closeCode(), b.closeCode()]);
  });
});

describe('/health', () => {
  it('reports status, version, uptime and open connections per endpoint', async () => {
    const e1 = await open(`${t.ws}/`);
    const e2 = await open(`${t.ws}/echo`);
    const b = await open(`${t.ws}/broadcast`);
    const body = healthSchema.parse(await health(t.base));
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.connections).toEqual({ echo: 2, broadcast: 1, chat: 0, feed: 0, inspect: 0 });
    for (const c of [e1, e2, b]) c.ws.close();
    await Promise.all([e1, e2, b].map((c) => c.closeCode()));
    expect((await health(t.base))['connections']).toEqual({ echo: 0, broadcast: 0, chat: 0, feed: 0, inspect: 0 });
  });

  it('adds CORS headers for an allowed Origin only', async () => {
    const ok = await fetch(`${t.base}/health`, { headers: { origin: 'http://localhost:4321' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:4321');
    const no = await fetch(`${t.base}/health`, { headers: { origin: 'http://evil.test' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });
});
