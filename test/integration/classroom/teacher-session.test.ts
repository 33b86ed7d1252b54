import { describe, expect, it } from 'vitest';
import { CLASSROOM_PATHS, rosterSchema, type MeResponse } from '../../../protocol/classroom.ts';
import { startServer } from '../../../server/app.ts';
import type { ServerOptions } from '../../../server/config.ts';
import { learnerSecret, learnerToken, teacherSecret, teacherToken } from '../../../server/classroom/identity.ts';
import { createLogger } from '../../../server/log.ts';
import { open, refused, useServer } from '../server/helpers.ts';

/**
 * The teacher's cookie on a real server: the key is traded for a signed session
 * that expires (never the key), which opens the roster, the labs list and the
 * inspector; the key as a cookie, an expired, forged or foreign session get the
 * same 401 as no cookie, and no error line. With the same FD_TEACHER_KEY and
 * FD_TOKEN_SECRET a session outlives a restart; with another of either it does not.
 */
const KEY = 'teacher-key-session-tests-0123456789';
const SECRET = 'token-secret-session-tests-0123456789';
const options = { classroom: true, teacherKey: KEY, tokenSecret: SECRET, heartbeat: 0 } satisfies ServerOptions;
const t = await useServer(options);
const JSON_HEADERS = { 'content-type': 'application/json' };
const COOKIE_LINE = /^fd-teacher=([\w-]+\.[\w-]+); Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/;

