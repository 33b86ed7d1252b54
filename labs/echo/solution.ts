// Your echo server, in Node with ws. Every text or binary message goes back
// to its sender unchanged, as the same kind of frame. ws answers pings with
// pongs and closes with the client's code by itself.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket) => {
  // Without an 'error' listener, one bad frame from one client ends the whole process.
  socket.on('error', (error) => console.error('socket error:', error.message));

  socket.on('message', (data, isBinary) => {
    if (!isBinary) console.log('received:', data.toString());
    socket.send(data, { binary: isBinary });
  });
});
