import { LIMITS } from './constants.ts';

/**
 * Every HTTP and WebSocket path the companion server answers. The site, the
 * server and the tests all read paths from here so a rename happens in one place.
 */
export const ENDPOINTS = {
  /** Echo: the default for `ws://localhost:8080` with no path. */
  root: '/',
  echo: '/echo',
  broadcast: '/broadcast',
  chat: '/chat',
  feed: '/feed',
  inspect: '/inspect',
} as const;

export type EndpointName = keyof typeof ENDPOINTS;

/**
 * Query parameters of the echo endpoint that change its handshake, for the
 * extensions lesson's playgrounds. Without them it agrees to no extension and
 * picks the first subprotocol offered, as a `ws` server does by default.
 */
export const ECHO_PARAMS = {
  /** `?deflate`: agree to permessage-deflate (RFC 7692) when the client offers it. */
  deflate: 'deflate',
  /**
   * `?speaks=chat.v1,chat.v2`: the only subprotocols this echo knows. It picks the
   * first one offered that it knows; offered none of them, it answers with none,
   * and a browser that offered some then fails the connection (RFC 6455 §4.1).
   */
  speaks: 'speaks',
} as const;

/** At most this many names in `?speaks=`; each a token of at most 64 characters. */
export const ECHO_SPEAKS_MAX = 8;
export const SUBPROTOCOL_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;

/**
 * The echo's permessage-deflate settings with `?deflate`. No context takeover either
 * way: each message is compressed on its own, so the inspector can inflate each one
 * (ws resets its zlib streams per message rather than freeing them, so this saves
 * no memory). Messages under `threshold` bytes go uncompressed, `ws`'s default.
 */
export const ECHO_DEFLATE = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  threshold: 1024,
} as const;

/**
 * Query parameter of /broadcast. `?room=<name>`: the client hears, and is heard by,
 * only the clients that named the same room (any learner's). Without it a client is
 * in the server's one default room, or in a class its learner's own room.
 */
export const BROADCAST_PARAMS = {
  room: 'room',
} as const;

/** A room name: 1–64 of letters, digits and `.` `_` `~` `-` (unreserved in a URL, RFC 3986 §2.3). */
export const BROADCAST_ROOM_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;

/** Query parameter a playground adds to its sockets' URLs so /inspect can narrow to them. */
export const INSPECT_TAG_PARAM = 'fd-tag';

export const HTTP_PATHS = {
  health: '/health',
  token: '/api/token',
} as const;

/**
 * Query parameter that lets /inspect watch connections without a tag: the key the
 * server prints at start-up. Without it a watcher sees only the tag it names.
 */
export const INSPECT_KEY_PARAM = 'fd-key';

/** Astro's dev server (`npm run dev`); its pages are an allowed Origin. */
export const DEV_SERVER_PORT = 4321;

/** The port and host the course assumes; lessons say `ws://localhost:8080`. */
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * What each WebSocket path does; `/` and `/echo` are the same endpoint. These
 * names key the per-endpoint counts of `GET /health` and the inspector's
 * handshake events.
 */
export const ENDPOINT_KIND = {
  [ENDPOINTS.root]: 'echo',
  [ENDPOINTS.echo]: 'echo',
  [ENDPOINTS.broadcast]: 'broadcast',
  [ENDPOINTS.chat]: 'chat',
  [ENDPOINTS.feed]: 'feed',
  [ENDPOINTS.inspect]: 'inspect',
} as const;

export type EndpointKind = (typeof ENDPOINT_KIND)[keyof typeof ENDPOINT_KIND];
export const ENDPOINT_KINDS: readonly EndpointKind[] = ['echo', 'broadcast', 'chat', 'feed', 'inspect'];

export function endpointKindOf(path: string): EndpointKind | null {
  return Object.hasOwn(ENDPOINT_KIND, path) ? ENDPOINT_KIND[path as keyof typeof ENDPOINT_KIND] : null;
}

/**
 * A valid playground tag: letters, digits, `_`, `-`, `.` and `:`, at most 128 of them
 * (playgrounds use `<playground id>-<random>`). Others are refused with 400.
 */
export const INSPECT_TAG_PATTERN = new RegExp(`^[A-Za-z0-9_.:-]{1,${LIMITS.inspectTagMaxLength}}$`);
