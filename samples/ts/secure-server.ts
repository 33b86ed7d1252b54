// A WebSocket server that checks who is knocking before it opens the door:
// the Origin of the page, then a one-time ticket in the URL. After that,
// every message is size-limited, rate-limited and validated.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { TokenBucket } from './token-bucket.ts';

const port = Number(process.env.PORT ?? 8080);
const allowedOrigins = new Set((process.env.ALLOWED_ORIGINS ?? `http://localhost:${port}`).split(','));
const TICKET_TTL_MS = 30_000;
const MAX_TICKETS_PER_USER = 5;

const incoming = z.object({ type: z.literal('say'), text: z.string().min(1).max(500) });

// Stand-in for a real session store: the cookie `session=<name>` logs in as <name>.
function userFromSession(request: IncomingMessage): string | undefined {
  return /(?:^|;\s*)session=([a-z]{1,20})(?:;|$)/.exec(request.headers.cookie ?? '')?.[1];
}

const tickets = new Map<string, { user: string; expires: number }>();

// The page asks for a ticket with an ordinary request, which carries the
// session cookie; it then opens the socket with ?ticket=… in the URL.
const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/ticket') return void response.writeHead(404).end();
  const user = userFromSession(request);
  if (!user) return void response.writeHead(401).end();
  // Unused tickets must not pile up: drop expired ones, and let a user who
  // asks again and again hold only the newest few.
  const now = Date.now();
  const mine: string[] = [];
  for (const [key, grant] of tickets) {
    if (grant.expires < now) tickets.delete(key);
    else if (grant.user === user) mine.push(key);
  }
  for (const key of mine.slice(0, Math.max(0, mine.length - MAX_TICKETS_PER_USER + 1))) tickets.delete(key);
  const ticket = randomBytes(18).toString('base64url');
  tickets.set(ticket, { user, expires: now + TICKET_TTL_MS });
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ticket }));
});

function refuse(socket: Duplex, status: string): void {
  socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });

server.on('upgrade', (request, socket, head) => {
  // Browsers always send Origin, and a page cannot change it. Other clients
  // may leave it out; they still need a ticket.
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin)) return refuse(socket, '403 Forbidden');

  const ticket = new URL(request.url ?? '/', 'http://localhost').searchParams.get('ticket') ?? '';
  const grant = tickets.get(ticket);
  tickets.delete(ticket); // one use only
  if (!grant || grant.expires < Date.now()) return refuse(socket, '401 Unauthorized');

  wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, grant.user));
});

function onConnection(socket: WebSocket, user: string): void {
  const bucket = new TokenBucket(10, 1);

  socket.on('message', (data, isBinary) => {
    if (isBinary) return socket.close(1003, 'text only');
    if (!bucket.take()) return socket.close(1008, 'too many messages');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return socket.send(JSON.stringify({ type: 'error', code: 'bad_json' }));
    }
    const result = incoming.safeParse(parsed);
    if (!result.success) return socket.send(JSON.stringify({ type: 'error', code: 'bad_message' }));

    // The sender's name comes from the ticket, never from the message.
    const out = JSON.stringify({ type: 'said', from: user, text: result.data.text });
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(out);
    }
  });
  socket.on('error', (error) => console.error(`error: ${error.message}`));
}

server.listen(port, () => console.log(`secure server on ws://localhost:${port}`));
