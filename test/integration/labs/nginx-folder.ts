import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder a lab's nginx runs in (the openresty engine's full-duplex-lab-* under the temp dir), found
 * by one of its files: `file` (relative to the folder) whose text `match` accepts, e.g. the handler
 * ending with a test's marker, or logs/nginx.pid naming a master. Undefined when no folder has one.
 */
export function nginxLabFolder(file: string, match: (text: string) => boolean): string | undefined {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith('full-duplex-lab-'))
    .map((name) => join(tmpdir(), name))
    .find((dir) => {
      try {
        return match(readFileSync(join(dir, file), 'utf8'));
      } catch {
        return false;
      }
    });
}
