/**
 * Not a suite (bench/run.ts runs only bench/*.ts): a server in its own process for the memory benchmark, so the clients'
 * memory does not count: `companion` (Full Duplex) or `bare` (ws echo).
 * Tells its port over IPC; answers "mem" with its memory after a GC.
 */
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { startServer } from '../../server/app.ts';

const kind = process.argv[2];
let port: number;
if (kind === 'companion') {
  const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', maxConnections: 20_000 });
  port = server.port;
} else {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
  port = (wss.address() as AddressInfo).port;
}
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  if (message !== 'mem') return;
  gc?.();
  setTimeout(() => {
    gc?.();
    const m = process.memoryUsage();
    process.send?.({ rss: m.rss, heapUsed: m.heapUsed, external: m.external });
  }, 200);
});
process.send?.({ port });
