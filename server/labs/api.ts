import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLASSROOM_PATHS, ownerOf, TEACHER_OWNER, type Identity } from '../../protocol/classroom.ts';
import { LIMITS } from '../../protocol/constants.ts';
import { INSPECT_TAG_PARAM, INSPECT_TAG_PATTERN } from '../../protocol/endpoints.ts';
import type { HttpError } from '../../protocol/errors.ts';
import { CHECK_PROGRESS_TYPE, checkLabRequestSchema, LAB_ENDED_HEADER, LAB_ID_PATTERN, LAB_LIMITS, LAB_LOG_AFTER, LAB_PATHS, startLabRequestSchema, type CheckProgress, type StartLabResponse } from '../../protocol/labs.ts';
import type { Lab } from '../../labs/schema.ts';
import { sameSecret } from '../classroom/identity.ts';
import type { Roster } from '../classroom/roster.ts';
import type { Clock } from '../core/clock.ts';
import type { InspectHub } from '../core/inspect-hub.ts';
import { isLoopbackName, type Access } from '../core/origin.ts';
import { redactHandshake } from '../core/redact.ts';
import { WireRecorder } from '../core/wire.ts';
import { featureAllowed, type ServerConfig } from '../config.ts';
import type { HandshakeEvent } from '../../protocol/inspect.ts';
import type { Logger } from '../log.ts';
import { refuseUpgrade } from '../transport/refuse.ts';
import { runCheck } from './check.ts';
import { CHECK_KEY_HEADER, stripForLearner } from './headers.ts';
import { linesAfter, type Engine, type LabLogLine, type WireTap } from './engine.ts';
import { LabRegistry } from './registry.ts';

export interface LabsApi {
  /** Answers /api/labs…; false when the request is not for it. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes upgrades to /labs/<id>…; false when the request is not for it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  readonly size: number;
  shutdown(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, error: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error, message } satisfies HttpError, headers);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return;
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Classroom mode: the header a lab check's clients carry into the learner's lab (they have no sign-in). */

export function createLabsApi(deps: {
  config: ServerConfig;
  /** The server's Host and Origin rules (server/core/origin.ts), the same as its own endpoints'. */
  access: Access;
  log: Logger;
  now: Clock;
  hub: InspectHub | null;
  engines: readonly Engine[];
  labs: ReadonlyMap<string, Lab>;
  /**
   * Classroom mode: who a request is from, and the roster. Each lab is its
   * starter's: another learner gets 404 for it, as if it did not exist.
   */
  classroom?: { identify(req: IncomingMessage): Identity | null; roster: Roster } | null;
  /** Runs the reaper every `ms`; tests pass a fake. */
  every?: (ms: number, fn: () => void) => () => void;
}): LabsApi {
  const { config, log, now } = deps;
  const classroom = deps.classroom ?? null;
  const maxServers = classroom ? config.classroomLimits.labsTotal : LAB_LIMITS.maxServers;
  const registry = new LabRegistry({ now, max: maxServers, idleMs: LAB_LIMITS.idleMs });
  /** Classroom mode: lab id → its owner (a learner's id, or the teacher). */
  const owners = new Map<string, string>();
  /** Classroom mode: lab id → the key its check's clients carry, as they have no sign-in. */
  const checkKeys = new Map<string, string>();
  const forget = (id: string): void => {
    const owner = owners.get(id);
    owners.delete(id);
    checkKeys.delete(id);
    if (owner !== undefined) classroom?.roster.labStopped(owner, id);
  };
  /** May `identity` see lab `id`? Always outside classroom mode; there, its owner and the teacher. */
  const mayUse = (identity: Identity | null, id: string): boolean =>
    classroom === null || identity?.kind === 'teacher' || (identity !== null && owners.get(id) === ownerOf(identity));
  const every =
    deps.every ??
    ((ms, fn) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      return () => clearInterval(timer);
    });
  const stopReaper = every(30_000, () => {
    for (const entry of registry.sweep()) {
      log.info('lab reaped (idle)', { lab: entry.id });
      forget(entry.id);
      void entry.server.stop();
    }
  });
  let starting = 0;

