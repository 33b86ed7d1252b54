// Heartbeat: ping each client every PING_EVERY ms; any pong or message
// resets its count; after MAX_MISSED unanswered pings, close it with 4000 "no pong".
// close() sends a close frame and waits for the answer (ws gives up after
// 30 s); terminate() cuts the TCP connection at once, for a peer that is gone.
import { WebSocketServer } from 'ws';

const PING_EVERY = 1000;
const MAX_MISSED = 2;

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));
  let missed = 0;
  socket.on('pong', () => (missed = 0));
  socket.on('message', (data, isBinary) => {
    missed = 0;
    socket.send(data, { binary: isBinary });
  });

  const timer = setInterval(() => {
    if (missed >= MAX_MISSED) {
      clearInterval(timer);
      console.log(`no pong after ${MAX_MISSED} pings: closing`);
      socket.close(4000, 'no pong');
      // A peer that cannot answer the close either is cut off.
      setTimeout(() => socket.terminate(), 2000).unref();
      return;
    }
    missed += 1;
    socket.ping('heartbeat');
  }, PING_EVERY);
  socket.on('close', () => clearInterval(timer));
});
