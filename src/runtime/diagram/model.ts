import { CLOSE, OPCODE, opcodeName } from '../../../protocol/constants.ts';
import type { FrameEvent, HandshakeEvent, HopEvent, InspectEvent } from '../../../protocol/inspect.ts';
import type { ClientEvent } from '../recorder/events.ts';

/**
 * The diagram's model: one row per thing that crossed the wire, between two
 * participants. Built from the server's /inspect stream (the wire truth:
 * handshakes, every frame both ways, how each connection ended) plus the
 * client-side record for what only the browser sees (error events).
 *
 * Which client a connection belongs to: the playground tags each client's
 * sockets `<run tag>.<client>`, and the handshake event carries that tag; a
 * client's second and later sockets are told apart by handshake order.
 */
export const SERVER = 'server';
/** The lane of the hop between companion processes (--redis); it appears only with a hop row. */
export const REDIS = 'Redis';

export type RowKind =
  | 'upgrade'
  | 'accept'
  | 'reject'
  | 'text'
  | 'binary'
  | 'continuation'
  | 'ping'
  | 'pong'
  | 'close'
  | 'abnormal'
  /** The TCP connection closed after a close frame, without the closing handshake completing. */
  | 'ended'
  | 'error'
  | 'note'
  /** A message crossing Redis between companion processes: a publish or a delivery. */
  | 'hop';

export interface Row {
  /** Position in the session, from 0; stable, used as the row's id. */
  index: number;
  /** Milliseconds since the first event of the session. */
  t: number;
  from: string;
  to: string;
  kind: RowKind;
  /** Short label drawn on the arrow. */
  label: string;
  /** The row in words, for the "Frames" list and screen readers. */
  text: string;
  /** The wire event behind the row, for the detail view. */
  wire: HandshakeEvent | FrameEvent | HopEvent | null;
}

const PREVIEW_CHARS = 24;

/** The start of a text, quoted; "…" when there is more (cut here, or not all of it arrived). */
function quote(text: string, more = false): string {
  const flat = text.replace(/\s+/g, ' ');
  return `"${flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : more ? `${flat}…` : flat}"`;
}

const bytes = (n: number): string => `${n} byte${n === 1 ? '' : 's'}`;

function frameKind(opcode: number): RowKind {
  switch (opcode) {
    case OPCODE.text:
      return 'text';
    case OPCODE.binary:
      return 'binary';
    case OPCODE.continuation:
      return 'continuation';
    case OPCODE.close:
      return 'close';
    case OPCODE.ping:
      return 'ping';
    case OPCODE.pong:
      return 'pong';
    default:
      return 'binary';
  }
}

function frameLabel(e: FrameEvent): string {
  const label = plainFrameLabel(e);
  if (e.refusedOver !== undefined) return `${label}: refused, over the ${e.refusedOver}-byte limit`;
  if (e.unread) return `${label} (not read)`;
  return label;
}

/** The row's full sentence adds what a mark means for the server. */
function frameSentence(e: FrameEvent): string {
  if (e.refusedOver !== undefined) return '; the server refused it from its header and read nothing after it';
  if (e.unread) return ': it reached the server, which had stopped reading';
  return '';
}

function plainFrameLabel(e: FrameEvent): string {
  const more = e.fin ? '' : ', more follows';
  if (e.rsv1 && (e.opcode === OPCODE.text || e.opcode === OPCODE.binary)) {
    // permessage-deflate: the wire carries fewer bytes than the message has.
    const kind = e.opcode === OPCODE.text ? 'text' : 'binary';
    if (!e.inflated) return `${kind}, compressed (${bytes(e.payloadLength)}${more})`;
    const text = e.opcode === OPCODE.text ? ` ${quote(e.inflated.previewText ?? '', e.inflated.truncated)}` : '';
    return `${kind}${text} (${bytes(e.inflated.bytes)} compressed to ${bytes(e.payloadLength)})`;
  }
  switch (e.opcode) {
    case OPCODE.text:
      return `text ${quote(e.previewText ?? '', e.truncated)} (${bytes(e.payloadLength)}${more})`;
    case OPCODE.close:
      return e.close ? `close ${e.close.code}${e.close.reason ? ` ${quote(e.close.reason)}` : ''}` : 'close (no code)';
    case OPCODE.continuation:
      return `continuation (${bytes(e.payloadLength)}${more})`;
    case OPCODE.binary:
      return `binary (${bytes(e.payloadLength)}${more})`;
    default:
      return `${opcodeName(e.opcode)} (${bytes(e.payloadLength)})`;
  }
}

/** Builds rows incrementally: feed events as they come, read the new rows. */
export class SessionModel {
  readonly participants: string[] = [];
  readonly rows: Row[] = [];
  #start: number | null = null;
  /** Server connection id → participant name. */
  readonly #conns = new Map<string, string>();
  readonly #socketsPerClient = new Map<string, number>();
  readonly #runTag: string | null;
  /** Per connection: the close frames seen on the wire, to say how it ended. */
  readonly #closes = new Map<string, { server: number | null; client: 'read' | 'unread' | null }>();
  /** Per participant: the close event the browser reported, and the end row it completes. */
  readonly #browserClose = new Map<string, { code: number; wasClean: boolean }>();
  readonly #endRow = new Map<string, { row: Row; base: Omit<Row, 'index'> }>();
  /** Per participant: its handshake, to explain an error event the browser gives no reason for. */
  readonly #handshakes = new Map<string, HandshakeEvent>();
  /** Per socket: an error row drawn with no reason, which a later handshake may explain. */
  readonly #unexplained = new Map<string, Row>();

