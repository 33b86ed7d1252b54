import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ServerChild, tinySite } from '../server/child.ts';

/**
 * A TypeScript lab runs in a child of its own, in a folder of its own under the
 * temp dir, and one booted spare waits for the next Run. Stopped by SIGTERM,
 * the companion removes both folders before it exits. (The spare does not keep
 * the process alive, so Node used to end before the spare's exit was seen, and
 * its folder stayed behind: one per start of the companion.)
 */
const temp = mkdtempSync(join(tmpdir(), 'fd-ts-shutdown-'));
// tinySite removes its own folder after the file's tests.
const site = tinySite();
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const labFolders = (): string[] => readdirSync(temp).filter((name) => name.startsWith('full-duplex-ts-lab-'));

it('SIGTERM with a lab running and a spare waiting: exit 0, and no lab folder is left', { timeout: 60_000 }, async () => {
  const child = await ServerChild.start(['--site', site.dir], { env: { TMPDIR: temp } });
  const res = await fetch(`http://127.0.0.1:${child.port}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'ts', code: "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: Number(process.env.PORT) });\n" }),
  });
  expect(res.status).toBe(201);
  // The running lab's folder and the spare's.
  expect(labFolders()).toHaveLength(2);
  child.process.kill('SIGTERM');
  expect(await child.exited).toEqual({ code: 0, signal: null });
  expect(labFolders()).toEqual([]);
  expect(child.stderr).not.toContain('"level":"error"');
});
