// An echo server with ws: every message goes back to its sender.
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ port, maxPayload: 64 * 1024 });

wss.on('connection', (socket, request) => {
  console.log(`connected: ${request.socket.remoteAddress}`);

  socket.on('message', (data, isBinary) => {
    // Text stays text and binary stays binary, byte for byte.
    socket.send(data, { binary: isBinary });
  });

  // ws answers pings with pongs itself; this only logs them.
  socket.on('ping', (data) => console.log(`ping: ${data.toString()}`));

  socket.on('close', (code, reason) => {
    console.log(`closed: ${code} ${reason.toString()}`);
  });

  // An oversized message lands here: ws already closed with 1009.
  socket.on('error', (err) => console.error(`error: ${err.message}`));
});

wss.on('listening', () => {
  console.log(`echo server on ws://localhost:${port}`);
});
