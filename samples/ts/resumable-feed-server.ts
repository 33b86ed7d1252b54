// A feed that can be resumed: each event has a sequence number, the server
// keeps the last HISTORY events, and a client that connects with
// ?since=<seq> first gets every kept event after that number, then the live ones.
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const tickMs = Number(process.env.TICK_MS ?? 1000);
const HISTORY = 1000;

interface Tick {
  seq: number;
  value: number;
  ts: number;
}

let seq = 0;
const history: Tick[] = [];
const wss = new WebSocketServer({ port, maxPayload: 1024 });

wss.on('connection', (socket, request) => {
  const since = Number(new URL(request.url ?? '/', 'http://localhost').searchParams.get('since'));
  if (Number.isInteger(since) && since > 0) {
    // Replay and live ticks share one thread: no tick can slip in between.
    const missed = history.filter((tick) => tick.seq > since);
    for (const tick of missed) socket.send(JSON.stringify(tick));
    console.log(`resumed after ${since}: replayed ${missed.length}`);
  }
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

setInterval(() => {
  seq += 1;
  const tick: Tick = { seq, value: Math.round(50 + 40 * Math.sin(seq / 10)), ts: Date.now() };
  history.push(tick);
  if (history.length > HISTORY) history.shift();
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(tick));
  }
}, tickMs);

wss.on('listening', () => console.log(`resumable feed on ws://localhost:${port}`));
