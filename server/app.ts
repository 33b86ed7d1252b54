import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LIMITS } from '../protocol/constants.ts';
import { DEV_SERVER_PORT, type EndpointKind } from '../protocol/endpoints.ts';
import type { Health } from '../protocol/health.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { InspectHub } from './core/inspect-hub.ts';
import { AccessPolicy, isLoopbackName, type Access } from './core/origin.ts';
import { resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import { broadcastEndpoint } from './endpoints/broadcast.ts';
import { chatEndpoint } from './endpoints/chat.ts';
import { echoEndpoint } from './endpoints/echo.ts';
import { feedEndpoint } from './endpoints/feed.ts';
import { inspectEndpoint } from './endpoints/inspect.ts';
import type { Endpoint, EndpointContext, Stats } from './endpoints/types.ts';
import { createLogger, type Logger } from './log.ts';
import { clientErrorReply, createHttpHandler } from './transport/http.ts';
import { staticSite } from './transport/static.ts';
import { createWebSocketLayer } from './transport/websocket.ts';
import { createLabsApi } from './labs/api.ts';
import { RedisBus } from './scale/redis-bus.ts';
import { loadLabs } from './labs/catalog.ts';
import { embeddedLuaEngine } from './labs/lua/engine.ts';
import { openRestyEngine } from './labs/openresty/engine.ts';
import { tsEngine } from './labs/ts/engine.ts';
import { VERSION } from './version.ts';
import { answerOutsideClassroom, createClassroomApi } from './classroom/api.ts';
import { createIdentifier, learnerSecret, teacherSecret } from './classroom/identity.ts';
import { Roster } from './classroom/roster.ts';

export interface RunningServer {
  readonly config: ServerConfig;
  /** http://host:port as a browser would type it. */
  readonly url: string;
  /** Every URL another machine may use: one per interface address when bound beyond loopback. */
  readonly urls: readonly string[];
  /** Lets /inspect watch untagged connections (`?fd-key=`); printed at start-up. */
  readonly inspectorKey: string;
  /** Classroom mode: the teacher key (it is also the inspector key); null outside it. */
  readonly teacherKey: string | null;
  readonly port: number;
  readonly http: Server;
  /** Open WebSocket connections per endpoint. */
  counts(): Record<EndpointKind, number>;
  /** Graceful stop: no new connections, 1001 to every client, then the port is released. */
  close(): Promise<void>;
}

/**
 * The port could not be bound, said in words a learner can act on: `message` says why, `advice`
 * what to run instead. The CLI prints both and exits 1; a program that calls startServer may too.
 */
export class ListenError extends Error {
  readonly advice: string;
  constructor(message: string, advice: string) {
    super(message);
    this.advice = advice;
  }
}

export class PortBusyError extends ListenError {
  readonly code = 'EADDRINUSE';
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number) {
    super(
      `Port ${port} is busy: another program is already listening on ${host}:${port}.`,
      'Stop that program, or start Full Duplex on another port:\n' +
        `  npm start -- --port ${port === 65535 ? 8081 : port + 1}\n` +
        '(lessons assume 8080; on another port, change ws://localhost:8080 in the examples to match)',
    );
    this.host = host;
    this.port = port;
  }
}

/** `--host` names an address this machine does not have (a mistyped one, or the address the network gave it yesterday). */
export class HostNotHereError extends ListenError {
  readonly code = 'EADDRNOTAVAIL';
  readonly host: string;
  /** `addresses`: this machine's IPv4 addresses, offered instead. */
  constructor(host: string, addresses: readonly string[]) {
    super(
      `${host} is not an address of this machine, so nothing can listen on it.`,
      `This machine's addresses: ${addresses.join(', ')}. Start on one of them, or on all of its networks:\n  npm start -- --host 0.0.0.0`,
    );
    this.host = host;
  }
}

/**
 * The system refuses the port: below 1024 it is an administrator's; above, on Windows, Hyper-V and
 * WSL reserve ranges of ports that no program may listen on (Node says EACCES for both).
 */
