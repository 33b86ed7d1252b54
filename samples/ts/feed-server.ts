// A live feed with ws: the server pushes the latest value of each topic a
// client subscribed to, on its own clock. Connect to
// ws://localhost:8080/?topics=cpu,visitors and send
// {"type":"subscribe","topics":["orders"]} to add one.
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const intervalMs = Number(process.env.TICK_MS ?? 1000);
// Past this many unsent bytes a client is not keeping up: skip its ticks
// until it drains. A feed sends the latest value, so a skipped tick loses
// nothing that the next one does not replace.
const SLOW_BYTES = 64 * 1024;

const values = new Map<string, number>([
  ['cpu', 35],
  ['visitors', 120],
  ['orders', 8],
]);
const subscriptions = new Map<WebSocket, Set<string>>();

function topicsFrom(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string' && values.has(t)) : [];
}

const wss = new WebSocketServer({ port, maxPayload: 4 * 1024 });

wss.on('connection', (socket, req) => {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('topics') ?? 'cpu';
  subscriptions.set(socket, new Set(topicsFrom(query.split(','))));

  socket.on('message', (data, isBinary) => {
    let parsed: unknown;
    try {
      parsed = isBinary ? {} : JSON.parse(data.toString());
    } catch {
      socket.send(JSON.stringify({ type: 'error', code: 'bad_json' }));
      return;
    }
    // `null`, `42` or `"hi"` are valid JSON too, but not commands: never read fields off them.
    const command: { type?: unknown; topics?: unknown } = typeof parsed === 'object' && parsed !== null ? parsed : {};
    const mine = subscriptions.get(socket);
    if (!mine) return;
    if (command.type === 'subscribe') for (const t of topicsFrom(command.topics)) mine.add(t);
    else if (command.type === 'unsubscribe') for (const t of topicsFrom(command.topics)) mine.delete(t);
    else socket.send(JSON.stringify({ type: 'error', code: 'unknown_type' }));
  });
  socket.on('close', () => subscriptions.delete(socket));
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

// One clock for everyone: compute each topic once per tick, then fan out.
let skipped = 0;
setInterval(() => {
  const ts = Date.now();
  for (const [topic, value] of values) {
    values.set(topic, Math.max(0, Math.round(value + (Math.random() - 0.5) * value * 0.2)));
  }
  for (const [socket, topics] of subscriptions) {
    if (socket.readyState !== WebSocket.OPEN) continue;
    if (socket.bufferedAmount > SLOW_BYTES) {
      skipped += topics.size;
      continue;
    }
    for (const topic of topics) {
      socket.send(JSON.stringify({ type: 'tick', topic, value: values.get(topic), ts }));
    }
  }
}, intervalMs);

setInterval(() => {
  if (skipped > 0) console.log(`skipped ${skipped} ticks for slow clients`);
  skipped = 0;
}, 10_000).unref();

wss.on('listening', () => console.log(`feed server on ws://localhost:${port}`));
