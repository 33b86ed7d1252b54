import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLASSROOM_COOKIES, CLASSROOM_PATHS, signInRequestSchema, type MeResponse } from '../../protocol/classroom.ts';
import { HTTP_PATHS } from '../../protocol/endpoints.ts';
import type { HttpError } from '../../protocol/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Access } from '../core/origin.ts';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { cookieHeader, learnerToken, readLearnerToken, parseCookies, teacherToken, type Identifier } from './identity.ts';
import type { Roster } from './roster.ts';

const PATHS = new Set<string>([CLASSROOM_PATHS.signIn, CLASSROOM_PATHS.me, CLASSROOM_PATHS.teacherSession, CLASSROOM_PATHS.learners]);
const BODY_LIMIT = 1024;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, error: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error, message } satisfies HttpError, headers);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > BODY_LIMIT ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The classroom's HTTP API: learners sign in (a cookie), the teacher trades the
 * key for a session cookie (a signed token that expires, not the key) and reads
 * the roster. Every answer checks Host and Origin like the rest of the server;
 * bodies are JSON only, so another site's page cannot send one without a
 * preflight, which it does not get.
 */
export function createClassroomApi(deps: {
  config: ServerConfig;
  access: Access;
  log: Logger;
  now: Clock;
  identifier: Identifier;
  roster: Roster;
  learnerSecret: Uint8Array;
  /** Signs the teacher's session cookie (identity.ts `teacherSecret`). */
  teacherSecret: Uint8Array;
}): { handleHttp(req: IncomingMessage, res: ServerResponse): boolean } {
  const { config, access, identifier, roster } = deps;
  const sessionSeconds = config.classroomLimits.sessionSeconds;

  function handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // A class's chat tokens are for signed-in learners only (their code asks for them).
    if (path === HTTP_PATHS.token && req.method !== 'OPTIONS' && identifier.identify(req.headers) === null) {
      req.resume();
      fail(res, 401, 'sign_in_required', `This companion serves a class: sign in at ${CLASSROOM_PATHS.signInPage} first.`);
      return true;
    }
    if (!PATHS.has(path)) return false;
    req.resume();
    if (!access.hostAllowed(req.headers.host)) {
      fail(res, 403, 'host_not_allowed', 'The Host header does not name this machine (DNS rebinding protection; start the server with --allow-host to add a name).');
      return true;
    }
    const origin = req.headers.origin;
    if (!access.originAllowed(origin, req.headers.host)) {
      fail(res, 403, 'origin_not_allowed', `Origin ${origin} may not use the classroom API: open the course from this server.`);
      return true;
    }
    const secure = req.headers['x-forwarded-proto'] === 'https';
    const identity = identifier.identify(req.headers);

    if (path === CLASSROOM_PATHS.me) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const learner = identity?.kind === 'learner' ? { id: identity.id, name: identity.name } : null;
      sendJson(res, 200, { classroom: true, learner, teacher: identity?.kind === 'teacher' } satisfies MeResponse);
      return true;
    }
    if (path === CLASSROOM_PATHS.learners) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      if (identity?.kind !== 'teacher') {
        const [status, error] = identity === null ? [401, 'teacher_key_required'] : [403, 'teacher_only'];
        fail(res, status, error, `The list of learners is the teacher's: enter the teacher key (printed when the server started) at ${CLASSROOM_PATHS.teacherPage}.`);
        return true;
      }
      sendJson(res, 200, roster.snapshot());
      return true;
    }
    if (req.method === 'DELETE') {
      const name = path === CLASSROOM_PATHS.signIn ? CLASSROOM_COOKIES.learner : CLASSROOM_COOKIES.teacher;
      res.writeHead(204, { 'set-cookie': cookieHeader(name, '', 0, secure), 'cache-control': 'no-store' }).end();
      return true;
    }
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST, DELETE');
    if ((req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() !== 'application/json') {
      fail(res, 415, 'unsupported_media_type', 'Send the body as Content-Type: application/json.');
      return true;
    }
    void readBody(req).then(
      (body) => {
        let json: unknown = null;
        try {
          json = body === null ? null : JSON.parse(body);
        } catch {
          // Answered below as bad_json.
        }
        if (json === null || typeof json !== 'object') {
          fail(res, 400, 'bad_json', 'The body must be a small JSON object.');
          return;
        }
        if (path === CLASSROOM_PATHS.teacherSession) teacherSignIn(res, json as Record<string, unknown>, secure);
        else learnerSignIn(req, res, json, secure);
      },
      () => res.destroy(),
    );
    return true;
  }

  function teacherSignIn(res: ServerResponse, body: Record<string, unknown>, secure: boolean): void {
    const key = typeof body['key'] === 'string' ? body['key'].trim() : '';
    if (!identifier.isTeacherKey(key)) {
      deps.log.info('teacher key refused', {});
      fail(res, 403, 'bad_teacher_key', 'That is not the teacher key: copy it from the terminal where the server started (the line "Teacher key").');
      return;
    }
    const token = teacherToken(deps.teacherSecret, deps.now, sessionSeconds * 1000);
    res.writeHead(204, { 'set-cookie': cookieHeader(CLASSROOM_COOKIES.teacher, token, sessionSeconds, secure), 'cache-control': 'no-store' }).end();
  }

  function learnerSignIn(req: IncomingMessage, res: ServerResponse, body: unknown, secure: boolean): void {
    const parsed = signInRequestSchema.safeParse(body);
    if (!parsed.success) {
      fail(res, 400, 'bad_name', `Your name must be ${parsed.error.issues[0]?.message ?? 'a short name'}.`);
      return;
    }
    const cookie = parseCookies(req.headers.cookie).get(CLASSROOM_COOKIES.learner);
    const current = cookie === undefined ? null : readLearnerToken(cookie, deps.learnerSecret, deps.now);
    const result = roster.signIn(parsed.data.name, current);
    if (!result.ok) {
      fail(res, result.status, result.error, result.message);
      return;
    }
    const learner = { id: result.id, name: result.name };
    deps.log.info('learner signed in', { learner: learner.id });
    const token = learnerToken(learner, deps.learnerSecret, deps.now, sessionSeconds * 1000);
    sendJson(res, 201, learner, { 'set-cookie': cookieHeader(CLASSROOM_COOKIES.learner, token, sessionSeconds, secure) });
  }

  function methodNotAllowed(res: ServerResponse, allow: string): true {
    fail(res, 405, 'method_not_allowed', `This path answers ${allow}.`, { allow });
    return true;
  }

  return { handleHttp };
}

/**
 * Outside classroom mode the pages still ask who they are: GET /api/classroom/me
 * answers "no class" (not a 404), so the sign-in and teacher pages can say how to start one.
 */
export function answerOutsideClassroom(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.url ?? '/').split('?')[0] !== CLASSROOM_PATHS.me || req.method !== 'GET') return false;
  sendJson(res, 200, { classroom: false, learner: null, teacher: false } satisfies MeResponse);
  return true;
}
