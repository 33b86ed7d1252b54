// Broadcast with ws: each message goes to every open client, sender included.
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ port });

wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    // wss.clients drops a socket as soon as it closes, so the set never
    // grows without bound; the readyState check skips ones still closing.
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    }
  });
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

wss.on('listening', () => console.log(`broadcast server on ws://localhost:${port}`));
