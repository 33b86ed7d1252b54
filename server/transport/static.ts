import { createReadStream, existsSync, readFileSync, watch, type FSWatcher, type ReadStream } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import sirv from 'sirv';
import { resolveRange } from '../core/range.ts';
import type { Logger } from '../log.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What every page and file of the site is sent with. The CSP keeps other sites from framing the
 * course (clickjacking) and shuts out plugins and foreign scripts while letting the site work:
 * Astro and Starlight emit inline scripts and styles, the playground sandbox evaluates the
 * learner's code with eval in a worker (a worker served from here gets this header too), Monaco
 * and the sandbox run as workers, the search index and the Lua labs run WebAssembly, and the
 * learner's code may open a WebSocket to any local server (the companion on another port, the
 * OpenResty samples).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss: http://localhost:* http://127.0.0.1:*",
    "worker-src 'self' blob:",
    "frame-ancestors 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; '),
};

/** GET and HEAD only: anything else on a page is 405 with this Allow. */
export const STATIC_METHODS = 'GET, HEAD';

const quiet: Logger = { error: () => {}, info: () => {}, debug: () => {} };

/** Quiet after a change in the site's folder for this long, a build is taken to be over. */
export const SITE_SETTLE_MS = 300;

/**
 * The built site, served as the folder holds it now. sirv reads the list of files once, so after
 * `npm run build` beside a running companion it went on serving the old pages and answered 404 for
 * the new fingerprinted files they load. The folder is watched (a build rewrites its index.html and
 * 404.html) and the files are read again once it has been quiet for SITE_SETTLE_MS.
 */
export function staticSite(siteDir: string, log: Logger = quiet): Handler & { close(): void } {
  let current = siteFiles(siteDir, log);
  let settle: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    const reread = (attempt: number): void => {
      clearTimeout(settle);
      settle = setTimeout(() => {
        try {
          current = siteFiles(siteDir, log);
          log.info('site files read again', { siteDir });
        } catch (error) {
          // A file went while the folder was read (a build still cleaning up): the old files stay
          // served, and the folder is read again, twice more at most before the next change.
          log.error('site files not read', { siteDir, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
          if (attempt < 3) reread(attempt + 1);
        }
      }, SITE_SETTLE_MS);
      settle.unref();
    };
    watcher = watch(siteDir, { persistent: false }, () => reread(1));
    // The folder removed: the files served stay as they were; a restart reads the new ones.
    watcher.on('error', () => watcher?.close());
  } catch {
    // No folder yet (its 503 says to build): a restart after the build serves it.
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => current(req, res);
  return Object.assign(handler, {
    close(): void {
      watcher?.close();
      clearTimeout(settle);
    },
  });
}

/**
 * The files of the built site. sirv finds the file (precompressed variants, ETags, path
 * safety); ranges are decided by `resolveRange` because sirv's own range code
 * throws on bad input, and every stream piped into a response gets an error
 * handler, so a file that cannot be opened (EMFILE, deleted) ends that
 * response instead of the process.
 */
function siteFiles(siteDir: string, log: Logger): Handler {
  if (!existsSync(join(siteDir, 'index.html'))) {
    return (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`The site is not built yet (no ${siteDir}index.html). Run: npm run build\n`);
    };
  }
  const notFoundPage = join(siteDir, '404.html');
  const notFoundHtml = existsSync(notFoundPage) ? readFileSync(notFoundPage) : null;
  const serve = sirv(siteDir, {
    dev: false,
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(res, pathname) {
      // Astro fingerprints everything under /_astro/, so it can be cached forever.
      if (pathname.startsWith('/_astro/')) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('cache-control', 'no-cache');
      }
    },
  });
  return (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: STATIC_METHODS });
      res.end(`${req.method} is not allowed here; pages answer ${STATIC_METHODS}.\n`);
      return;
    }
    res.on('pipe', (source: Readable) => {
      source.on('error', (error: NodeJS.ErrnoException) => {
        log.error('static file error', { path: req.url, error: error.code ?? error.message });
        res.destroy();
      });
    });
    const range = req.headers.range;
    if (range !== undefined) {
      // sirv must never see a Range header (see server/core/range.ts).
      delete req.headers.range;
      takeOverRange(req, res, range, log);
    }
    serve(req, res, () => {
      if (notFoundHtml) {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : notFoundHtml);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    });
  };
}

/**
 * sirv answers 200 with the whole file; this turns that answer into the 206 or
 * 416 the Range asks for, and swaps the stream sirv pipes for one of the range
 * (a ReadStream knows its path, so the file sirv chose, compressed or not, is the one cut).
 */
function takeOverRange(req: IncomingMessage, res: ServerResponse, header: string, log: Logger): void {
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: OutgoingHttpHeaders) => ServerResponse;
  let cut: { start: number; end: number } | 'none' | null = null;
  res.writeHead = ((status: number, headers: OutgoingHttpHeaders = {}) => {
    const size = Number(headers['Content-Length']);
    const ifRange = req.headers['if-range'];
    const fresh = ifRange === undefined || ifRange === headers['ETag'] || ifRange === headers['Last-Modified'];
    if (status !== 200 || !Number.isSafeInteger(size) || !fresh) return writeHead(status, headers);
    const decision = resolveRange(header, size);
    if (decision.kind === 'full') return writeHead(status, { ...headers, 'Accept-Ranges': 'bytes' });
    if (decision.kind === 'unsatisfiable') {
      cut = 'none';
      const { ETag: _etag, 'Content-Length': _length, 'Content-Encoding': _encoding, ...rest } = headers;
      return writeHead(416, { ...rest, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    }
    cut = { start: decision.start, end: decision.end };
    return writeHead(206, {
      ...headers,
      'Accept-Ranges': 'bytes',
      'Content-Range': `bytes ${decision.start}-${decision.end}/${size}`,
      'Content-Length': decision.end - decision.start + 1,
    });
  }) as typeof res.writeHead;
  res.once('pipe', (source: Readable) => {
    if (cut === null) return;
    source.unpipe(res);
    source.destroy();
    if (cut === 'none') {
      res.end();
      return;
    }
    const part = createReadStream((source as ReadStream).path, { start: cut.start, end: cut.end });
    part.on('error', (error: NodeJS.ErrnoException) => {
      log.error('static file error', { path: req.url, error: error.code ?? error.message });
      res.destroy();
    });
    part.pipe(res);
  });
}
