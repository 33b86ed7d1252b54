// A chat room with ws: names, presence, and every message relayed to
// everyone except its sender. Run: node chat-server.ts, then connect to
// ws://localhost:8080/?name=alice
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const NAME = /^[A-Za-z0-9_-]{1,24}$/;
const members = new Map<string, WebSocket>(); // name → socket
let nextId = 1;

// Answer before upgrading: a refused handshake is an HTTP status, never a
// socket that opens and closes at once. A Node client (and the frame
// inspector) can read the status; a browser cannot: it reports only an
// error event and a close with 1006, as the chat lesson says.
function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function send(to: WebSocket, message: object): void {
  if (to.readyState === WebSocket.OPEN) to.send(JSON.stringify(message));
}

function toOthers(sender: string, message: object): void {
  for (const [name, socket] of members) {
    if (name !== sender) send(socket, message);
  }
}

const http = createServer((_req, res) => res.writeHead(426).end('WebSocket only\n'));
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

http.on('upgrade', (req, socket, head) => {
  const name = new URL(req.url ?? '/', 'http://localhost').searchParams.get('name') ?? '';
  if (!NAME.test(name)) return refuse(socket, 400, 'Bad Request');
  if (members.has(name)) return refuse(socket, 409, 'Conflict');
  wss.handleUpgrade(req, socket, head, (ws) => join(name, ws));
});

function join(name: string, ws: WebSocket): void {
  members.set(name, ws);
  send(ws, { type: 'welcome', you: name, users: [...members.keys()] });
  toOthers(name, { type: 'join', name });

  ws.on('message', (data, isBinary) => {
    if (isBinary) return; // a chat line is text
    // The text is relayed as data inside JSON, never as markup: whoever
    // shows it must insert it as text (textContent), not as HTML.
    toOthers(name, { type: 'message', id: nextId++, from: name, text: data.toString(), ts: Date.now() });
  });
  ws.on('close', () => {
    members.delete(name);
    toOthers(name, { type: 'leave', name });
  });
  ws.on('error', (error) => console.error(`${name}: ${error.message}`));
}

http.listen(port, () => console.log(`chat server on ws://localhost:${port}`));
