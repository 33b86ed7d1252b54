import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { inspectEventSchema, type HandshakeEvent, type InspectEvent } from '../../../protocol/inspect.ts';
import { openRestyMissing } from '../../../server/labs/openresty/engine.ts';
import { useServer, withTimeout, type TestServer } from '../server/helpers.ts';

/**
 * A lab's server that refuses the upgrade, watched by the live diagram's
 * /inspect stream: the chat lab's own solution answers a connection without
 * a name with 400 before server:new() (ngx.exit(400)), or in verifyClient
 * (ws). The stream shows the request and the 400 as the handshake event and
 * never a frame, not of the refusal's HTML body, not of the bytes the client
 * sends with its request. The engines that proxy to the lab's own process
 * (nginx, Node) also report the TCP connection's end; the embedded one does
 * not. The companion logs no error.
 */
const embedded = await useServer();
const missing = openRestyMissing();
const nginx = missing.length > 0 && process.env['CI'] !== 'true' ? null : await useServer({ luaEngine: 'openresty' });
if (!nginx) process.stderr.write(`\n!! SKIPPING the nginx case: missing ${missing.join(', ')}\n\n`);

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
/** A text frame "hi", masked with the all-zero key: what an impatient client sends before the answer. */
const CLIENT_HI = Buffer.from('81 82 00000000 6869'.replaceAll(' ', ''), 'hex');
/** A close 1000, masked the same way: what it sends once the answer is in. */
const CLIENT_CLOSE = Buffer.from('88 82 00000000 03e8'.replaceAll(' ', ''), 'hex');

async function startChat(server: TestServer, language: 'lua' | 'ts'): Promise<{ id: string; url: string }> {
  const code = readFileSync(new URL(`../../../labs/chat/solution.${language}`, import.meta.url), 'utf8');
  const res = await fetch(`${server.base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language, code, lab: 'chat' }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string };
}

/** Every event of the tag's connections, parsed with the schema, as they come. */
async function inspect(server: TestServer, tag: string): Promise<{ events: InspectEvent[]; close(): void }> {
  const events: InspectEvent[] = [];
  const ws = new WebSocket(`${server.ws}/inspect?fd-tag=${tag}`);
  ws.on('message', (data) => events.push(inspectEventSchema.parse(JSON.parse(String(data)))));
  await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 'the inspector', 10_000);
  return { events, close: () => ws.close() };
}

/** The upgrade request byte for byte, a frame right behind it, and one more once the answer is in; resolves with all it read. */
function refusedClient(port: number, target: string): Promise<string> {
  return withTimeout(
    new Promise((resolve) => {
      const socket = connectTcp(port, '127.0.0.1', () => {
        const request = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
        socket.write(Buffer.concat([Buffer.from(request, 'latin1'), CLIENT_HI]));
      });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) socket.write(CLIENT_CLOSE);
        chunks.push(chunk);
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    }),
    'the refusal',
    10_000,
  );
}

/** A connection the lab accepts, closed cleanly: once its end is in the stream, everything before it is too. */
async function acceptedClient(url: string, events: InspectEvent[]): Promise<string> {
  const ws = new WebSocket(url);
  await withTimeout(new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  }), 'the welcome', 10_000);
  ws.close(1000);
  await withTimeout(new Promise((resolve) => ws.once('close', resolve)), 'the close', 10_000);
  let conn: string | null = null;
  for (let i = 0; i < 200; i++) {
    conn = events.find((e): e is HandshakeEvent => e.kind === 'handshake' && e.tag?.endsWith('.bob') === true)?.conn ?? null;
    if (conn !== null && events.some((e) => e.kind === 'end' && e.conn === conn)) return conn;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no end of bob's connection: ${JSON.stringify(events.map((e) => e.kind))}`);
}

