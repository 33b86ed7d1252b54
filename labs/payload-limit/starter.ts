// Payload limit: messages over MAX_PAYLOAD bytes should close the connection
// with 1009 (message too big); everything up to the limit still echoes.
// ws enforces maxPayload itself: it closes with 1009 and then emits 'error'
// on that socket. Run this, send a big message, and read the Output.
import { WebSocketServer } from 'ws';

const MAX_PAYLOAD = 1024;

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: MAX_PAYLOAD });

wss.on('connection', (socket) => {
  // TODO: what happens to the other clients when one sends too much?
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