  constructor(runTag: string | null = null) {
    this.#runTag = runTag;
    this.participants.push(SERVER);
  }

  #participant(name: string): string {
    if (!this.participants.includes(name)) this.participants.push(name);
    return name;
  }

  #rel(t: number): number {
    this.#start ??= t;
    return Math.max(0, Math.round(t - this.#start));
  }

  #push(row: Omit<Row, 'index'>): Row {
    const full = { ...row, index: this.rows.length };
    this.rows.push(full);
    return full;
  }

  #clientOfTag(tag: string | null): string {
    if (tag && this.#runTag && tag.startsWith(`${this.#runTag}.`)) return tag.slice(this.#runTag.length + 1);
    return 'client';
  }

  #connection(conn: string): string {
    return this.#conns.get(conn) ?? this.#participant(`client ${conn}`);
  }

  /** Adds one /inspect event; returns the rows it produced (none, one or two). */
  addWire(event: InspectEvent): Row[] {
    switch (event.kind) {
      case 'handshake': {
        const client = this.#clientOfTag(event.tag);
        const n = (this.#socketsPerClient.get(client) ?? 0) + 1;
        this.#socketsPerClient.set(client, n);
        const name = this.#participant(n === 1 ? client : `${client} (${n})`);
        this.#conns.set(event.conn, name);
        this.#handshakes.set(name, event);
        // The page's error event may have come before the server's account of the handshake.
        const explained = this.#explainError(name);
        const t = this.#rel(event.t);
        const target = event.request.target;
        const accepted = event.response.status === 101;
        return [
          ...explained,
          this.#push({
            t,
            from: name,
            to: SERVER,
            kind: 'upgrade',
            label: `GET ${target} (Upgrade: websocket)`,
            text: `${name} → ${SERVER}: opening handshake, GET ${target}`,
            wire: event,
          }),
          this.#push({
            t,
            from: SERVER,
            to: name,
            kind: accepted ? 'accept' : 'reject',
            label: `${event.response.status} ${event.response.statusText}`,
            text: `${SERVER} → ${name}: ${event.response.status} ${event.response.statusText}`,
            wire: event,
          }),
        ];
      }
      case 'frame': {
        const client = this.#connection(event.conn);
        const [from, to] = event.dir === 'in' ? [client, SERVER] : [SERVER, client];
        const label = frameLabel(event);
        if (event.opcode === OPCODE.close) {
          const seen = this.#closes.get(event.conn) ?? { server: null, client: null };
          if (event.dir === 'out') seen.server = event.close?.code ?? CLOSE.noStatus;
          else seen.client = event.unread ? 'unread' : 'read';
          this.#closes.set(event.conn, seen);
        }
        const text = `${from} → ${to}: ${label}${frameSentence(event)}`;
        return [this.#push({ t: this.#rel(event.t), from, to, kind: frameKind(event.opcode), label, text, wire: event })];
      }
      case 'end': {
        if (event.how === 'clean') return [];
        // A refused handshake opened no WebSocket: its refusal row already says the connection
        // ended there (an engine that proxies to the lab's server still reports the TCP end).
        const refused = this.#handshakes.get(this.#conns.get(event.conn) ?? '');
        if (refused && refused.response.status !== 101) return [];
        const client = this.#connection(event.conn);
        const t = this.#rel(event.t);
        const sent = this.#closes.get(event.conn);
        if (event.how === 'abnormal' && sent?.server != null) {
          // ws reports 1006 when it read no close frame, but its close frame went out: on the wire
          // the server ended the connection after it, which is what the browser saw too.
          const reply =
            sent.client === 'unread'
              ? ", without reading the client's close reply"
              : sent.client === null
                ? ", before the client's close reply arrived"
                : '';
          const base = {
            t,
            from: SERVER,
            to: client,
            kind: 'ended' as const,
            label: `closed by the server after close ${sent.server}`,
            text: `${SERVER} ✕ ${client}: the server closed the connection after its close ${sent.server}${reply}`,
            wire: null,
          };
          const row = this.#push(this.#withBrowser(client, base));
          this.#endRow.set(client, { row, base });
          return [row];
        }
        const label =
          event.how === 'heartbeat'
            ? `terminated: no pong (${CLOSE.abnormal})`
            : event.how === 'shutdown'
              ? `server shutting down (${event.code})`
              : `connection dropped, no close frame (${CLOSE.abnormal})`;
        return [this.#push({ t, from: SERVER, to: client, kind: 'abnormal', label, text: `${SERVER} ✕ ${client}: ${label}`, wire: null })];
      }
      case 'rejected': {
        const client = this.#participant(this.#clientOfTag(event.tag));
        const label = `${event.status} refused: ${event.reason}`;
        return [this.#push({ t: this.#rel(event.t), from: SERVER, to: client, kind: 'reject', label, text: `${SERVER} → ${client}: ${label}`, wire: null })];
      }
      case 'hop': {
        // The connection is named in words only: a delivery for a client this diagram has
        // no handshake of gets no lane of its own.
        const client = this.#conns.get(event.conn) ?? `connection ${event.conn}`;
        const redis = this.#participant(REDIS);
        const t = this.#rel(event.t);
        // Labels short enough for the narrowest lane ("B" for bytes); the channel is in the words and the detail.
        if (event.dir === 'publish') {
          const label = `publish ${event.bytes} B`;
          const text = `${SERVER} → ${redis}: publishes ${client}'s message to Redis, channel ${event.channel}, ${bytes(event.bytes)}`;
          return [this.#push({ t, from: SERVER, to: redis, kind: 'hop', label, text, wire: event })];
        }
        const label = `deliver ${event.bytes} B`;
        const text = `${redis} → ${SERVER}: Redis delivers a message on channel ${event.channel} that goes to ${client}, ${bytes(event.bytes)}`;
        return [this.#push({ t, from: redis, to: SERVER, kind: 'hop', label, text, wire: event })];
      }
      case 'coalesced': {
        const label = `${event.dropped} events not drawn (they came faster than a page can draw)`;
        return [this.#push({ t: this.#rel(event.t), from: SERVER, to: SERVER, kind: 'note', label, text: label, wire: null })];
      }
    }
  }

  /** An end row with what the browser reported, once it has. */
  #withBrowser(client: string, base: Omit<Row, 'index'>): Omit<Row, 'index'> {
    const seen = this.#browserClose.get(client);
    if (!seen) return base;
    return {
      ...base,
      label: `${base.label} (browser: ${seen.code}, ${seen.wasClean ? 'clean' : 'not clean'})`,
      text: `${base.text}; the browser reported close code ${seen.code}, wasClean ${seen.wasClean}`,
    };
  }

  /**
   * Adds what only the client sees: `error` events (e.g. a refused handshake) become rows;
   * `close` events complete the end row of their connection. Returns new rows, and rows
   * changed in place (an index already returned before): redraw those.
   */
  addClient(event: ClientEvent): Row[] {
    if (event.kind === 'close') {
      const name = event.sock === 0 ? event.client : `${event.client} (${event.sock + 1})`;
      this.#browserClose.set(name, { code: event.code, wasClean: event.wasClean });
      const end = this.#endRow.get(name);
      if (!end) return [];
      const row = { ...this.#withBrowser(name, end.base), index: end.row.index };
      this.rows[row.index] = row;
      return [row];
    }
    if (event.kind !== 'error') return [];
    // Client times count from the run's start, wire times from the server's clock: the error
    // is drawn at the latest wire time, where it happened in order.
    const name = this.#participant(event.client);
    const t = this.rows.at(-1)?.t ?? 0;
    const socket = event.sock === 0 ? event.client : `${event.client} (${event.sock + 1})`;
    const label = subprotocolRefusal(this.#handshakes.get(socket)) ?? UNEXPLAINED_ERROR;
    const row = this.#push({ t, from: name, to: name, kind: 'error', label, text: `${name}: ${label}`, wire: null });
    if (label === UNEXPLAINED_ERROR) this.#unexplained.set(socket, row);
    return [row];
  }

  /** An error row drawn before its socket's handshake was known, explained now if the handshake explains it. */
  #explainError(socket: string): Row[] {
    const row = this.#unexplained.get(socket);
    const label = subprotocolRefusal(this.#handshakes.get(socket));
    if (!row || label === null) return [];
    this.#unexplained.delete(socket);
    const fresh = { ...row, label, text: `${row.from}: ${label}` };
    this.rows[row.index] = fresh;
    return [fresh];
  }
}

const UNEXPLAINED_ERROR = 'error event (the browser does not say why)';

const headerValue = (headers: readonly (readonly [string, string])[], name: string): string | null =>
  headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? null;

/**
 * The one cause of an error after a 101 that the wire shows: the client offered
 * subprotocols and the server named none, or one not offered (RFC 6455 §4.1).
 */
function subprotocolRefusal(handshake: HandshakeEvent | undefined): string | null {
  if (handshake?.response.status !== 101) return null;
  const offered = headerValue(handshake.request.headers, 'sec-websocket-protocol');
  const chosen = headerValue(handshake.response.headers, 'sec-websocket-protocol');
  if (offered === null) return null;
  if (chosen === null) return 'error event: subprotocols offered, the 101 names none, so the browser failed the connection';
  const names = offered.split(',').map((n) => n.trim());
  return names.includes(chosen) ? null : `error event: the 101 names ${chosen}, which was not offered, so the browser failed the connection`;
}

/** The session as JSON: participants and rows with their wire events. */
export function toJson(participants: readonly string[], rows: readonly Row[]): string {
  return `${JSON.stringify({ participants, rows }, null, 2)}\n`;
}