async function trade(base: string, key = KEY, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${CLASSROOM_PATHS.teacherSession}`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ key }) });
}

/** The cookie a browser would send back after a correct key. */
async function sessionCookie(base: string, key = KEY): Promise<string> {
  const res = await trade(base, key);
  expect(res.status).toBe(204);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function roster(base: string, cookie: string): Promise<{ status: number; error?: string; message?: string }> {
  const res = await fetch(`${base}${CLASSROOM_PATHS.learners}`, { headers: { cookie } });
  const body = (await res.json()) as { error?: string; message?: string };
  return res.status === 200 ? { status: 200 } : { status: res.status, ...body };
}

async function me(base: string, cookie: string): Promise<MeResponse> {
  return (await (await fetch(`${base}${CLASSROOM_PATHS.me}`, { headers: { cookie } })).json()) as MeResponse;
}

/** What a request without any teacher cookie gets, for comparison. */
const NO_TEACHER = {
  status: 401,
  error: 'teacher_key_required',
  message: 'The list of learners is the teacher\'s: enter the teacher key (printed when the server started) at /teacher/.',
};

describe('the teacher session cookie', () => {
  it('a correct key sets a signed session, HttpOnly, SameSite=Strict, 12 hours, Secure behind TLS, that does not hold the key', async () => {
    const res = await trade(t.base);
    expect(res.status).toBe(204);
    const line = res.headers.get('set-cookie') ?? '';
    expect(line).toMatch(COOKIE_LINE);
    expect(line).not.toContain(KEY);
    const value = COOKIE_LINE.exec(line)?.[1] ?? '';
    expect(Buffer.from(value.split('.')[0] ?? '', 'base64url').toString('utf8')).toMatch(/^\{"n":"teacher","e":\d+\}$/);
    // Through a TLS proxy it is Secure, like a learner's sign-in.
    const tls = (await trade(t.base, KEY, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie') ?? '';
    expect(tls).toMatch(/^fd-teacher=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
    expect(tls).not.toContain(KEY);
  });

  it('the session opens the teacher API, the labs of everyone and the inspector without a tag', async () => {
    const cookie = await sessionCookie(t.base);
    expect(await me(t.base, cookie)).toEqual({ classroom: true, learner: null, teacher: true });
    const list = await fetch(`${t.base}${CLASSROOM_PATHS.learners}`, { headers: { cookie } });
    expect(list.status).toBe(200);
    expect(rosterSchema.safeParse(await list.json()).success).toBe(true);
    const labs = await fetch(`${t.base}/api/labs`, { headers: { cookie } });
    expect([labs.status, await labs.json()]).toEqual([200, { labs: [] }]);
    const inspector = await open(`${t.ws}/inspect`, { headers: { cookie } });
    inspector.ws.close();
    await inspector.closed;
  });

  it('the key as the cookie no longer opens anything; a script still sends it as Bearer', async () => {
    const cookie = `fd-teacher=${KEY}`;
    expect(await roster(t.base, cookie)).toEqual(NO_TEACHER);
    expect(await me(t.base, cookie)).toEqual({ classroom: true, learner: null, teacher: false });
    expect((await refused(`${t.ws}/inspect`, { headers: { cookie } })).body['error']).toBe('sign_in_required');
    expect((await fetch(`${t.base}${CLASSROOM_PATHS.learners}`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    const inspector = await open(`${t.ws}/inspect`, { headers: { authorization: `Bearer ${KEY}` } });
    inspector.ws.close();
    await inspector.closed;
  });

  it('an expired, forged, foreign or malformed session is refused as no cookie is (401), never 500, and logs no error', async () => {
    const ofTeacher = teacherSecret(Buffer.from(SECRET), KEY);
    const hour = 3600_000;
    // Signed by this server's own secret and key, 12 hours ago: expired a moment ago.
    const expired = teacherToken(ofTeacher, () => Date.now() - 12 * hour - 1000, 12 * hour);
    const good = (await sessionCookie(t.base)).slice('fd-teacher='.length);
    const [payload, signature] = good.split('.') as [string, string];
    const later = Buffer.from(JSON.stringify({ n: 'teacher', e: Date.now() + 1000 * hour })).toString('base64url');
    const values = {
      expired,
      flippedSignature: `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
      laterExpiry: `${later}.${signature}`,
      otherKey: teacherToken(teacherSecret(Buffer.from(SECRET), 'another-teacher-key-0123456789'), Date.now, 12 * hour),
      otherSecret: teacherToken(teacherSecret(Buffer.from('another-token-secret-0123456789'), KEY), Date.now, 12 * hour),
      learnerToken: learnerToken({ id: 'abc', name: 'teacher' }, learnerSecret(Buffer.from(SECRET)), Date.now, 12 * hour),
      junk: '%%%.%%%',
      threeParts: `${good}.x`,
      empty: '',
      long: 'x'.repeat(6000),
    };
    for (const [what, value] of Object.entries(values)) {
      const cookie = `fd-teacher=${value}`;
      expect([what, await roster(t.base, cookie)]).toEqual([what, NO_TEACHER]);
      expect([what, (await me(t.base, cookie)).teacher]).toEqual([what, false]);
      const labs = await fetch(`${t.base}/api/labs`, { headers: { cookie } });
      expect([what, labs.status, ((await labs.json()) as { error: string }).error]).toEqual([what, 401, 'sign_in_required']);
      const inspector = await refused(`${t.ws}/inspect`, { headers: { cookie } });
      expect([what, inspector.status, inspector.body['error']]).toEqual([what, 401, 'sign_in_required']);
    }
    expect(t.errors).toEqual([]);
  });

  it('signing out clears the cookie', async () => {
    const res = await fetch(`${t.base}${CLASSROOM_PATHS.teacherSession}`, { method: 'DELETE', headers: { cookie: await sessionCookie(t.base) } });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toBe('fd-teacher=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });
});

describe('across a restart', () => {
  /** Starts a companion, runs `use` against it, stops it; its error log must stay empty. */
  async function withServer<T>(extra: ServerOptions, use: (base: string) => Promise<T>): Promise<T> {
    const errors: string[] = [];
    const log = createLogger('error', (line) => void errors.push(line));
    const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', ...options, ...extra }, { log });
    try {
      return await use(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
      expect(errors).toEqual([]);
    }
  }

  it('the same FD_TEACHER_KEY and FD_TOKEN_SECRET keep the session; another key, another secret or none refuse it', async () => {
    const cookie = await withServer({}, async (base) => {
      const made = await sessionCookie(base);
      expect((await roster(base, made)).status).toBe(200);
      return made;
    });
    expect(await withServer({}, (base) => roster(base, cookie))).toEqual({ status: 200 });
    expect(await withServer({ teacherKey: 'another-teacher-key-0123456789' }, (base) => roster(base, cookie))).toEqual(NO_TEACHER);
    expect(await withServer({ tokenSecret: 'another-token-secret-0123456789' }, (base) => roster(base, cookie))).toEqual(NO_TEACHER);
    expect(await withServer({ tokenSecret: undefined }, (base) => roster(base, cookie))).toEqual(NO_TEACHER);
  });
});
