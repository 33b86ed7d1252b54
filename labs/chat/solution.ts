// A chat room in Node: ws://host/chat?name=alice. Names are checked before the
// upgrade (in verifyClient), so a bad or taken name is an HTTP status and the
// client never gets a WebSocket.
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const NAME = /^[A-Za-z0-9_-]{1,24}$/;
const members = new Map<string, WebSocket>();
let nextId = 1;

function nameOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://lab').searchParams.get('name') ?? '';
}

function send(socket: WebSocket, message: object): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function toOthers(me: string, message: object): void {
  for (const [name, socket] of members) if (name !== me) send(socket, message);
}

const wss = new WebSocketServer({
  port: Number(process.env.PORT),
  maxPayload: 65535,
  verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, status?: number) => void) => {
    const name = nameOf(req);
    if (!NAME.test(name)) return done(false, 400);
    if (members.has(name)) return done(false, 409);
    done(true);
  },
});

wss.on('connection', (socket, req) => {
  const name = nameOf(req);
  members.set(name, socket);
  socket.on('error', (error) => console.error(`${name}:`, error.message));
  send(socket, { type: 'welcome', you: name, users: [...members.keys()] });
  toOthers(name, { type: 'join', name });

  socket.on('message', (data) => {
    // Relayed as a JSON string: the receiving page must show it as text.
    toOthers(name, { type: 'message', id: nextId++, from: name, text: data.toString(), ts: Date.now() });
  });

  // A close frame or a connection that just drops: both end here.
  socket.on('close', () => {
    members.delete(name);
    toOthers(name, { type: 'leave', name });
  });
});
