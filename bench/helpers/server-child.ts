/**
 * Not a suite (bench/run.ts runs only bench/*.ts): a server in its own process, so the clients'
 * memory and CPU do not count: `companion` (Full Duplex) or `bare` (the textbook ws echo, and
 * broadcast on /broadcast); a third argument is a Redis URL for the companion's --redis. Tells its port over IPC; answers "mem" with its memory after a GC and
 * "cpu" with the CPU time it has used (user + system, µs).
 */
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { startServer } from '../../server/app.ts';

const kind = process.argv[2];
let port: number;
if (kind === 'companion') {
  const server = await startServer({
    port: 0,
    logLevel: 'silent',
    siteDir: '/nonexistent/',
    maxConnections: 20_000,
    // The default limit (20/s per connection) is a safety net for learners; a load test exceeds it by design.
    rateLimit: { perSecond: 1e9, burst: 1e9, abuse: 1e9 },
    ...(process.argv[3] ? { redis: process.argv[3] } : {}),
  });
  port = server.port;
} else {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws, req) => {
    if (req.url === '/broadcast') {
      ws.on('message', (data, isBinary) => {
        for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data as Buffer, { binary: isBinary });
      });
    } else {
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    }
  });
  port = (wss.address() as AddressInfo).port;
}
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  // A clean exit, so a run under --cpu-prof writes its profile.
  if (message === 'exit') process.exit(0);
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
    return;
  }
  if (message !== 'mem') return;
  gc?.();
  setTimeout(() => {
    gc?.();
    const m = process.memoryUsage();
    process.send?.({ rss: m.rss, heapUsed: m.heapUsed, external: m.external });
  }, 200);
});
process.send?.({ port });
