// An echo server that drains on SIGTERM instead of dropping everyone: it
// stops accepting, asks every client to come back with 1012 (service
// restart), waits for them to go, and cuts the rest after a deadline.
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
const DRAIN_MS = Number(process.env.DRAIN_MS ?? 10_000);

const wss = new WebSocketServer({ port, maxPayload: 64 * 1024 });

wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

process.once('SIGTERM', async () => {
  const open = [...wss.clients];
  console.log(`draining ${open.length} connections`);
  wss.close(); // no new connections from here on; open ones are left to us
  const gone = open.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
  // 1012: a restart, not an error. Clients should reconnect, with jitter.
  for (const socket of open) socket.close(1012, 'service restart');
  const deadline = new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref());
  await Promise.race([Promise.all(gone), deadline]);
  const stuck = [...wss.clients];
  for (const socket of stuck) socket.terminate(); // never answered the close frame
  console.log(`drained: ${open.length - stuck.length} closed cleanly, ${stuck.length} cut`);
  process.exit(0);
});

wss.on('listening', () => console.log(`draining echo server on ws://localhost:${port}`));
