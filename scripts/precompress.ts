import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { AstroIntegration } from 'astro';
import { glob } from 'tinyglobby';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Writes `.br` and `.gz` beside every text asset of the build, once, at the
 * highest levels: the companion server (sirv) then sends them as they are,
 * with no per-request compression cost and the smallest transfer.
 */
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
              brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
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
