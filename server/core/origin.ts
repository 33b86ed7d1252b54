/**
 * Who may talk to the server. Cross-Site WebSocket Hijacking: browsers let any
 * page open a WebSocket to localhost, and the only thing that tells the server
 * which page is the Origin header. DNS rebinding: a hostile name that resolves
 * to 127.0.0.1 reaches a loopback server with its own name in Host.
 */

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** True for localhost, *.localhost (RFC 6761), 127.0.0.0/8 and ::1. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The host part of a Host header (`name:port`, `[v6]:port`), or null when it is not one. */
export function hostnameOfHostHeader(host: string): string | null {
  if (host === '' || /[/@?#\\\s]/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

/**
 * DNS-rebinding rule: while bound to a loopback address, the Host header must
 * name a loopback host. A server bound elsewhere (--host 0.0.0.0) is meant to
 * be reached by other names, so any Host passes.
 */
export function isHostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!isLoopbackName(boundHost)) return true;
  if (hostHeader === undefined) return false;
  const hostname = hostnameOfHostHeader(hostHeader);
  return hostname !== null && isLoopbackName(hostname);
}

/** Normalises an origin as browsers send it, or returns null for anything else. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.origin === 'null') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * Origin rule: no Origin (not a browser), the server's own origin (the Host
 * the request was sent to), any http://localhost:*, http://127.0.0.1:* or
 * http://[::1]:*, and the extra origins given with --allow-origin. The opaque
 * origin "null" (sandboxed frames, file: pages) is refused: any hostile page
 * can produce it.
 */
export function isOriginAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  extra: readonly string[],
): boolean {
  if (origin === undefined) return true;
  const normal = normalizeOrigin(origin);
  if (normal === null) return false;
  const url = new URL(normal);
  if (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return true;
  if (hostHeader !== undefined && normal === normalizeOrigin(`http://${hostHeader}`)) return true;
  return extra.some((allowed) => normalizeOrigin(allowed) === normal);
}