export class PortForbiddenError extends ListenError {
  readonly code = 'EACCES';
  readonly port: number;
  constructor(host: string, port: number) {
    if (port < 1024) {
      super(
        `Port ${port} on ${host} is reserved for the system: only an administrator may listen on a port below 1024.`,
        'Start Full Duplex on a port above 1023:\n  npm start -- --port 8080',
      );
    } else {
      super(
        `The system does not let this program listen on port ${port} on ${host}. On Windows, ports that Hyper-V or WSL reserve are refused so (netsh interface ipv4 show excludedportrange protocol=tcp lists them).`,
        'Start Full Duplex on another port, for example:\n  npm start -- --port 18080',
      );
    }
    this.port = port;
  }
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') return new PortBusyError(host, port);
  if (error.code === 'EADDRNOTAVAIL') return new HostNotHereError(host, machineNames().filter((name) => IPV4.test(name)));
  if (error.code === 'EACCES') return new PortForbiddenError(host, port);
  return error;
}

export function displayUrl(host: string, port: number): string {
  const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** This machine's name and interface addresses: what another machine may put in Host. */
export function machineNames(): string[] {
  const names = [hostname()];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) names.push(info.address);
  }
  return names;
}

/** The URLs a server bound to `host` answers on: each non-loopback interface address for a wildcard bind. */
export function reachableUrls(host: string, port: number, names: readonly string[] = machineNames()): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [displayUrl(host, port)];
  const addresses = names.filter((n) => IPV4.test(n) || (host === '::' && n.includes(':')));
  return [displayUrl('127.0.0.1', port), ...addresses.filter((a) => !isLoopbackName(a) && a !== '::1').map((a) => displayUrl(a, port))];
}

