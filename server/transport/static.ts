import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The built site. sirv handles ETags, ranges, precompressed files and path
 * safety; the server adds only the 404 page and the "not built yet" answer.
 */
export function staticSite(siteDir: string): Handler {
  if (!existsSync(join(siteDir, 'index.html'))) {
    return (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
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
