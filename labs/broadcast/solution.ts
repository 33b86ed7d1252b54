// Broadcast: every message to every connected client, sender included.
// Node has no cosocket rule: any code may write to any socket. Its pitfall is
// a slow reader: send() queues in memory (socket.bufferedAmount) and never
// waits, so a client that stops reading makes the server hold ever more.
import { WebSocket, WebSocketServer } from 'ws';

/** A client this far behind is dropped rather than buffered for without end. */
const MAX_BUFFERED = 1024 * 1024;

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));

  socket.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      // A client that left is still in the set until its close completes.
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > MAX_BUFFERED) {
        client.terminate();
        continue;
      }
      client.send(data, { binary: isBinary });
    }
  });
});
