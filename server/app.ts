import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_PATHS } from '../protocol/endpoints.ts';
import type { Health } from '../protocol/health.ts';
import { resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { staticSite } from './transport/static.ts';
import { VERSION } from './version.ts';

export interface RunningServer {
  readonly config: ServerConfig;
  /** http://host:port as a browser would type it. */
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  close(): Promise<void>;
}

export class PortBusyError extends Error {
  readonly code = 'EADDRINUSE';
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number) {
    super(`Port ${port} is busy: another program is already listening on ${host}:${port}.`);
    this.host = host;
    this.port = port;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function displayUrl(host: string, port: number): string {
  const shown = host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown}:${port}`;
}

/** Starts listening; resolves once the port is bound. */
export async function startServer(
  options: ServerOptions = {},
  deps: { log?: Logger; now?: () => number } = {},
): Promise<RunningServer> {
  const config = resolveConfig(options);
  const log = deps.log ?? createLogger(config.logLevel);
  const now = deps.now ?? (() => performance.now());
  const startedAt = now();
  const site = staticSite(config.siteDir);

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === HTTP_PATHS.health) {
      const body: Health = {
        status: 'ok',
        version: VERSION,
        uptime: Math.round((now() - startedAt) / 10) / 100,
        connections: {},
      };
      sendJson(res, 200, body);
      return;
    }
    site(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      reject(error.code === 'EADDRINUSE' ? new PortBusyError(config.host, config.port) : error);
    };
    const onListening = (): void => {
      http.off('error', onError);
      resolve();
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(config.port, config.host);
  });

  const port = (http.address() as AddressInfo).port;
  const url = displayUrl(config.host, port);
  log.info('listening', { url, host: config.host, port });

  return {
    config,
    url,
    port,
    http,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
