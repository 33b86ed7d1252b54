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
