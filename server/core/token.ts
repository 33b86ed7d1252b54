import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.ts';

/**
 * Chat tokens: `<payload>.<signature>`, both base64url. The payload is
 * `{"n":name,"e":expiry-ms}`; the signature is HMAC-SHA256 of the payload text
 * under a secret only the server knows, so a client cannot forge or alter one.
 */

export type TokenCheck =
  | { ok: true; name: string; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function sign(payload: string, secret: Uint8Array): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signToken(name: string, secret: Uint8Array, now: Clock, ttlMs: number): { token: string; expiresAt: number } {
  const expiresAt = now() + ttlMs;
  const payload = Buffer.from(JSON.stringify({ n: name, e: expiresAt })).toString('base64url');
  return { token: `${payload}.${sign(payload, secret)}`, expiresAt };
}

export function verifyToken(token: string, secret: Uint8Array, now: Clock): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { n, e } = (body ?? {}) as { n?: unknown; e?: unknown };
  if (typeof n !== 'string' || typeof e !== 'number') return { ok: false, reason: 'malformed' };
  if (now() >= e) return { ok: false, reason: 'expired' };
  return { ok: true, name: n, expiresAt: e };
}
