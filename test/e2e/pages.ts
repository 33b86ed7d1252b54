import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The built site the e2e tests serve. */
export const siteDir = new URL('../../dist/', import.meta.url).pathname.replace(/\/$/, '');

/** Every page of the built site as a URL path with its trailing slash, sorted. */
export function builtPages(dir = siteDir): string[] {
  if (!existsSync(dir)) return [];
  const pages: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== '_astro' && name !== 'pagefind') pages.push(...builtPages(path));
    } else if (name === 'index.html') {
      const rel = relative(siteDir, dir);
      pages.push(rel ? `/${rel}/` : '/');
    }
  }
  return pages.sort();
}

/** The HTML the built site serves for a page path such as `/lessons/chat/`. */
export function builtHtml(path: string): string {
  return readFileSync(join(siteDir, path, 'index.html'), 'utf8');
}
