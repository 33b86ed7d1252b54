import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { AstroIntegration } from 'astro';
import { glob } from 'tinyglobby';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Writes `.br` and `.gz` beside every text asset of the build, once: the
 * companion server (sirv) then sends them as they are, with no per-request
 * compression cost.
 *
 * Brotli at its highest quality (11) for every file under BIG_FILE, the
 * pages' own scripts, styles and HTML, the bytes a first visit waits for. The
 * few bigger files are Monaco and its TypeScript worker, fetched only once a
 * learner edits; quality 9 makes them 10% bigger (1,888 → 2,075 KiB for the
 * four) and takes 0.9 s of CPU instead of 13.6 s, most of a build's
 * compression time (measured 2026-12-02, 156 files).
 */
const BIG_FILE = 256 * 1024;
export function precompress(): AstroIntegration {
  return {
    name: 'full-duplex:precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        const files = await glob(['**/*.{html,js,mjs,css,svg,json,xml,txt,map,wasm}'], { cwd: root, absolute: true });
        let before = 0;
        let after = 0;
        await Promise.all(
          files.map(async (file) => {
            const data = await readFile(file);
            if (data.length < 1024) return;
            const [b, g] = await Promise.all([
              brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: data.length < BIG_FILE ? 11 : 9, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
              gz(data, { level: 9 }),
            ]);
            before += data.length;
            after += b.length;
            await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
          }),
        );
        logger.info(`${files.length} files precompressed: ${Math.round(before / 1024)} KiB → ${Math.round(after / 1024)} KiB (brotli)`);
      },
    },
  };
}
