import type { HandshakeEvent } from '../../protocol/inspect.ts';

/**
 * What the inspector must not repeat: credentials. A learner watching a
 * connection sees that a Cookie, an Authorization or a token was sent (name and
 * length), never its value, so a captured stream cannot be replayed as someone else.
 */

/** Query parameters whose values are secrets (compared case-insensitively). */
const SECRET_PARAMS = new Set(['token', 'access_token', 'auth', 'key', 'fd-key', 'password', 'secret', 'jwt', 'ticket', 'session', 'sid', 'api_key', 'apikey']);
/** Headers whose values are secrets. */
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization', 'x-api-key', 'x-auth-token']);
/** Subprotocol entries that smuggle credentials (the header is the only one a browser WebSocket can set). */
const CREDENTIAL_WORD = /token|bearer|auth|jwt|secret|password|key|session|ticket/i;
/** A subprotocol entry this long is a credential, not a protocol name. */
const LONG_ENTRY = 40;

const mark = (value: string, unit: 'bytes' | 'chars'): string => `[redacted, ${unit === 'bytes' ? Buffer.byteLength(value) : value.length} ${unit}]`;

/** The request target with secret query values replaced, everything else as sent. */
export function redactTarget(target: string): string {
  const q = target.indexOf('?');
  if (q === -1) return target;
  const query = target
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed escape is compared as sent.
      }
      return SECRET_PARAMS.has(name.toLowerCase()) ? `${pair.slice(0, eq)}=${mark(pair.slice(eq + 1), 'chars')}` : pair;
    })
    .join('&');
  return `${target.slice(0, q + 1)}${query}`;
}

/** One subprotocol list: credential-looking entries, and the entry after a marker like `access_token`, redacted. */
export function redactProtocols(value: string): string {
  const entries = value.split(',').map((e) => e.trim());
  let afterMarker = false;
  return entries
    .map((entry) => {
      const secret = afterMarker || entry.length >= LONG_ENTRY || CREDENTIAL_WORD.test(entry);
      afterMarker = /^(access[_.-]?token|bearer|token|auth|authorization|jwt)$/i.test(entry);
      if (afterMarker) return entry;
      return secret ? mark(entry, 'chars') : entry;
    })
    .join(', ');
}

export function redactHeaders(headers: readonly (readonly [string, string])[]): [string, string][] {
  return headers.map(([name, value]): [string, string] => {
    const lower = name.toLowerCase();
    if (SECRET_HEADERS.has(lower)) return [name, mark(value, 'bytes')];
    if (lower === 'sec-websocket-protocol') return [name, redactProtocols(value)];
    return [name, value];
  });
}

export function redactHandshake(event: HandshakeEvent): HandshakeEvent {
  return {
    ...event,
    request: { ...event.request, target: redactTarget(event.request.target), headers: redactHeaders(event.request.headers) },
    response: { ...event.response, headers: redactHeaders(event.response.headers) },
  };
}
