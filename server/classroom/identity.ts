import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASSROOM_COOKIES, type Identity } from '../../protocol/classroom.ts';
import type { Clock } from '../core/clock.ts';
import { signToken, verifyToken } from '../core/token.ts';

/**
 * Who is asking, in classroom mode. A learner's sign-in is a signed token
 * (server/core/token.ts) in an HttpOnly cookie, so the browser sends it with
 * every request and WebSocket of the course's origin, and neither page scripts
 * nor learner code can read it. The teacher trades the teacher key for a session
 * token of their own in another HttpOnly cookie (the key itself is never a cookie, so
 * a leaked cookie is worth 12 hours at most, not the key); scripts may send the key
 * as `Authorization: Bearer`. Pure: headers in, identity out.
 */

/** Learner tokens are signed under their own key, so a chat token (any name, from POST /api/token) is never a sign-in. */
export function learnerSecret(tokenSecret: Uint8Array): Buffer {
  return createHmac('sha256', tokenSecret).update('full-duplex classroom learner').digest();
}

/**
 * Teacher sessions are signed under a key made of the signing secret *and* the teacher key:
 * a session from a server started with another key or another secret is refused, and one
 * survives a restart exactly when FD_TOKEN_SECRET and FD_TEACHER_KEY are both the same.
 */
export function teacherSecret(tokenSecret: Uint8Array, teacherKey: string): Buffer {
  return createHmac('sha256', tokenSecret).update('full-duplex classroom teacher\n').update(teacherKey).digest();
}

/** What a teacher session token names (the token is `signToken`'s, under `teacherSecret`). */
export const TEACHER_SESSION_NAME = 'teacher';

/** The teacher's cookie value: a signed token that expires, never the key. */
export function teacherToken(secret: Uint8Array, now: Clock, ttlMs: number): string {
  return signToken(TEACHER_SESSION_NAME, secret, now, ttlMs).token;
}

/** True for an unexpired teacher session signed under `secret`; anything else (malformed, forged, expired) is false. */
export function isTeacherToken(token: string | undefined, secret: Uint8Array, now: Clock): boolean {
  if (token === undefined) return false;
  const check = verifyToken(token, secret, now);
  return check.ok && check.name === TEACHER_SESSION_NAME;
}

/** Cookie header → name/value pairs; the first of a repeated name wins, as browsers send the most specific first. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export function sameSecret(given: string | undefined, key: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The learner's cookie value: a token for `<id>:<name>` (ids are hex, names never hold ':'). */
export function learnerToken(learner: { id: string; name: string }, secret: Uint8Array, now: Clock, ttlMs: number): string {
  return signToken(`${learner.id}:${learner.name}`, secret, now, ttlMs).token;
}

export function readLearnerToken(token: string, secret: Uint8Array, now: Clock): { id: string; name: string } | null {
  const check = verifyToken(token, secret, now);
  if (!check.ok) return null;
  const colon = check.name.indexOf(':');
  if (colon < 1) return null;
  return { id: check.name.slice(0, colon), name: check.name.slice(colon + 1) };
}

export interface Identifier {
  /** The identity of a request, or null when it carries none (or only invalid ones). */
  identify(headers: { cookie?: string | undefined; authorization?: string | undefined }): Identity | null;
  /** True when `given` is the teacher key (a teacher session token is not). */
  isTeacherKey(given: string | undefined): boolean;
}

export function createIdentifier(options: { teacherKey: string; teacherSecret: Uint8Array; learnerSecret: Uint8Array; now: Clock }): Identifier {
  const isTeacherKey = (given: string | undefined): boolean => sameSecret(given, options.teacherKey);
  return {
    isTeacherKey,
    identify(headers) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
      const cookies = parseCookies(headers.cookie);
      if (isTeacherKey(bearer) || isTeacherToken(cookies.get(CLASSROOM_COOKIES.teacher), options.teacherSecret, options.now)) return { kind: 'teacher' };
      const token = cookies.get(CLASSROOM_COOKIES.learner);
      const learner = token === undefined ? null : readLearnerToken(token, options.learnerSecret, options.now);
      return learner ? { kind: 'learner', ...learner } : null;
    },
  };
}

/** A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/; Secure when the page came over TLS (through a proxy). */
export function cookieHeader(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.round(maxAgeSeconds)}${secure ? '; Secure' : ''}`;
}
