// Heartbeat: ping each client every PING_EVERY ms; any pong or message should
// reset its count; after 2 unanswered pings, close it with 4000 "no pong".
// close() sends a close frame and waits for the answer (ws gives up after
// 30 s); terminate() cuts the TCP connection at once, for a peer that is gone.
import { WebSocketServer } from 'ws';

const PING_EVERY = 1000;

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));
  socket.on('message', (data, isBinary) => {
    socket.send(data, { binary: isBinary });
  });

  const timer = setInterval(() => {
    // TODO: ping the client with socket.ping('heartbeat'), count the pings it has not
    // answered (a 'pong' event resets the count), and close with 4000 "no pong" after 2 of them
  }, PING_EVERY);
  socket.on('close', () => clearInterval(timer));
});
