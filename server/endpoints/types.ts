import type { Identity } from '../../protocol/classroom.ts';
import type { EndpointKind } from '../../protocol/endpoints.ts';
import type { HopEvent } from '../../protocol/inspect.ts';
import type { Clock } from '../core/clock.ts';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Bus } from '../scale/bus.ts';

/** What an endpoint may do with one client; the transport implements it over `ws`. */
export interface Connection {
  readonly id: string;
  readonly endpoint: EndpointKind;
  /** Bytes queued for this client but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  readonly open: boolean;
  send(data: string | Buffer, binary: boolean): void;
  close(code: number, reason: string): void;
  /**
   * Tells this connection's inspector a message of it crossed Redis. `make` runs only
   * while someone may watch the connection: an unwatched one pays a property check.
   */
  hop?(make: () => HopEvent): void;
}

/** Handlers for one accepted connection. */
export interface Session {
  message(data: Buffer, isBinary: boolean): void;
  /** The connection is gone (after the close handshake, or dropped). */
  closed(): void;
}

/** The answer to an upgrade request, decided before the 101 is written. */
export type Admission =
  | { ok: true; open(conn: Connection): Session; handshake?: HandshakeChoice }
  | { ok: false; status: number; error: string; message: string };

/** What an endpoint wants from the handshake, when not the defaults (no extension, first subprotocol offered). */
export interface HandshakeChoice {
  /** Agree to permessage-deflate if offered. */
  deflate?: boolean;
  /** The subprotocols it knows; it picks the first offered among them, or none. */
  speaks?: readonly string[];
}

/** Who is asking, as the transport saw the request. */
export interface Peer {
  /** The TCP peer's address (req.socket.remoteAddress), e.g. "127.0.0.1" or "::ffff:192.168.1.9". */
  readonly address: string;
  /**
   * What per-address limits count against: the address, or in classroom mode the
   * signed-in learner (behind a proxy every learner has the proxy's address).
   */
  readonly limitKey?: string;
  /** Classroom mode: who signed this request (a learner, the teacher); undefined outside it. */
  readonly identity?: Identity;
}

export interface Endpoint {
  readonly kind: EndpointKind;
  /**
   * Checks the request's query (without the playground tag), the tag and who
   * is asking (per-address limits). Refusals become HTTP answers; nothing is upgraded.
   */
  admit(params: URLSearchParams, tag: string | null, peer: Peer): Admission;
}

export interface Stats {
  /** Fan-out messages not delivered to slow consumers. */
  dropped: number;
}

/** What every endpoint gets from the app. */
export interface EndpointContext {
  config: ServerConfig;
  now: Clock;
  log: Logger;
  stats: Stats;
  /** What broadcast, chat and feed share with the other processes (--redis); one process on its own when absent. */
  bus?: Bus;
}
