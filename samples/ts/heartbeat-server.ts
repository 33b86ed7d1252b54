// An echo server that notices dead peers: every HEARTBEAT_MS it pings each
// client, and a client that has not answered the previous ping is cut off.
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 30_000);
const wss = new WebSocketServer({ port, maxPayload: 64 * 1024 });

// Clients that answered the last ping (or connected since it was sent).
const alive = new WeakSet<WebSocket>();

wss.on('connection', (socket) => {
  alive.add(socket);
  socket.on('pong', () => alive.add(socket));
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

const heartbeat = setInterval(() => {
  for (const socket of wss.clients) {
    if (!alive.has(socket)) {
      // No pong since the last round. A close handshake needs the peer too,
      // so do not wait for one: destroy the TCP connection now.
      console.log('terminating a client that missed a pong');
      socket.terminate();
      continue;
    }
    alive.delete(socket);
    socket.ping();
  }
}, heartbeatMs);

wss.on('close', () => clearInterval(heartbeat));
wss.on('listening', () => console.log(`heartbeat server on ws://localhost:${port}`));
