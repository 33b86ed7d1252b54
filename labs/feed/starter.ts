// A live feed: a tick every second to each client, counting up from 1, and
// the timer stopped when the client leaves (a close, or a dropped connection).
// A timer that is never cleared keeps ticking at nobody, and keeps the socket
// object alive with it.
import { WebSocket, WebSocketServer } from 'ws';

/** A client this far behind skips ticks instead of the server buffering them. */
const MAX_BUFFERED = 64 * 1024;

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));
  let n = 0;
  // Each client gets its own timer (and its own n).
  setInterval(() => {
    n += 1;
    // Backpressure: send() never waits, so check what is still queued for a slow reader.
    if (socket.readyState === WebSocket.OPEN && socket.bufferedAmount < MAX_BUFFERED) {
      socket.send(JSON.stringify({ type: 'tick', n }));
    }
  }, 1000);

  socket.on('close', () => {
    // TODO: stop the ticker, then log "feed stopped"
    console.log('client left');
  });
});
