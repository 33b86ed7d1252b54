/**
 * Not a suite: the load generator of bench/server-process.ts, in its own
 * process so the clients' work does not share a CPU queue with the server's.
 * Gets one job over IPC, answers with its rate.
 *
 * echo: `clients` sockets in lock step, each sends, waits for its echo, sends again.
 * broadcast: `clients` sockets on /broadcast; one sends, waits until every socket
 * got the message, sends the next: deliveries per second.
 */
import WebSocket from 'ws';

export interface LoadJob {
  kind: 'echo' | 'broadcast';
  url: string;
  clients: number;
  ms: number;
  /** Milliseconds between connecting and measuring (0: measure at once). */
  settleMs?: number;
}

const PAYLOAD = 'x'.repeat(64);

async function connect(url: string, count: number): Promise<WebSocket[]> {
  const clients = Array.from({ length: count }, () => new WebSocket(url, { perMessageDeflate: false }));
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        }),
    ),
  );
  return clients;
}

async function close(clients: WebSocket[]): Promise<void> {
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    ),
  );
}

/** Messages counted by the last job: the bench divides the server's CPU time by it. */
let lastCount = 0;

async function echo(job: LoadJob): Promise<number> {
  const clients = await connect(job.url, job.clients);
  if (job.settleMs) await new Promise((resolve) => setTimeout(resolve, job.settleMs));
  let received = 0;
  let running = true;
  for (const ws of clients) {
    ws.on('message', () => {
      received += 1;
      if (running) ws.send(PAYLOAD);
    });
  }
  const start = performance.now();
  for (const ws of clients) ws.send(PAYLOAD);
  await new Promise((resolve) => setTimeout(resolve, job.ms));
  running = false;
  const rate = received / ((performance.now() - start) / 1000);
  lastCount = received;
  await close(clients);
  return rate;
}

async function broadcast(job: LoadJob): Promise<number> {
  const clients = await connect(job.url, job.clients);
  const sender = clients[0] as WebSocket;
  let delivered = 0;
  let running = true;
  let pending = 0;
  for (const ws of clients) {
    ws.on('message', () => {
      delivered += 1;
      pending -= 1;
      if (pending === 0 && running) {
        pending = clients.length;
        sender.send(PAYLOAD);
      }
    });
  }
  const start = performance.now();
  pending = clients.length;
  sender.send(PAYLOAD);
  await new Promise((resolve) => setTimeout(resolve, job.ms));
  running = false;
  const rate = delivered / ((performance.now() - start) / 1000);
  lastCount = delivered;
  await close(clients);
  return rate;
}

process.on('message', (job: LoadJob) => {
  void (job.kind === 'echo' ? echo(job) : broadcast(job)).then(
    (rate) => process.send?.({ rate, count: lastCount }),
    (error: Error) => process.send?.({ error: error.message }),
  );
});
process.send?.({ ready: true });
