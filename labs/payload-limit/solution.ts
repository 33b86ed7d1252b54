// Payload limit: messages over MAX_PAYLOAD bytes close the connection with
// 1009 (message too big); everything up to the limit still echoes.
// ws enforces maxPayload itself: it closes with 1009 and then emits 'error'
// on that socket. An 'error' event nobody listens to throws, so without the
// listener the first oversize message ends the whole server, every client with it.
import { WebSocketServer } from 'ws';

const MAX_PAYLOAD = 1024;

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: MAX_PAYLOAD });

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.warn('closed a client:', error.message));
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