  function labUrl(req: IncomingMessage, id: string): string {
    // A class reaches the server by the name in Host (checked above), maybe through a TLS proxy: the same way back.
    if (classroom && req.headers.host) return `${req.headers['x-forwarded-proto'] === 'https' ? 'wss' : 'ws'}://${req.headers.host}${LAB_PATHS.socket}${id}`;
    const port = req.socket.localPort ?? 0;
    const host = isLoopbackName(config.host) ? '127.0.0.1' : (req.headers.host ?? `127.0.0.1:${port}`).replace(/:\d+$/, '');
    return `ws://${host}:${port}${LAB_PATHS.socket}${id}`;
  }

  async function start(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>, identity: Identity | null): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      fail(res, 415, 'unsupported_media_type', 'POST the lab as Content-Type: application/json {"language":"lua","code":"…"}.', cors);
      return;
    }
    const body = await readBody(req, LAB_LIMITS.bodyBytes);
    if (body === null) return fail(res, 413, 'body_too_large', `The body is over ${LAB_LIMITS.bodyBytes} bytes.`, cors);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return fail(res, 400, 'bad_json', 'The body must be JSON: {"language":"lua","code":"…"}.', cors);
    }
    const parsed = startLabRequestSchema.safeParse(json);
    if (!parsed.success) {
      return fail(res, 400, 'bad_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), cors);
    }
    const { language, code } = parsed.data;
    const engine = deps.engines.find((e) => e.language === language);
    if (!engine) {
      return fail(res, 400, 'unknown_language', `No engine for "${language}"; this companion runs ${deps.engines.map((e) => `"${e.language}"`).join(', ')}.`, cors);
    }
    const labId = parsed.data.lab ?? null;
    const lab = labId === null ? null : deps.labs.get(labId);
    if (lab === undefined) return fail(res, 400, 'unknown_lab', `There is no lab "${labId}".`, cors);
    if (registry.size + starting >= maxServers) {
      req.resume();
      return fail(res, 429, 'too_many_labs', `${maxServers} lab servers are already running: stop one (DELETE ${LAB_PATHS.api}/<id>) or wait for an idle one to be reaped.`, cors);
    }
    const refusal = identity ? classroom?.roster.admitLab(identity) : null;
    if (refusal) return fail(res, refusal.status, refusal.error, refusal.message, cors);
    starting += 1;
    const started = identity ? classroom?.roster.labStarting(identity) : undefined;
    let result;
    try {
      result = await engine.start(code, { sharedDicts: lab?.sharedDicts ?? [] });
    } catch (error) {
      log.error('lab failed to start', { error: (error as Error).message });
      return fail(res, 500, 'engine_failed', `The ${engine.label} engine could not start: ${(error as Error).message}`, cors);
    } finally {
      starting -= 1;
      started?.();
    }
    if (!result.ok) {
      sendJson(res, 400, { error: result.error, line: result.line, message: result.message }, cors);
      return;
    }
    const id = randomBytes(8).toString('hex');
    registry.add(id, result.server, labId);
    if (identity && classroom) {
      owners.set(id, ownerOf(identity));
      checkKeys.set(id, randomBytes(18).toString('base64url'));
      classroom.roster.labStarted(identity, id, labId, result.server.engine);
    }
    log.info('lab started', { lab: id, engine: engine.label, definition: labId });
    sendJson(res, 201, { id, url: labUrl(req, id), engine: result.server.engine, lab: labId } satisfies StartLabResponse, {
      ...cors,
      location: `${LAB_PATHS.api}/${id}`,
    });
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== LAB_PATHS.api && !path.startsWith(`${LAB_PATHS.api}/`)) return false;
    if (!deps.access.hostAllowed(req.headers.host)) {
      fail(res, 403, 'host_not_allowed', 'The Host header does not name this machine (DNS rebinding protection).');
      return true;
    }
    const origin = req.headers.origin;
    // A page on another site must never start code on the learner's machine.
    if (!deps.access.originAllowed(origin, req.headers.host)) {
      req.resume();
      fail(res, 403, 'origin_not_allowed', `Origin ${origin} may not use the lab API (start the server with --allow-origin to allow it).`);
      return true;
    }
    const cors: Record<string, string> = origin !== undefined ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
      res.end();
      return true;
    }
    // Labs run code the learner typed: for this machine's own pages, others only with --labs.
    if (!featureAllowed(config, 'labs', req.socket.remoteAddress)) {
      req.resume();
      fail(res, 403, 'labs_disabled', 'Labs run code on this machine, so they are off while the server listens beyond loopback; restart with --labs to allow them.', cors);
      return true;
    }
    // In a class, only signed-in learners run code, each on their own lab servers.
    const identity = classroom?.identify(req) ?? null;
    if (classroom && identity === null) {
      req.resume();
      fail(res, 401, 'sign_in_required', `This companion serves a class: sign in at ${CLASSROOM_PATHS.signInPage} first, then press Run again.`, cors);
      return true;
    }
    const rest = path.slice(LAB_PATHS.api.length).split('/').filter(Boolean);
    if (rest.length === 0) {
      if (classroom && req.method === 'GET') {
        // Your own lab servers (the teacher: everyone's).
        const mine = registry.all().filter((e) => mayUse(identity, e.id));
        sendJson(res, 200, { labs: mine.map((e) => ({ id: e.id, lab: e.lab, engine: e.server.engine, ended: e.ended, owner: identity?.kind === 'teacher' ? (owners.get(e.id) ?? TEACHER_OWNER) : undefined })) }, cors);
        return true;
      }
      if (req.method !== 'POST') {
        fail(res, 405, 'method_not_allowed', 'POST {"language":"lua","code":"…"} to start a lab server.', { ...cors, allow: classroom ? 'GET, POST, OPTIONS' : 'POST, OPTIONS' });
        return true;
      }
      void start(req, res, cors, identity).catch(() => res.destroy());
      return true;
    }
    const [id, action] = rest;
    const found = id !== undefined && LAB_ID_PATTERN.test(id) ? registry.get(id) : undefined;
    // Another learner's lab answers exactly as a lab that does not exist: its id tells them nothing.
    const entry = found && mayUse(identity, found.id) ? found : undefined;
    if (!entry) {
      req.resume();
      fail(res, 404, 'no_such_lab', `No lab server ${id}: it was stopped, reaped after ${LAB_LIMITS.idleMs / 60000} idle minutes, or never started. Run it again.`, cors);
      return true;
    }
    if (action === undefined && req.method === 'DELETE') {
      registry.remove(entry.id);
      forget(entry.id);
      void entry.server.stop().then(() => {
        log.info('lab stopped', { lab: entry.id });
        res.writeHead(204, cors);
        res.end();
      });
      return true;
    }
    if (action === 'log' && req.method === 'GET') {
      // ?after=N: only the lines numbered above N (each line's `seq`), which a poller has not read yet.
      const query = new URL(req.url ?? '/', 'http://lab.invalid').searchParams.get(LAB_LOG_AFTER.param);
      const after = query === null ? 0 : LAB_LOG_AFTER.pattern.test(query) ? Number(query) : null;
      if (after === null) {
        fail(res, 400, 'bad_request', LAB_LOG_AFTER.message, cors);
        return true;
      }
      res.writeHead(200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'cache-control': 'no-store',
        [LAB_ENDED_HEADER]: String(entry.ended),
        ...cors,
        // A page of the course on another origin (npm run dev) reads the header too.
        ...(cors['access-control-allow-origin'] ? { 'access-control-expose-headers': LAB_ENDED_HEADER } : {}),
      });
      sendLog(res, linesAfter(entry.server.log, after));
      return true;
    }
    if (action === 'check' && req.method === 'POST') {
      const lab = entry.lab === null ? undefined : deps.labs.get(entry.lab);
      if (!lab) {
        req.resume();
        fail(res, 400, 'no_check', 'This lab server was started without a "lab", so there is no check to run.', cors);
        return true;
      }
      void readBody(req, 4096)
        .then((body) => {
          // An optional {"tag": …}: the check's clients carry it (as <tag>.<client>) so the page's live diagram draws them.
          const parsed = checkLabRequestSchema.safeParse(body === null || body.trim() === '' ? {} : JSON.parse(body));
          if (!parsed.success) {
            fail(res, 400, 'bad_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), cors);
            return;
          }
          const url = `ws://127.0.0.1:${req.socket.localPort ?? 0}${LAB_PATHS.socket}${entry.id}`;
          const key = checkKeys.get(entry.id);
          const options = { url, log: () => entry.server.log, tag: parsed.data.tag ?? null, headers: key ? { [CHECK_KEY_HEADER]: key } : {} };
          if (!(req.headers.accept ?? '').includes(CHECK_PROGRESS_TYPE)) {
            return runCheck(lab.check, options).then(
              (verdict) => sendJson(res, 200, verdict, cors),
              (error: Error) => fail(res, 500, 'check_failed', `The check could not run: ${error.message}`, cors),
            );
          }
          // The check as it goes: a case can take seconds (a ticker, a heartbeat), and the page says which runs.
          // A few short lines per case: nothing here waits for the reader.
          // No `Cache-Control: no-store`, which the other answers carry: no cache stores a POST's answer
          // without explicit freshness and a Content-Location (RFC 9110 §9.3.3), and with it Chromium
          // (151–156) reports an answer that a page reads with a stream reader, in more than one chunk,
          // as aborted (net::ERR_ABORTED in its network log) although the page read it to its end:
          // 94 of 200 reads on a 2-core machine, 0 of 200 without it (playwright issue 42742).
          res.writeHead(200, { 'content-type': `${CHECK_PROGRESS_TYPE}; charset=utf-8`, ...cors });
          const line = (event: CheckProgress): void => void res.write(`${JSON.stringify(event)}\n`);
          return runCheck(lab.check, { ...options, progress: line }).then(
            (verdict) => res.end(`${JSON.stringify({ t: 'verdict', verdict } satisfies CheckProgress)}\n`),
            (error: Error) => {
              log.error('lab check failed', { lab: entry.id, error: error.message });
              res.end(`${JSON.stringify({ t: 'error', error: 'check_failed', message: `The check could not run: ${error.message}` } satisfies CheckProgress)}\n`);
            },
          );
        })
        .catch(() => fail(res, 400, 'bad_json', 'The body must be empty or JSON: {"tag":"…"}.', cors));
      return true;
    }
    req.resume();
    fail(res, 405, 'method_not_allowed', `${req.method} ${path} is not part of the lab API.`, cors);
    return true;
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const raw = req.url ?? '/';
    if (!raw.startsWith(LAB_PATHS.socket)) return false;
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(raw, 'http://lab.invalid');
    } catch {
      refuseUpgrade(socket, 400, { error: 'bad_target', message: 'The request target is not a valid URL path.' });
      return true;
    }
    // Dots and slashes in %-escapes: nginx decodes them before it resolves dot segments, so
    // /labs/<id>/..%2F..%2F__ready would reach a location of the lab's nginx outside /labs/.
    if (/%(?:2e|2f|5c)/i.test(url.pathname)) {
      refuseUpgrade(socket, 400, { error: 'bad_target', message: 'A lab path may not hold escaped dots or slashes (%2E, %2F, %5C): write them plainly.' });
      return true;
    }
    if (!deps.access.hostAllowed(req.headers.host)) {
      refuseUpgrade(socket, 403, { error: 'host_not_allowed', message: 'The Host header does not name this machine (DNS rebinding protection).' });
      return true;
    }
    if (!featureAllowed(config, 'labs', req.socket.remoteAddress)) {
      refuseUpgrade(socket, 403, { error: 'labs_disabled', message: 'Lab servers take connections from this machine only; restart the companion with --labs to allow others.' });
      return true;
    }
    const id = url.pathname.slice(LAB_PATHS.socket.length).split('/')[0] ?? '';
    const found = LAB_ID_PATTERN.test(id) ? registry.get(id) : undefined;
    // In a class, a lab's sockets are its owner's (their page's clients) and its check's, which the
    // server itself opens with the lab's check key; anyone else is told there is no such lab.
    const checkKey = req.headers[CHECK_KEY_HEADER];
    const identity = classroom?.identify(req) ?? null;
    const entry = found && (mayUse(identity, found.id) || (typeof checkKey === 'string' && sameSecret(checkKey, checkKeys.get(found.id) ?? ''))) ? found : undefined;
    if (!entry) {
      refuseUpgrade(socket, 404, { error: 'no_such_lab', message: `No lab server ${id}: press Run to start one.` });
      return true;
    }
    // The check's key, the companion's cookies and any Authorization are for this server only: the
    // learner's handler (every engine reads rawHeaders) and the inspector never see them.
    stripForLearner(req);
    const labOwner = owners.get(entry.id) ?? null;
    if (entry.ended) {
      refuseUpgrade(socket, 503, { error: 'lab_ended', message: `Lab server ${id} has ended: its log says why. Press Run to start it again.` });
      return true;
    }
    // The inspector's tag is the page's, not the learner's: take it out of what the handler sees.
    const tag = url.searchParams.get(INSPECT_TAG_PARAM);
    url.searchParams.delete(INSPECT_TAG_PARAM);
    const target = url.pathname + (url.searchParams.size > 0 ? `?${url.searchParams.toString()}` : '');
    // What the handler gets is the path as resolved here (dot segments gone): never the raw target, which
    // the lab's server could resolve to another place than the lab id this check was made on.
    req.url = target;
    let tap: WireTap | null = null;
    const hub = deps.hub;
    if (hub && ((tag !== null && INSPECT_TAG_PATTERN.test(tag)) || hub.watchingAll)) {
      const safeTag = tag !== null && INSPECT_TAG_PATTERN.test(tag) ? tag : null;
      const conn = `lab-${entry.id.slice(0, 6)}-${randomBytes(3).toString('hex')}`;
      const recorder = new WireRecorder({
        conn,
        endpoint: 'lab',
        tag: safeTag,
        now,
        previewBytes: LIMITS.inspectPreviewBytes,
        request: { method: req.method ?? 'GET', target, httpVersion: req.httpVersion, headers: pairs(req.rawHeaders) },
        // Credentials never leave in an event, as on the companion's own endpoints.
        emit: (kind, make) => hub.publish(safeTag, kind, kind === 'handshake' ? () => redactHandshake(make() as HandshakeEvent) : make, labOwner),
      });
      tap = {
        read: (chunk) => recorder.read(chunk),
        wrote: (chunk) => recorder.wrote(chunk),
        end: (code, reason, how) => hub.publish(safeTag, 'end', () => ({ kind: 'end', conn, t: now(), code, reason, how }), labOwner),
      };
      if (safeTag !== null && labOwner !== null && classroom) {
        classroom.roster.labRun(labOwner === TEACHER_OWNER ? { kind: 'teacher' } : { kind: 'learner', id: labOwner, name: '' }, safeTag);
      }
    }
    entry.server.handleUpgrade(req, socket, head, tap);
    return true;
  }

  return {
    handleHttp,
    handleUpgrade,
    get size() {
      return registry.size;
    },
    async shutdown() {
      stopReaper();
      await Promise.all(registry.all().map((entry) => entry.server.stop()));
      await Promise.all(deps.engines.map((engine) => engine.dispose?.()));
    },
  };
}

/**
 * A log as NDJSON, streamed in pieces of about 64 KiB as the client takes them: never one string of
 * the whole log (the engines bound it, LabLog; this holds whatever an engine keeps). `lines` is a
 * copy (linesAfter makes one): the log goes on while the client reads. Each line carries its `seq`
 * (LabLog numbers them; a line without one, its place from 1).
 */
function sendLog(res: ServerResponse, lines: readonly LabLogLine[]): void {
  const first = lines[0]?.seq ?? 1;
  let next = 0;
  const more = (): void => {
    while (next < lines.length) {
      let piece = '';
      while (next < lines.length && piece.length < 64 * 1024) {
        const line = lines[next] as LabLogLine;
        piece += `${JSON.stringify(line.seq === undefined ? { ...line, seq: first + next } : line)}\n`;
        next += 1;
      }
      if (!res.write(piece)) {
        res.once('drain', more);
        return;
      }
    }
    res.end();
  };
  more();
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}
