import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenRequestSchema, type TokenResponse } from '../../protocol/chat.ts';
import { LIMITS } from '../../protocol/constants.ts';
import { ENDPOINTS, HTTP_PATHS } from '../../protocol/endpoints.ts';
import type { HttpError } from '../../protocol/errors.ts';
import { parseJson } from '../../protocol/json.ts';
import type { Health } from '../../protocol/health.ts';
import type { Clock } from '../core/clock.ts';
import type { Access } from '../core/origin.ts';
import { signToken } from '../core/token.ts';
import { featureAllowed, type ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { SECURITY_HEADERS, type Handler } from './static.ts';

/** WebSocket-only paths: a plain GET there gets 426. `/` is also the site's home page, so it is not one. */
const WEBSOCKET_ONLY = new Set<string>(Object.values(ENDPOINTS).filter((p) => p !== ENDPOINTS.root));

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': SECURITY_HEADERS['x-content-type-options'],
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, error: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error, message } satisfies HttpError, headers);
}

/** Reads a small body; null when it is larger than `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Plain HTTP: `GET /health`, `POST /api/token`, 426 on WebSocket paths, the
 * site for everything else. The dev server (Astro on :4321) calls /health and
 * /api/token cross-origin, so allowed origins get CORS headers.
 */
export function createHttpHandler(deps: {
  config: ServerConfig;
  access: Access;
  log: Logger;
  now: Clock;
  site: Handler;
  health: () => Health;
  tokenSecret: Uint8Array;
}): Handler {
  const { config, now, access } = deps;
  // Whatever a handler throws answers 500 and is logged; a request never ends the process.
  return (req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      deps.log.error('request handler error', { path: req.url, error: (error as Error).message });
      if (!res.headersSent) {
        fail(res, 500, 'internal_error', 'The server failed to answer this request; it is still running.');
      } else {
        res.destroy();
      }
    }
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (!access.hostAllowed(req.headers.host)) {
      fail(res, 403, 'host_not_allowed', 'The Host header does not name this machine (DNS rebinding protection).');
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const origin = req.headers.origin;
    const originOk = access.originAllowed(origin, req.headers.host);
    const cors: Record<string, string> =
      origin !== undefined && originOk ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};

    if (path === HTTP_PATHS.health) {
      sendJson(res, 200, deps.health(), cors);
      return;
    }
    if (path === HTTP_PATHS.token) {
      if (!featureAllowed(config, 'token', req.socket.remoteAddress)) {
        fail(res, 403, 'not_local', 'Tokens are issued to this machine only (start the server with --remote-token to allow others).');
        return;
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
        res.end();
        return;
      }
      if (req.method !== 'POST') {
        fail(res, 405, 'method_not_allowed', 'POST a JSON body {"name": "…"} to get a token.', { allow: 'POST, OPTIONS' });
        return;
      }
      if (!originOk) {
        fail(res, 403, 'origin_not_allowed', `Origin ${origin} may not request tokens.`);
        return;
      }
      void readBody(req, LIMITS.tokenBodyBytes).then(
        (body) => {
          if (body === null) {
            fail(res, 413, 'body_too_large', `The body is over ${LIMITS.tokenBodyBytes} bytes.`, cors);
            return;
          }
          const parsed = parseJson(body, tokenRequestSchema);
          if (!parsed.ok) {
            if (parsed.reason === 'json') fail(res, 400, 'bad_json', 'The body must be JSON: {"name": "alice"}.', cors);
            else fail(res, 400, 'bad_name', `"name" must be 1 to ${LIMITS.chatNameMaxLength} letters, digits, "_" or "-".`, cors);
            return;
          }
          const { name } = parsed.value;
          const { token, expiresAt } = signToken(name, deps.tokenSecret, now, config.tokenTtl * 1000);
          deps.log.info('token issued', { expiresAt });
          sendJson(res, 200, { token, name, expiresAt } satisfies TokenResponse, cors);
        },
        () => res.destroy(),
      );
      return;
    }
    if (WEBSOCKET_ONLY.has(path)) {
      fail(res, 426, 'upgrade_required', `${path} is a WebSocket endpoint: connect with new WebSocket('ws://${req.headers.host ?? 'localhost:8080'}${path}').`, {
        upgrade: 'websocket',
        connection: 'Upgrade',
      });
      return;
    }
    deps.site(req, res);
  }
}

/**
 * What to write on a connection whose request Node's parser gave up on
 * (the server's 'clientError'); null means close it without a word.
 * - Nothing sent on it yet: an answer for the client that opened it. A
 *   connection opened ahead of use (browsers preconnect) and sent nothing
 *   within the headers timeout gets 408, which RFC 9110 §15.5.9 lets a client
 *   answer by repeating its request, and Chromium does on a fresh connection;
 *   a 400 there is read as the answer to the next page the learner opens.
 * - A kept-alive connection that has already carried a response: a timeout
 *   or an error might be read as the answer to a request the client is just
 *   sending, so it is only closed (a client repeats an idempotent request on
 *   a reused connection that closes). As Node does when no one listens.
 */
export function clientErrorReply(code: string | undefined, bytesWritten: number): string | null {
  if (bytesWritten > 0) return null;
  const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}
