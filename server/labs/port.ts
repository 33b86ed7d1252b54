import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on now: bound to port 0, read, released.
 * (Another process could take it before the caller binds it; lab servers
 * and nginx are started right after, and a clash fails their start loudly.)
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
