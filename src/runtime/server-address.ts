import { DEFAULT_PORT, HTTP_PATHS, INSPECT_TAG_PARAM } from '../../protocol/endpoints.ts';

/**
 * Where the companion server is, seen from the browser, and how a URL the
 * learner typed reaches it. Lessons say `ws://localhost:8080`; the site may
 * come from the companion server itself (npm start, the e2e tests: any port)
 * or from Astro's dev server (npm run dev: the companion runs on 8080).
 */

/** The companion server's HTTP origin for a page at `pageOrigin`. */
export function companionOrigin(pageOrigin: string, dev: boolean): string {
  return dev ? `http://localhost:${DEFAULT_PORT}` : pageOrigin;
}

/** The companion server's origin for the current page. */
export function currentCompanionOrigin(): string {
  return companionOrigin(location.origin, import.meta.env.DEV);
}

export function healthUrl(origin: string): string {
  return new URL(HTTP_PATHS.health, origin).href;
}

/** `http://h:p` → `ws://h:p` (and https → wss), keeping host and port. */
export function toWebSocketOrigin(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
}

/** A WebSocket URL for `path` (with an optional query) on the companion server. */
export function companionSocketUrl(origin: string, path: string): string {
  return new URL(path, `${toWebSocketOrigin(origin)}/`).href;
}

/** The addresses a lesson's code uses for the companion server. */
const COURSE_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface MappedUrl {
  /** What the socket really connects to: the companion server, tagged. */
  target: string;
  /** What `ws.url` shows: the learner's URL as the browser would serialise it. */
  shown: string;
}

/**
 * Maps a URL from learner code. `ws://localhost:8080/...` (or 127.0.0.1, [::1])
 * goes to the companion server wherever it runs; relative URLs resolve against
 * it too. Every URL gets `?fd-tag=<tag>` so the server's inspector can narrow to
 * this run. Throws the browser's own SyntaxError for URLs WebSocket would refuse.
 */
export function mapLearnerUrl(url: string | URL, companion: string, tag: string): MappedUrl {
  const wsOrigin = `${toWebSocketOrigin(companion)}/`;
  let parsed: URL;
  try {
    parsed = new URL(String(url), wsOrigin);
  } catch {
    throw new SyntaxError(`Failed to construct 'WebSocket': The URL '${String(url)}' is invalid.`);
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  const shown = parsed.href;
  const target = new URL(shown);
  const port = target.port === '' ? (target.protocol === 'wss:' ? 443 : 80) : Number(target.port);
  if (COURSE_HOSTS.has(target.hostname) && port === DEFAULT_PORT && target.protocol === 'ws:') {
    const companionUrl = new URL(wsOrigin);
    target.protocol = companionUrl.protocol;
    target.host = companionUrl.host;
  }
  target.searchParams.set(INSPECT_TAG_PARAM, tag);
  return { target: target.href, shown };
}

/**
 * The same mapping for plain HTTP from learner code (fetch): the course's
 * address, http://localhost:8080, goes to the companion server wherever it
 * runs; any other URL is left alone.
 */
export function mapLearnerHttpUrl(url: string | URL, companion: string): string {
  const parsed = new URL(String(url), `${companion}/`);
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  if (parsed.protocol === 'http:' && COURSE_HOSTS.has(parsed.hostname) && port === DEFAULT_PORT) {
    parsed.host = new URL(companion).host;
  }
  return parsed.href;
}

/**
 * The line the Output shows when the address in the learner's code is sent
 * somewhere else (the course on another port than 8080), so the rewrite is
 * never silent; null when the code's address is where the socket goes.
 */
export function rewriteNote(url: string, companion: string): string | null {
  let mapped: MappedUrl;
  try {
    mapped = mapLearnerUrl(url, companion, '');
  } catch {
    return null;
  }
  const shown = new URL(mapped.shown);
  const target = new URL(mapped.target);
  if (shown.protocol === target.protocol && shown.host === target.host) return null;
  return `Note: your code says ${shown.protocol}//${shown.host}; this course runs on ${target.protocol}//${target.host}, so the connection goes there. Code you run outside the course connects to the address it says.`;
}