/** Starts listening; resolves once the port is bound. */
export async function startServer(
  options: ServerOptions = {},
  deps: { log?: Logger; now?: Clock } = {},
): Promise<RunningServer> {
  const config = resolveConfig(options);
  const log = deps.log ?? createLogger(config.logLevel);
  const now = deps.now ?? systemClock;
  const startedAt = performance.now();
  const stats: Stats = { dropped: 0 };
  const tokenSecret = config.tokenSecret ? Buffer.from(config.tokenSecret) : randomBytes(32);
  // In a class one secret is enough to hold: the teacher key also watches every connection.
  const teacherKey = config.classroom ? (config.teacherKey ?? randomBytes(18).toString('base64url')) : null;
  const inspectorKey = teacherKey ?? config.inspectorKey ?? randomBytes(18).toString('base64url');
  const roster = config.classroom ? new Roster({ now, limits: config.classroomLimits }) : null;
  const secretOfLearners = learnerSecret(tokenSecret);
  // The teacher's session cookie is signed under the secret and the key together (never the key itself).
  const secretOfTeacher = teacherKey === null ? null : teacherSecret(tokenSecret, teacherKey);
  const identifier = teacherKey === null || secretOfTeacher === null ? null : createIdentifier({ teacherKey, teacherSecret: secretOfTeacher, learnerSecret: secretOfLearners, now });
  const classroom = identifier && roster ? { identify: (req: IncomingMessage) => identifier.identify(req.headers), roster } : null;
  // --redis: broadcast, chat and feed shared with the other processes on the same Redis.
  const bus = config.redis ? new RedisBus({ url: config.redis, log }) : null;
  const ctx: EndpointContext = { config, now, log, stats, ...(bus ? { bus } : {}) };

  const hub = new InspectHub({
    now,
    replayEvents: LIMITS.inspectReplayEvents,
    replayMs: LIMITS.inspectReplaySeconds * 1000,
    perSecond: LIMITS.inspectEventsPerSecond,
    burst: LIMITS.inspectEventsBurst,
  });
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  // Filled in below; the feed's `server` topic reads the live count.
  let connectionCount = (): number => 0;
  const feed = feedEndpoint(ctx, {
    figures: () => {
      const memory = process.memoryUsage();
      const meanMs = Number.isNaN(lag.mean) ? 0 : lag.mean / 1e6;
      lag.reset();
      return {
        connections: connectionCount(),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        eventLoopLagMs: Math.round(meanMs * 100) / 100,
      };
    },
  });
  const inspect = inspectEndpoint(ctx, hub, inspectorKey);
  const endpoints: Record<EndpointKind, Endpoint> = {
    echo: echoEndpoint(),
    broadcast: broadcastEndpoint(ctx),
    chat: chatEndpoint(ctx, tokenSecret),
    feed,
    inspect,
  };
  // The real port is known once bound; until then no request can arrive.
  let access = new AccessPolicy({ boundHost: config.host, port: config.port, machineNames: [], allowHosts: [], allowOrigins: [], devPort: DEV_SERVER_PORT });
  const policy: Access = {
    hostAllowed: (host) => access.hostAllowed(host),
    originAllowed: (origin, host) => access.originAllowed(origin, host),
  };
  const sockets = createWebSocketLayer({ config, access: policy, log, now, hub, endpoints, classroom });
  connectionCount = () => sockets.size;

  const health = (): Health => ({
    status: 'ok',
    version: VERSION,
    uptime: Math.round((performance.now() - startedAt) / 10) / 100,
    connections: sockets.counts(),
    dropped: stats.dropped,
    ...(bus ? { redis: bus.state() === 'up' ? ('up' as const) : ('down' as const) } : {}),
  });

  // Learners' own servers (server/labs/): /api/labs and /labs/<id> are theirs.
  const labs = createLabsApi({ config, access: policy, log, now, hub, engines: [config.luaEngine === 'openresty' ? openRestyEngine() : embeddedLuaEngine(), tsEngine()], labs: loadLabs(), classroom });
  const classroomApi =
    identifier && roster && secretOfTeacher ? createClassroomApi({ config, access: policy, log, now, identifier, roster, learnerSecret: secretOfLearners, teacherSecret: secretOfTeacher }) : null;
  const site = staticSite(config.siteDir, log);
  const httpHandler = createHttpHandler({ config, access: policy, log, now, site, health, tokenSecret });
  const http = createServer(
    // A handshake that never completes must not hold a socket for long: headers within 10 s,
    // checked every 2 s (Node's default check runs every 30 s).
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 2_000 },
    (req, res) => {
      // Whatever a handler throws answers 500 and is logged; a request never ends the process.
      try {
        if (classroomApi ? classroomApi.handleHttp(req, res) : answerOutsideClassroom(req, res)) return;
        if (!labs.handleHttp(req, res)) httpHandler(req, res);
      } catch (error) {
        log.error('request handler error', { path: req.url, error: (error as Error).message });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The server failed to answer this request; it is still running.');
        else res.destroy();
      }
    },
  );
  // Plain HTTP connections count too: past the WebSocket limit plus room for page loads and
  // refusals, the kernel's next connection is closed at once.
  http.maxConnections = config.maxConnections + LIMITS.extraHttpConnections;
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      if (!labs.handleUpgrade(req, socket, head)) sockets.handleUpgrade(req, socket as Socket, head);
    } catch (error) {
      log.error('upgrade handler error', { error: (error as Error).message });
      socket.destroy();
    }
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    log.debug('bad http request', { error: error.code ?? error.message });
    const reply = socket.writable && !socket.writableEnded && error.code !== 'ECONNRESET' ? clientErrorReply(error.code, socket.bytesWritten) : null;
    if (reply) {
      socket.end(reply);
    } else {
      socket.destroy();
    }
  });

  // Everything started here besides the port: close() stops it, and so does a port that cannot be
  // bound, or a caller that catches the error would be left with Redis retrying and timers running.
  const release = async (): Promise<void> => {
    await Promise.all([sockets.shutdown(LIMITS.shutdownGraceMs), labs.shutdown()]);
    feed.stop();
    inspect.stop();
    site.close();
    await bus?.close();
    lag.disable();
  };

  // Waits for Redis's first answer (connected and in sync, or refused): down, it serves alone and keeps trying.
  await bus?.start();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      reject(listenError(error, config.host, config.port));
    };
    const onListening = (): void => {
      http.off('error', onError);
      resolve();
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(config.port, config.host);
  }).catch(async (error: unknown) => {
    await release();
    throw error;
  });

  const port = (http.address() as AddressInfo).port;
  const names = isLoopbackName(config.host) ? [] : machineNames();
  access = new AccessPolicy({
    boundHost: config.host,
    port,
    machineNames: names,
    allowHosts: config.allowHosts,
    allowOrigins: config.allowOrigins,
    devPort: DEV_SERVER_PORT,
  });
  // After listening, an accept that fails (EMFILE: out of file descriptors) must not end the process.
  http.on('error', (error: NodeJS.ErrnoException) => log.error('server error', { error: error.code ?? error.message }));
  const url = displayUrl(config.host, port);
  const urls = reachableUrls(config.host, port, names);
  log.info('listening', { url, host: config.host, port });

  let closing: Promise<void> | null = null;
  return {
    config,
    url,
    urls,
    inspectorKey,
    teacherKey,
    port,
    http,
    counts: () => sockets.counts(),
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        await release();
        http.closeAllConnections();
        await stopped;
        log.info('stopped', {});
      })()),
  };
}
