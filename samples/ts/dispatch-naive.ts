// NAIVE: trusts every message to be JSON of a known type. Do not copy.
import { WebSocketServer, type WebSocket } from 'ws';

type Handler = (socket: WebSocket, msg: { a: number; b: number }) => void;

const handlers: Record<string, Handler> = {
  add: (socket, msg) => socket.send(JSON.stringify({ type: 'sum', value: msg.a + msg.b })),
};

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ port });

wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString()); // throws on "not json"
    const handler = handlers[msg.type] as Handler; // "surely the type exists"
    handler(socket, msg); // throws on an unknown type
  });
});

wss.on('listening', () => console.log(`naive dispatch server on ws://localhost:${port}`));
