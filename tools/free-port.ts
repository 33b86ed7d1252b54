import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on now: bound to port 0, read, released. For
 * tests, benches and tools; the companion has its own (server/labs/port.ts),
 * since tools/ imports nothing of the repository and server/ nothing of tools/.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
