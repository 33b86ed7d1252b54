// An echo server with ws: every message comes back to its sender unchanged.
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ port, maxPayload: 64 * 1024 });

wss.on('connection', (socket, request) => {
  console.log(`connected: ${request.socket.remoteAddress}`);

  socket.on('message', (data, isBinary) => {
    // Text stays text and binary stays binary, byte for byte.
    socket.send(data, { binary: isBinary });
  });

  // ws answers pings with pongs by itself; this only shows they arrive.
  socket.on('ping', (data) => console.log(`ping: ${data.toString()}`));

  socket.on('close', (code, reason) => {
    console.log(`closed: ${code} ${reason.toString()}`);
  });

  // A message over maxPayload lands here; ws has already sent close 1009.
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

wss.on('listening', () => console.log(`echo server on ws://localhost:${port}`));
