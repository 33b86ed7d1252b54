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

/** True for a peer address on this machine: 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.replace(/^::ffff:/i, '');
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
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

/** A hostname as URL spells it: lower case, IPv6 in brackets, no trailing dot. */
export function canonicalHostname(name: string): string | null {
  const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return hostnameOfHostHeader(bracketed)?.replace(/\.$/, '') ?? null;
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

export interface AccessRules {
  /** The address the server is bound to (`--host`). */
  boundHost: string;
  /** The port it listens on (the real one, after binding port 0). */
  port: number;
  /**
   * Names and addresses of this machine (its hostname, each interface's address).
   * Used only when bound beyond loopback: they are what another machine may put in Host.
   */
  machineNames: readonly string[];
  /** `--allow-host`: more names a request may put in Host (a proxy's or a DNS name). */
  allowHosts: readonly string[];
  /** `--allow-origin`. */
  allowOrigins: readonly string[];
  /** The Astro dev server's port, whose pages call the companion cross-origin under `npm run dev`. */
  devPort: number;
}

/** The two questions the transport asks of every request. */
export interface Access {
  hostAllowed(hostHeader: string | undefined): boolean;
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean;
}

/**
 * The Host and Origin rules of one running server.
 *
 * Host: a loopback name always passes; bound beyond loopback (`--host 0.0.0.0`),
 * so do the machine's own names and addresses and `--allow-host` names. Anything
 * else is a name the attacker controls (DNS rebinding) and is refused.
 *
 * Origin: no Origin (not a browser), the server's own origin (the Host the
 * request was sent to, or a loopback name with the server's port), the dev
 * server's (a loopback name with the dev port), and `--allow-origin`. Other
 * pages on localhost, on other ports, are other programs and are refused, as is
 * the opaque origin "null" (sandboxed frames, file: pages), which any page can produce.
 */
export class AccessPolicy implements Access {
  private readonly rules: AccessRules;
  private readonly names: Set<string>;
  private readonly extraOrigins: Set<string>;

  constructor(rules: AccessRules) {
    this.rules = rules;
    const names = isLoopbackName(rules.boundHost) ? [] : [...rules.machineNames, rules.boundHost];
    this.names = new Set(
      [...names, ...rules.allowHosts].map(canonicalHostname).filter((n): n is string => n !== null && n !== '0.0.0.0' && n !== '[::]'),
    );
    this.extraOrigins = new Set(rules.allowOrigins.map(normalizeOrigin).filter((o): o is string => o !== null));
  }

  /** True when the server is reachable from this machine only. */
  get loopbackOnly(): boolean {
    return isLoopbackName(this.rules.boundHost);
  }

  hostAllowed(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const hostname = hostnameOfHostHeader(hostHeader);
    if (hostname === null) return false;
    return isLoopbackName(hostname) || this.names.has(hostname.replace(/\.$/, ''));
  }

  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    const normal = normalizeOrigin(origin);
    if (normal === null) return false;
    if (this.extraOrigins.has(normal)) return true;
    // The page's own origin: the Host it was sent to, over http, or https through a TLS proxy (samples/nginx/).
    if (hostHeader !== undefined && this.hostAllowed(hostHeader) && (normal === normalizeOrigin(`http://${hostHeader}`) || normal === normalizeOrigin(`https://${hostHeader}`))) return true;
    const url = new URL(normal);
    if (url.protocol !== 'http:' || !isLoopbackName(url.hostname)) return false;
    const port = url.port === '' ? 80 : Number(url.port);
    return port === this.rules.port || port === this.rules.devPort;
  }
}
