import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions } from 'ws';

/**
 * A `ws` server on a free port of 127.0.0.1 for the check's tests (check-skip, check-deadline), once it
 * listens. The caller closes it: a hook registered here would run for the first file that imports this
 * only, since the unit files share one module cache (vitest.config.ts).
 */
export async function wsServer(options: Omit<ServerOptions, 'port' | 'host'> = {}): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ ...options, port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
