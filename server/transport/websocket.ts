import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLASSROOM_PATHS, ownerOf, type Identity } from '../../protocol/classroom.ts';
import { CLOSE, LIMITS } from '../../protocol/constants.ts';
import { ECHO_DEFLATE, endpointKindOf, ENDPOINT_KINDS, INSPECT_TAG_PARAM, INSPECT_TAG_PATTERN, type EndpointKind } from '../../protocol/endpoints.ts';
import type { EndEvent, HandshakeEvent } from '../../protocol/inspect.ts';
import type { Roster } from '../classroom/roster.ts';
import type { Clock } from '../core/clock.ts';
import type { InspectHub } from '../core/inspect-hub.ts';
import type { Access } from '../core/origin.ts';
import { redactHandshake, redactTarget } from '../core/redact.ts';
import { WireRecorder } from '../core/wire.ts';
import type { ServerConfig } from '../config.ts';
import type { Endpoint, Connection, HandshakeChoice, Session } from '../endpoints/types.ts';
import type { Logger } from '../log.ts';
import { inflateMessage } from './inflate.ts';
import { refuseUpgrade } from './refuse.ts';

type EndHow = EndEvent['how'];

interface Live {
  ws: WebSocket;
  conn: Connection;
  alive: boolean;
  /** Set when the server decides how the connection ends (heartbeat, shutdown). */
  endHow: EndHow | null;
  /** The wire tap, while someone may watch this connection; `untap` removes it for good. */
  tap: { tag: string | null; owner: string | null; since: number; untap(): void } | null;
}

/** Classroom mode: who a request is from, and the roster that counts what each learner holds. */
export interface ClassroomGate {
  identify(req: IncomingMessage): Identity | null;
  roster: Roster;
}

export interface WebSocketLayer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  counts(): Record<EndpointKind, number>;
  readonly size: number;
  /** Stops the heartbeat, closes every client with 1001, cuts the ones that do not answer in time. */
  shutdown(graceMs: number): Promise<void>;
}

/** A URL parsed from a request target, with the playground tag taken out. */
export function splitTarget(rawTarget: string): { path: string; params: URLSearchParams; tag: string | null; target: string } | null {
  let url: URL;
  try {
    url = new URL(rawTarget, 'http://request.invalid');
  } catch {
    return null;
  }
  const tag = url.searchParams.get(INSPECT_TAG_PARAM);
  url.searchParams.delete(INSPECT_TAG_PARAM);
  const query = url.searchParams.toString();
  return { path: url.pathname, params: url.searchParams, tag, target: url.pathname + (query ? `?${query}` : '') };
}

/**
 * The only module that touches `ws`. Routes upgrade requests (Host, path,
 * Origin, capacity, then the endpoint's own admission), taps the bytes of
 * inspected connections, runs the heartbeat.
 */