const REQUEST_HEADERS: [string, string][] = [
  ['Host', 'PORT'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', KEY],
  ['Sec-WebSocket-Version', '13'],
];

/** The response headers in wire order; LENGTH stands for the length of the body the client read, SERVER and DATE for nginx's. */
type Case = { name: string; server: () => TestServer | null; language: 'lua' | 'ts'; proxied: boolean; response: [string, string][]; body: RegExp };

const cases: Case[] = [
  {
    name: 'the embedded Lua engine',
    server: () => embedded,
    language: 'lua',
    proxied: false,
    response: [
      ['Content-Type', 'text/html'],
      ['Content-Length', 'LENGTH'],
      ['Connection', 'close'],
    ],
    body: /^<html>\r\n<head><title>400 Bad Request<\/title><\/head>/,
  },
  {
    name: 'nginx',
    server: () => nginx,
    language: 'lua',
    proxied: true,
    response: [
      ['Server', 'SERVER'],
      ['Date', 'DATE'],
      ['Content-Type', 'text/html'],
      ['Content-Length', 'LENGTH'],
      ['Connection', 'close'],
    ],
    body: /^<html>\r\n<head><title>400 Bad Request<\/title><\/head>/,
  },
  {
    name: 'the TypeScript engine',
    server: () => embedded,
    language: 'ts',
    proxied: true,
    response: [
      ['Connection', 'close'],
      ['Content-Type', 'text/html'],
      ['Content-Length', 'LENGTH'],
    ],
    body: /^Bad Request$/,
  },
];

describe('a lab server that refuses the upgrade, in the /inspect stream', () => {
  it.each(cases)('on $name: the handshake event with the 400, no frame, and no error in the log', { timeout: 60_000 }, async ({ server: which, language, proxied, response, body }) => {
    const server = which();
    if (!server) return;
    const lab = await startChat(server, language);
    const tag = `refusal-${language}-${proxied ? 'proxied' : 'embedded'}`;
    const inspector = await inspect(server, tag);
    const path = new URL(lab.url).pathname;
    const answer = await refusedClient(server.port, `${path}?fd-tag=${tag}.alice`);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    // The body the tap used to draw as a frame: for "<html>", FIN 0, RSV2 1, RSV3 1, opcode 12.
    const sent = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(sent).toMatch(body);
    const bob = await acceptedClient(`${lab.url}?name=bob&fd-tag=${tag}.bob`, inspector.events);
    inspector.close();

    const alice = inspector.events.filter((e) => 'conn' in e && e.conn !== bob);
    const conn = alice[0]?.kind === 'handshake' ? alice[0].conn : '';
    expect(conn).toMatch(new RegExp(`^lab-${lab.id.slice(0, 6)}-[0-9a-f]{6}$`));
    const normal = alice.map((e) => {
      const event = { ...e, t: 0 };
      if (event.kind !== 'handshake') return event;
      const value = (header: string, v: string): string => (header === 'Host' ? 'PORT' : header === 'Server' ? 'SERVER' : header === 'Date' ? 'DATE' : v);
      const length = (header: string, v: string): string => (header === 'Content-Length' && v === String(Buffer.byteLength(sent, 'latin1')) ? 'LENGTH' : value(header, v));
      return {
        ...event,
        request: { ...event.request, headers: event.request.headers.map(([h, v]): [string, string] => [h, value(h, v)]) },
        response: { ...event.response, headers: event.response.headers.map(([h, v]): [string, string] => [h, length(h, v)]) },
      };
    });
    expect(normal).toEqual([
      {
        kind: 'handshake',
        conn,
        t: 0,
        endpoint: 'lab',
        tag: `${tag}.alice`,
        request: { method: 'GET', target: path, httpVersion: '1.1', headers: REQUEST_HEADERS },
        response: { status: 400, statusText: 'Bad Request', headers: response },
      },
      ...(proxied ? [{ kind: 'end', conn, t: 0, code: 1006, reason: '', how: 'abnormal' }] : []),
    ]);
    expect(inspector.events.filter((e) => e.kind === 'frame' && e.conn !== bob)).toEqual([]);
    // bob's connection, for contrast: its frames are there.
    expect(inspector.events.filter((e) => e.kind === 'frame').length).toBeGreaterThan(0);
    expect((await fetch(`${server.base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(server.errors).toEqual([]);
  });
});
