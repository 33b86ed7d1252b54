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

export const HTTP_PATHS = {
  health: '/health',
  token: '/api/token',
} as const;

/** The port and host the course assumes; lessons say `ws://localhost:8080`. */
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
