import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLASSROOM_LIMITS } from '../../../protocol/classroom.ts';
import { createIdentifier, isTeacherToken, learnerSecret, learnerToken, teacherSecret, teacherToken } from '../../../server/classroom/identity.ts';
import { signToken } from '../../../server/core/token.ts';

/**
 * The teacher's session cookie: a token signed under a key made of the signing
 * secret and the teacher key, that expires with a learner's sign-in (12 hours),
 * and that never holds the key. The exact values below were checked with
 * openssl (`openssl dgst -sha256 -hmac …`), not only with this code.
 */
const SECRET = Buffer.from('s'.repeat(32));
const KEY = 'k'.repeat(24);
const TWELVE_HOURS = CLASSROOM_LIMITS.sessionSeconds * 1000;
const SESSION = teacherSecret(SECRET, KEY);
/** The token `teacherToken` makes at t = 1,000,000 ms for 12 hours: `{"n":"teacher","e":44200000}` and its signature. */
const TOKEN = 'eyJuIjoidGVhY2hlciIsImUiOjQ0MjAwMDAwfQ.gXjh-KBb0NebT431ohcmTDkZ15eZe7rFCWBDsiwqpSg';

function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

const payloadOf = (token: string): string => Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8');
/** A payload signed as the server would sign it (what a token can hold that `signToken` never writes). */
const signed = (payload: string, secret: Uint8Array = SESSION): string => {
  const body = Buffer.from(payload).toString('base64url');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
};

describe('the teacher session token', () => {
  it('is signed under HMAC-SHA256(secret, "full-duplex classroom teacher\\n" + key): exact value', () => {
    expect(SESSION.toString('hex')).toBe('dc18fc85d1a075ac2f87ca5410370b8fb23c1af6c93a8524f55bcf5d8917f98f');
    // Not the learners' key, and another key or another secret gives another one.
    expect(SESSION.equals(learnerSecret(SECRET))).toBe(false);
    expect(SESSION.equals(teacherSecret(SECRET, 'j'.repeat(24)))).toBe(false);
    expect(SESSION.equals(teacherSecret(Buffer.from('t'.repeat(32)), KEY))).toBe(false);
  });

  it('carries its expiry and never the key: exact value', () => {
    const clock = fakeClock();
    const token = teacherToken(SESSION, clock.now, TWELVE_HOURS);
    expect(token).toBe(TOKEN);
    expect(payloadOf(token)).toBe('{"n":"teacher","e":44200000}');
    expect(token).not.toContain(KEY);
    expect(payloadOf(token)).not.toContain(KEY);
  });

  it('is good until its expiry, and not from that millisecond on', () => {
    const clock = fakeClock();
    const token = teacherToken(SESSION, clock.now, TWELVE_HOURS);
    expect(isTeacherToken(token, SESSION, clock.now)).toBe(true);
    clock.advance(TWELVE_HOURS - 1);
    expect(isTeacherToken(token, SESSION, clock.now)).toBe(true);
    clock.advance(1);
    expect(isTeacherToken(token, SESSION, clock.now)).toBe(false);
  });

  it('forged: a changed signature, a later expiry, another key\'s or secret\'s session, a learner\'s or a chat token', () => {
    const clock = fakeClock();
    const [payload, signature] = TOKEN.split('.') as [string, string];
    const flipped = `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const later = `${Buffer.from('{"n":"teacher","e":99999999999}').toString('base64url')}.${signature}`;
    const forged = [
      flipped,
      later,
      teacherToken(teacherSecret(SECRET, 'j'.repeat(24)), clock.now, TWELVE_HOURS),
      teacherToken(teacherSecret(Buffer.from('t'.repeat(32)), KEY), clock.now, TWELVE_HOURS),
      learnerToken({ id: 'abc', name: 'teacher' }, learnerSecret(SECRET), clock.now, TWELVE_HOURS),
      signToken('teacher', SECRET, clock.now, TWELVE_HOURS).token,
      // Signed with the right key but naming someone else.
      signToken('learner', SESSION, clock.now, TWELVE_HOURS).token,
    ];
    expect(forged.map((token) => isTeacherToken(token, SESSION, clock.now))).toEqual(forged.map(() => false));
  });

  it('malformed: the key itself, junk, wrong shapes, and well-signed payloads that are not a session', () => {
    const clock = fakeClock();
    const malformed = [
      undefined,
      '',
      KEY,
      '.',
      'abc.',
      '.abc',
      'a.b.c',
      `${TOKEN}.`,
      '%%%.%%%',
      'x'.repeat(10_000),
      signed('not json'),
      signed('null'),
      signed('[]'),
      signed('{"n":"teacher"}'),
      signed('{"n":"teacher","e":"44200000"}'),
      signed('{"n":1,"e":44200000}'),
    ];
    expect(malformed.map((token) => isTeacherToken(token, SESSION, clock.now))).toEqual(malformed.map(() => false));
  });

  it('identify: the session cookie is the teacher until it expires; then the learner cookie beside it counts', () => {
    const clock = fakeClock();
    const secret = learnerSecret(SECRET);
    const who = createIdentifier({ teacherKey: KEY, teacherSecret: SESSION, learnerSecret: secret, now: clock.now });
    const learner = learnerToken({ id: 'abc', name: 'Ada' }, secret, clock.now, 2 * TWELVE_HOURS);
    const session = teacherToken(SESSION, clock.now, TWELVE_HOURS);
    expect(who.identify({ cookie: `fd-teacher=${session}; fd-learner=${learner}` })).toEqual({ kind: 'teacher' });
    expect(who.identify({ cookie: `fd-teacher=${KEY}; fd-learner=${learner}` })).toEqual({ kind: 'learner', id: 'abc', name: 'Ada' });
    // The key still opens everything when a script sends it explicitly.
    expect(who.identify({ authorization: `Bearer ${KEY}` })).toEqual({ kind: 'teacher' });
    expect(who.isTeacherKey(KEY)).toBe(true);
    expect(who.isTeacherKey(session)).toBe(false);
    clock.advance(TWELVE_HOURS);
    expect(who.identify({ cookie: `fd-teacher=${session}` })).toBeNull();
    expect(who.identify({ cookie: `fd-teacher=${session}; fd-learner=${learner}` })).toEqual({ kind: 'learner', id: 'abc', name: 'Ada' });
  });
});
