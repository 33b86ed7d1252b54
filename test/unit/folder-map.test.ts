import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { FOLDER_MAP } from '../../eslint.config.js';

/**
 * The folder map is a lint rule (eslint.config.js, tools/eslint-folder-map.js).
 * These fixtures are outside the normal lint run (test/fixtures/lint/ is
 * ignored) and are linted here as if they sat in src/runtime/progress/.
 */
const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/lint/${name}`, import.meta.url), 'utf8');
const eslint = new ESLint({ cwd: root });

async function lintAs(path: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: `${root}${path}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the folder map lint rule', () => {
  it('rejects browser runtime code importing the quiz engine, quoting the rule of the table', async () => {
    expect(await lintAs('src/runtime/progress/wrong-import.ts', fixture('wrong-import.ts'))).toEqual([
      'folder-map/imports: Folder map (README.md): src/runtime/ may import protocol/ only. ' +
        'This file in src/runtime/ imports quiz/engine/grade.ts ("../../../quiz/engine/grade.ts").',
    ]);
  }, 60_000);

  it('accepts the same folder importing protocol/ and its own folder', async () => {
    expect(await lintAs('src/runtime/progress/right-import.ts', fixture('right-import.ts'))).toEqual([]);
  }, 60_000);

  it('tells a server/ sub-folder from the top-level folder of the same name', async () => {
    // From server/, ./labs/ is server/labs/ (its own); ../labs/ is the lab definitions, which server/ may not import.
    const text = "import { a } from './labs/api.ts';\nimport { b } from '../labs/schema.ts';\nexport const c = [a, b];\n";
    expect(await lintAs('server/example.ts', text)).toEqual([
      'folder-map/imports: Folder map (README.md): server/ may import protocol/ only (src/ and server/ never meet). ' +
        'This file in server/ imports labs/schema.ts ("../labs/schema.ts").',
    ]);
  }, 60_000);

  it('checks the packages of protocol/, and the scripts inside .astro files', async () => {
    expect(await lintAs('protocol/example.ts', "import WebSocket from 'ws';\nexport const W = WebSocket;\n")).toEqual([
      'folder-map/imports: Folder map (README.md): protocol/ may import zod only. This file in protocol/ imports the package "ws".',
    ]);
    const astro = "---\n---\n<p>x</p>\n<script>\nimport { startServer } from '../../server/app.ts';\nconsole.log(startServer);\n</script>\n";
    expect(await lintAs('src/components/Example.astro', astro)).toEqual([
      'folder-map/imports: Folder map (README.md): src/components/ may import src/runtime/, src/course.ts, quiz/, labs/ and protocol/. ' +
        'This file in src/components/ imports server/app.ts ("../../server/app.ts").',
    ]);
  }, 60_000);

  it('keeps the fixtures out of the normal lint run', async () => {
    await expect(eslint.isPathIgnored(`${root}test/fixtures/lint/wrong-import.ts`)).resolves.toBe(true);
  });

  it('has a row in the README folder map for every folder it enforces', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Folder map'));
    const missing = FOLDER_MAP.map((row) => row.folder).filter((folder) => !table.includes(`| \`${folder}\``));
    expect(missing).toEqual([]);
  });
});