export function createWebSocketLayer(deps: {
  config: ServerConfig;
  access: Access;
  log: Logger;
  now: Clock;
  hub: InspectHub;
  endpoints: Record<EndpointKind, Endpoint>;
  classroom?: ClassroomGate | null;
}): WebSocketLayer {
  const { config, access, log, now, hub } = deps;
  const live = new Map<string, Live>();
  let nextId = 1;
  let stopping = false;

  const options = {
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxPayload,
    perMessageDeflate: false,
    // A client that never answers our close frame is cut after this (ws ≥ 8.19; not in @types/ws yet).
    closeTimeout: 5_000,
  };
  // What an endpoint asked of this handshake (see HandshakeChoice), read by ws as it answers.
  const choices = new WeakMap<IncomingMessage, HandshakeChoice>();
  const handleProtocols = (offered: Set<string>, req: IncomingMessage): string | false => {
    const speaks = choices.get(req)?.speaks;
    for (const name of offered) if (!speaks || speaks.includes(name)) return name;
    return false;
  };
  const wss = new WebSocketServer({ ...options, handleProtocols });
  // Compression is per server in ws: a second one, used only when an endpoint asks for it.
  const deflating = new WebSocketServer({ ...options, handleProtocols, perMessageDeflate: { ...ECHO_DEFLATE } });
  // Handshakes ws itself finds invalid (bad key, missing version, method): answer as JSON, like our own
  // refusals. Whether to name our version is read from the request, never from ws's wording.
  const onClientError = (error: Error, socket: Duplex, req: IncomingMessage): void => {
    const status = req.method !== 'GET' ? 405 : 400;
    reject(req, socket, splitTarget(req.url ?? '/')?.tag ?? null, status, 'bad_handshake', `${error.message}.`, versionAnswer(req));
  };
  wss.on('wsClientError', onClientError);
  deflating.on('wsClientError', onClientError);

  function reject(
    req: IncomingMessage,
    socket: Duplex,
    tag: string | null,
    status: number,
    error: string,
    message: string,
    headers: Record<string, string> = {},
    owner: string | null = null,
  ): void {
    const target = splitTarget(req.url ?? '/')?.target ?? String(req.url);
    log.info('upgrade refused', { status, error, path: target.split('?')[0] });
    hub.publish(tag, 'rejected', () => ({ kind: 'rejected', t: now(), target: redactTarget(target), status, reason: message, tag }), owner);
    refuseUpgrade(socket, status, { error, message }, headers);
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Errors on a half-open socket (client reset) must not crash the server.
    socket.on('error', () => socket.destroy());
    const split = splitTarget(req.url ?? '/');
    if (!split) return reject(req, socket, null, 400, 'bad_target', 'The request target is not a valid URL path.');
    const { path, params, tag, target } = split;
    if (tag !== null && !INSPECT_TAG_PATTERN.test(tag)) {
      return reject(req, socket, null, 400, 'bad_tag', `?${INSPECT_TAG_PARAM} must be 1 to ${LIMITS.inspectTagMaxLength} letters, digits, "_", "-", "." or ":".`);
    }
    if (!access.hostAllowed(req.headers.host)) {
      return reject(req, socket, tag, 403, 'host_not_allowed', 'The Host header does not name this machine (DNS rebinding protection; start the server with --allow-host to add a name).');
    }
    // ws would accept version 8 too; RFC 6455 servers answer anything but 13 with 400 and the versions they speak.
    const version = req.headers['sec-websocket-version'];
    if (version !== undefined && version !== '13') {
      return reject(req, socket, tag, 400, 'unsupported_version', `Sec-WebSocket-Version ${version} is not supported; this server speaks 13 (RFC 6455).`, versionAnswer(req));
    }
    const kind = endpointKindOf(path);
    if (kind === null) return reject(req, socket, tag, 404, 'not_found', `No WebSocket endpoint at ${path}.`);
    if (stopping) return reject(req, socket, tag, 503, 'shutting_down', 'The server is shutting down.');
    if (!access.originAllowed(req.headers.origin, req.headers.host)) {
      return reject(req, socket, tag, 403, 'origin_not_allowed', `Origin ${req.headers.origin} may not open WebSockets here (start the server with --allow-origin to allow it).`);
    }
    if (live.size >= config.maxConnections) {
      return reject(req, socket, tag, 503, 'too_many_connections', `The server already has ${config.maxConnections} connections; try again later.`);
    }
    // Classroom mode: every connection is someone's, counted against their limits and shown only to them (and the teacher).
    let identity: Identity | undefined;
    if (deps.classroom) {
      const who = deps.classroom.identify(req);
      if (who === null) {
        return reject(req, socket, tag, 401, 'sign_in_required', `This companion serves a class: sign in at ${CLASSROOM_PATHS.signInPage} first; your browser then sends your sign-in with every connection.`);
      }
      const refusal = deps.classroom.roster.admitConnection(who);
      if (refusal) return reject(req, socket, tag, refusal.status, refusal.error, refusal.message, {}, ownerOf(who));
      identity = who;
    }
    const owner = identity ? ownerOf(identity) : null;
    const address = req.socket.remoteAddress ?? '';
    const admission = deps.endpoints[kind].admit(params, tag, identity ? { address, limitKey: `learner:${owner}`, identity } : { address });
    if (!admission.ok) return reject(req, socket, tag, admission.status, admission.error, admission.message, {}, owner);

    const id = `c${nextId++}`;
    // Inspected: a tagged connection (its page opens /inspect?fd-tag= as the run starts, maybe a
    // moment after its sockets, and gets a replay) and, while a keyed watcher looks at everything,
    // every other one. The sweep below removes the tap of one nobody turned out to watch, so an
    // unwatched connection pays nothing per frame. /inspect itself never is.
    const tapped = kind !== 'inspect' && (tag !== null || hub.watchingAll);
    let recorder: WireRecorder | null = null;
    let tapReader: ((chunk: Buffer) => void) | null = null;
    let untap = (): void => {};
    if (tapped) {
      recorder = new WireRecorder({
        conn: id,
        endpoint: kind,
        tag,
        now,
        previewBytes: LIMITS.inspectPreviewBytes,
        maxPayload: config.maxPayload,
        inflate: (payload) => inflateMessage(payload, config.maxPayload),
        request: {
          method: req.method ?? 'GET',
          target,
          httpVersion: req.httpVersion,
          headers: pairs(req.rawHeaders),
        },
        // Credentials (Cookie, Authorization, token query values, credential subprotocols) never leave in an event.
        emit: (kind, make) => hub.publish(tag, kind, kind === 'handshake' ? () => redactHandshake(make() as HandshakeEvent) : make, owner),
      });
      const rec = recorder;
      const original = socket.write;
      const write = original.bind(socket) as (...args: unknown[]) => boolean;
      // Every byte ws writes (the 101 and each frame) passes here first.
      socket.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === 'string') rec.wrote(Buffer.from(chunk, 'latin1'));
        else if (chunk instanceof Uint8Array) rec.wrote(chunk);
        return write(chunk, ...rest);
      }) as typeof socket.write;
      const onRead = (chunk: Buffer): void => rec.read(chunk);
      untap = () => {
        socket.write = original;
        socket.off('data', onRead);
        recorder = null;
      };
      tapReader = onRead;
    }

    if (admission.handshake) choices.set(req, admission.handshake);
    (admission.handshake?.deflate ? deflating : wss).handleUpgrade(req, socket, head, (ws) => {
      if (tapReader) {
        // Ahead of ws's own listener, so a frame is recorded before the reply it causes.
        // ws re-emits `head` through unshift, so these are all the bytes after the request.
        socket.prependListener('data', tapReader);
      }
      // The unsent-data limit on every send (echo replies, errors, command answers, fan-out):
      // over it, stop reading from this client, so a client that sends without reading cannot
      // make the server queue its replies without end; still over after the grace, close with 1013.
      let paused = false;
      let overTimer: NodeJS.Timeout | null = null;
      const underLimit = (): void => {
        if (ws.bufferedAmount > config.slowConsumerBytes) return;
        if (overTimer) clearTimeout(overTimer);
        overTimer = null;
        if (paused) {
          paused = false;
          ws.resume();
        }
      };
      const afterSend = (): void => {
        if (ws.bufferedAmount <= config.slowConsumerBytes || paused) return;
        paused = true;
        ws.pause();
        log.debug('reading paused', { conn: id, buffered: ws.bufferedAmount });
        overTimer ??= setTimeout(() => {
          overTimer = null;
          if (ws.bufferedAmount <= config.slowConsumerBytes || ws.readyState !== ws.OPEN) return underLimit();
          log.info('slow consumer closed', { conn: id, buffered: ws.bufferedAmount });
          ws.close(CLOSE.tryAgainLater, 'slow consumer: too much unsent data');
          // Read again so the client's close frame can arrive; what it sends meanwhile is not answered.
          paused = false;
          ws.resume();
        }, config.slowConsumerGrace * 1000);
      };
      socket.on('drain', underLimit);
      const entry: Live = {
        ws,
        alive: true,
        endHow: null,
        tap: recorder ? { tag, owner, since: now(), untap } : null,
        conn: {
          id,
          endpoint: kind,
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          get open() {
            return ws.readyState === ws.OPEN;
          },
          send: (data, binary) => {
            if (ws.readyState !== ws.OPEN) return;
            ws.send(data, { binary });
            afterSend();
          },
          close: (code, reason) => {
            if (ws.readyState === ws.OPEN) ws.close(code, reason);
          },
          hop: (make) => {
            if (entry.tap) hub.publish(tag, 'hop', make, owner);
          },
        },
      };
      live.set(id, entry);
      if (identity) deps.classroom?.roster.opened(identity, id, kind, tag);
      log.info('open', { conn: id, endpoint: kind, tag });
      ws.on('pong', () => {
        entry.alive = true;
      });
      ws.on('error', (error: Error & { code?: string }) => {
        log.info('connection error', { conn: id, error: error.code ?? error.message });
      });
      let session: Session | null = null;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (identity && deps.classroom && !deps.classroom.roster.messageAllowed(identity)) {
          // One learner's flood, over all their connections, must not starve the room's event loop.
          if (entry.conn.open) log.info('learner message rate exceeded', { conn: id });
          entry.conn.close(CLOSE.policyViolation, 'over your message rate in this class');
          return;
        }
        try {
          session?.message(data, isBinary);
        } catch (error) {
          log.error('endpoint error', { conn: id, endpoint: kind, error: (error as Error).message });
          entry.conn.close(CLOSE.internalError, 'internal error');
        }
      });
      ws.on('close', (code: number, reasonBytes: Buffer) => {
        live.delete(id);
        if (identity) deps.classroom?.roster.closed(identity, id, tag);
        if (overTimer) clearTimeout(overTimer);
        const how: EndHow = entry.endHow ?? (code === CLOSE.abnormal ? 'abnormal' : 'clean');
        const reason = reasonBytes.toString('utf8');
        log.info('close', { conn: id, endpoint: kind, code, how });
        try {
          session?.closed();
        } catch (error) {
          log.error('endpoint error', { conn: id, endpoint: kind, error: (error as Error).message });
        }
        if (entry.tap) hub.publish(tag, 'end', () => ({ kind: 'end', conn: id, t: now(), code, reason, how }), owner);
      });
      try {
        session = admission.open(entry.conn);
      } catch (error) {
        log.error('endpoint error', { conn: id, endpoint: kind, error: (error as Error).message });
        entry.conn.close(CLOSE.internalError, 'internal error');
      }
    });
  }

  // Taps nobody watches come off: a tagged connection whose run has no /inspect after a grace,
  // and any connection once no watcher covers it any more.
  const sweep = setInterval(() => {
    const cutoff = now() - LIMITS.inspectTapWaitMs;
    for (const entry of live.values()) {
      const tap = entry.tap;
      if (tap && tap.since <= cutoff && !hub.watches(tap.tag, tap.owner)) {
        tap.untap();
        entry.tap = null;
      }
    }
  }, LIMITS.inspectTapWaitMs / 2);
  sweep.unref();

  let heartbeat: NodeJS.Timeout | null = null;
  if (config.heartbeat > 0) {
    heartbeat = setInterval(() => {
      for (const [id, entry] of live) {
        if (!entry.alive) {
          entry.endHow = 'heartbeat';
          log.info('heartbeat timeout', { conn: id });
          entry.ws.terminate();
          continue;
        }
        entry.alive = false;
        entry.ws.ping();
      }
    }, config.heartbeat * 1000);
    heartbeat.unref();
  }

  return {
    handleUpgrade,
    get size() {
      return live.size;
    },
    counts() {
      const counts = Object.fromEntries(ENDPOINT_KINDS.map((k) => [k, 0])) as Record<EndpointKind, number>;
      for (const entry of live.values()) counts[entry.conn.endpoint] += 1;
      return counts;
    },
    async shutdown(graceMs) {
      stopping = true;
      clearInterval(sweep);
      if (heartbeat) clearInterval(heartbeat);
      if (live.size === 0) return;
      const closed = Promise.all(
        [...live.values()].map(
          (entry) =>
            new Promise<void>((resolve) => {
              entry.ws.once('close', () => resolve());
              entry.endHow = 'shutdown';
              entry.ws.close(CLOSE.goingAway, 'server shutting down');
            }),
        ),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      if ((await Promise.race([closed, late])) === 'late') {
        for (const entry of live.values()) entry.ws.terminate();
        await closed;
      }
      clearTimeout(timer);
    },
  };
}

/** RFC 6455 4.4: a refused handshake that did not ask for version 13 (or for none) is told the version spoken here. */
export function versionAnswer(req: Pick<IncomingMessage, 'headers'>): Record<string, string> {
  return req.headers['sec-websocket-version'] === '13' ? {} : { 'Sec-WebSocket-Version': '13' };
}

/** rawHeaders as [name, value] pairs, in wire order, names as sent. */
function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}
