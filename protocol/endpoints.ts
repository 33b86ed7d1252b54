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

/** The port and host the course assumes; lessons say `ws://localhost:8080`. */
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
