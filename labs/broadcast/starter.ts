// Broadcast: every message should reach every connected client, sender
// included. Node has no cosocket rule: any code may write to any socket.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));

  socket.on('message', (data, isBinary) => {
    // TODO: send it to every client in wss.clients, not only back to the sender
    socket.send(data, { binary: isBinary });
  });
});
