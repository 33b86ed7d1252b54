import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLASSROOM_PATHS } from '../../../protocol/classroom.ts';
import { LIMITS } from '../../../protocol/constants.ts';
import { useServer, withTimeout } from '../server/helpers.ts';
import { freePort } from '../../../tools/free-port.ts';

/**
 * samples/nginx/classroom.conf under Debian's nginx, in front of a classroom
 * companion on loopback, with a throwaway self-signed certificate: wss://
 * reaches /echo through it, the sign-in cookie comes back Secure, and the
 * companion's Host and Origin checks still hold behind the proxy.
 */
const NGINX = '/usr/sbin/nginx';
const OPENSSL = '/usr/bin/openssl';
const NAME = 'class.example.lan';
const sample = readFileSync(new URL('../../../samples/nginx/classroom.conf', import.meta.url), 'utf8');

const absent = [NGINX, OPENSSL].filter((p) => !existsSync(p));
if (absent.length > 0) {
  const message = `nginx TLS sample test: missing ${absent.join(', ')}. Install with: sudo apt-get install -y nginx openssl`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${message}`);
  process.stderr.write(`\n!! SKIPPING ${message}\n\n`);
}
const describeTls = absent.length === 0 ? describe : describe.skip;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describeTls('samples/nginx/classroom.conf: TLS in front of a class', () => {
  const companion = absent.length === 0 ? useServer({ classroom: true, host: '127.0.0.1', allowHosts: [NAME], teacherKey: 'k'.repeat(24) }) : null;
  let prefix = '';
  let cert = '';
  let port = 0;
  let nginx: ChildProcess | null = null;
  const errorLog = (): string => (existsSync(join(prefix, 'logs/error.log')) ? readFileSync(join(prefix, 'logs/error.log'), 'utf8') : '');

  beforeAll(async () => {
    const { port: backend } = await (companion as Promise<{ port: number }>);
    prefix = mkdtempSync(join(tmpdir(), 'full-duplex-tls-'));
    mkdirSync(join(prefix, 'logs'));
    mkdirSync(join(prefix, 'tmp'));
    const made = spawnSync(
      OPENSSL,
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME}`, '-keyout', join(prefix, 'key.pem'), '-out', join(prefix, 'cert.pem')],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    cert = readFileSync(join(prefix, 'cert.pem'), 'utf8');
    port = await freePort();
    const redirectPort = await freePort();
    // The sample as written, with the test's ports and certificate files.
    const servers = sample
      .replace('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
      .replace('listen 80;', `listen 127.0.0.1:${redirectPort};`)
      .replace('server 127.0.0.1:8081;', `server 127.0.0.1:${backend};`)
      .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${join(prefix, 'cert.pem')};`)
      .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${join(prefix, 'key.pem')};`);
    expect(servers.replace(/#.*$/gm, '')).not.toMatch(/listen (80|443)|8081|\/etc\/ssl/);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${prefix}/tmp;`).join('\n');
    // Started as root, nginx would run its workers as `nobody`, who may not read the temporary folder.
    const conf = `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
error_log ${prefix}/logs/error.log info;
pid ${prefix}/logs/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
${temp}
${servers}
}
`;
    writeFileSync(join(prefix, 'nginx.conf'), conf);
    const check = spawnSync(NGINX, ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf')], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    nginx = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = createServer().listen(port, '127.0.0.1');
        socket.once('listening', () => socket.close(() => resolve(false)));
        socket.once('error', () => resolve(true));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nginx did not listen on ${port}:\n${errorLog()}`);
  }, 30_000);

  afterAll(async () => {
    if (nginx) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGQUIT');
      setTimeout(() => nginx?.kill('SIGKILL'), 3000).unref();
      await exited;
    }
    // What nginx said during the tests, for whoever reads a failure.
    const log = errorLog();
    if (process.env['SHOW_NGINX_LOG']) process.stderr.write(`\n--- nginx error.log ---\n${log}---\n`);
    const bad = log.split('\n').filter((line) => /\[(emerg|alert|crit|error)\]/.test(line));
    if (bad.length) process.stderr.write(`\n--- nginx error.log (errors) ---\n${bad.join('\n')}\n---\n`);
    expect(bad).toEqual([]);
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  function ask(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    return withTimeout(
      new Promise<Answer>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, method, path, ca: cert, servername: NAME, headers: { host: `${NAME}:${port}`, ...headers } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      }),
      `${method} ${path}`,
    );
  }

  async function signIn(): Promise<string> {
    const answer = await ask('POST', CLASSROOM_PATHS.signIn, { 'content-type': 'application/json', origin: `https://${NAME}:${port}` }, '{"name":"Tess"}');
    expect(answer.status).toBe(201);
    const setCookie = String(answer.headers['set-cookie']);
    expect(setCookie).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    return setCookie.split(';')[0] as string;
  }

  /** ws hands TLS options (the test's CA, the name to verify) to https.request; its types list only its own. */
  const tls = (headers: Record<string, string>): WebSocket.ClientOptions => ({ ca: cert, servername: NAME, headers }) as WebSocket.ClientOptions;

  function connect(headers: Record<string, string>): Promise<{ ws: WebSocket } | { status: number }> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`wss://127.0.0.1:${port}/echo`, tls({ host: `${NAME}:${port}`, ...headers }));
        ws.once('open', () => resolve({ ws }));
        ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
        ws.once('error', reject);
      }),
      'the wss handshake',
    );
  }

  it('keeps idle timers above the companion\'s heartbeat, as the production lesson says', () => {
    const read = Number(/proxy_read_timeout (\d+)s;/.exec(sample)?.[1]);
    expect(read).toBeGreaterThan(LIMITS.heartbeatMs / 1000);
    expect(read).toBeLessThan(3600);
  });

  it('a signed-in learner\'s page reaches /echo over wss:// through nginx', async () => {
    const cookie = await signIn();
    const opened = await connect({ cookie, origin: `https://${NAME}:${port}` });
    if (!('ws' in opened)) throw new Error(`refused with ${opened.status}`);
    const echoed = new Promise<string>((resolve) => opened.ws.once('message', (data: Buffer) => resolve(data.toString())));
    opened.ws.send('through TLS');
    expect(await withTimeout(echoed, 'the echo')).toBe('through TLS');
    const closed = new Promise<number>((resolve) => opened.ws.once('close', resolve));
    opened.ws.close(1000);
    expect(await withTimeout(closed, 'the close')).toBe(1000);
  });

  it('a learner\'s lab answers with a wss:// address through the proxy, which reaches it', async () => {
    const cookie = await signIn();
    const origin = `https://${NAME}:${port}`;
    const code = readFileSync(new URL('../../../labs/echo/solution.lua', import.meta.url), 'utf8');
    const started = await ask('POST', '/api/labs', { cookie, origin, 'content-type': 'application/json' }, JSON.stringify({ language: 'lua', code }));
    expect(started.status).toBe(201);
    const lab = JSON.parse(started.body) as { id: string; url: string };
    expect(lab.url).toBe(`wss://${NAME}:${port}/labs/${lab.id}`);
    const ws = new WebSocket(`wss://127.0.0.1:${port}/labs/${lab.id}`, tls({ host: `${NAME}:${port}`, cookie, origin }));
    await withTimeout(new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject))), 'the lab over wss');
    const echoed = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
    ws.send('lab through TLS');
    expect(await withTimeout(echoed, 'the lab echo', 10_000)).toBe('lab through TLS');
    ws.close();
    expect((await ask('DELETE', `/api/labs/${lab.id}`, { cookie, origin })).status).toBe(204);
  }, 30_000);

  it('behind the proxy every learner has nginx\'s address, so per-address limits count per learner: a 17th inspector is one learner\'s 429, not the class\'s', async () => {
    const origin = `https://${NAME}:${port}`;
    const learners: string[] = [];
    for (const name of ['Uma', 'Vic']) {
      const answer = await ask('POST', CLASSROOM_PATHS.signIn, { 'content-type': 'application/json', origin }, JSON.stringify({ name }));
      learners.push(String(answer.headers['set-cookie']).split(';')[0] as string);
    }
    const [uma, vic] = learners as [string, string];
    const open: WebSocket[] = [];
    const inspect = (cookie: string): Promise<{ ws: WebSocket } | { status: number }> =>
      withTimeout(
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`wss://127.0.0.1:${port}/inspect?fd-tag=run-x`, tls({ host: `${NAME}:${port}`, cookie, origin }));
          ws.once('open', () => (open.push(ws), resolve({ ws })));
          ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
          ws.once('error', reject);
        }),
        'an inspector',
      );
    for (let i = 0; i < LIMITS.inspectSubscribersPerAddress; i++) expect('ws' in (await inspect(uma))).toBe(true);
    expect(await inspect(uma)).toEqual({ status: 429 });
    expect('ws' in (await inspect(vic))).toBe(true);
    for (const ws of open) ws.close();
  }, 30_000);

  it('behind the proxy the checks hold: no sign-in 401, another site\'s page 403, another Host 403', async () => {
    const cookie = await signIn();
    expect(await connect({ origin: `https://${NAME}:${port}` })).toEqual({ status: 401 });
    expect(await connect({ cookie, origin: 'https://evil.test' })).toEqual({ status: 403 });
    expect(await connect({ cookie, host: `evil.test:${port}` })).toEqual({ status: 403 });
    const roster = await ask('GET', CLASSROOM_PATHS.learners, { cookie, origin: `https://${NAME}:${port}` });
    expect(roster.status).toBe(403);
    const page = await ask('GET', '/health', { host: `rebound.test:${port}` });
    expect(page.status).toBe(403);
  });
});
