import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useServer, withTimeout } from '../server/helpers.ts';

/**
 * The TypeScript engine keeps a booted spare child for the next Run, in a temp folder of its own.
 * When that folder is gone by Run (a tmp cleaner took it), the learner's module cannot be written
 * there: the engine stops that child (its folder goes with it) and runs the server in a child
 * spawned then, so Run still answers 201 and no child is left behind. When that fails too, the
 * learner reads a short reason, without a temp path.
 */
const { base } = await useServer({}, { expectedErrors: /^lab failed to start$/ });

const SERVER =
  "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: Number(process.env.PORT) });\n" +
  "wss.on('connection', (socket) => socket.on('message', (data: Buffer) => socket.send(data.toString().toUpperCase())));\n";

/** This process's children that run the engine's child.ts (its lab servers and its spare, each from its folder's child.mjs), by pid. */
function labChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so count from its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /\/full-duplex-ts-lab-[^/]+\/child\.mjs\0/.test(readFileSync(`/proc/${name}/cmdline`, 'utf8'))) pids.push(Number(name));
    } catch {
      // It ended while being read.
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Waits (up to 10 s) until `labChildren()` satisfies `ok`, and returns it. */
async function childrenOnce(ok: (pids: number[]) => boolean): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const pids = labChildren();
    if (ok(pids)) return pids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`lab children never settled: ${JSON.stringify(labChildren())}`);
}

function start(): Promise<Response> {
  return fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'ts', code: SERVER }) });
}

async function stop(id: string): Promise<void> {
  expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
}

async function shout(url: string): Promise<string> {
  const ws = new WebSocket(url);
  try {
    await withTimeout(new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject))), 'the open', 15_000);
    ws.send('hello');
    return await withTimeout(new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString()))), 'the reply', 15_000);
  } finally {
    ws.terminate();
  }
}

/** Runs a lab and stops it: the engine then holds its spare alone, whose pid and folder this returns. */
async function spareAlone(): Promise<{ pid: number; folder: string }> {
  const warm = await start();
  expect(warm.status).toBe(201);
  await stop(((await warm.json()) as { id: string }).id);
  const [pid] = await childrenOnce((pids) => pids.length === 1);
  const folder = readlinkSync(`/proc/${pid}/cwd`);
  expect(folder.startsWith(join(tmpdir(), 'full-duplex-ts-lab-'))).toBe(true);
  return { pid: pid as number, folder };
}

describe.skipIf(!existsSync('/proc/self/stat'))('a TypeScript lab whose spare child lost its folder', () => {
  it('starts anyway (201) in a fresh child; the spare is stopped and no child is left behind', { timeout: 60_000 }, async () => {
    const spare = await spareAlone();
    rmSync(spare.folder, { recursive: true, force: true });

    const res = await start();
    expect(res.status).toBe(201);
    const lab = (await res.json()) as { id: string; url: string };
    expect(await shout(lab.url)).toBe('HELLO');
    // The lab's child and the next spare; the one whose folder went is gone.
    const running = labChildren();
    expect(running).toHaveLength(2);
    expect(running).not.toContain(spare.pid);

    await stop(lab.id);
    // As before the Run: the spare alone.
    const after = await childrenOnce((pids) => pids.length === 1);
    expect(after).not.toContain(spare.pid);
  });

  it('says why in a short line, with no temp path, when a fresh child cannot be prepared either; the next Run works', { timeout: 60_000 }, async () => {
    const spare = await spareAlone();
    rmSync(spare.folder, { recursive: true, force: true });
    // No temp folder to be had for the fresh child either (os.tmpdir() reads TMPDIR on each call).
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = join(tmpdir(), `full-duplex-no-such-dir-${process.pid}`);
    let res: Response;
    try {
      res = await start();
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('engine_failed');
    expect(body.message).toMatch(
      /^The TypeScript: Node \d+\.\d+\.\d+, ws \d+\.\d+\.\d+ engine could not start: a Node process could not be prepared for your server, twice \(ENOENT\)\. Press Run to try again; if it keeps failing, restart the companion\.$/,
    );
    // The child that failed was stopped, and no spare could be made: none is left.
    expect(await childrenOnce((pids) => pids.length === 0)).toEqual([]);
    expect(existsSync(spare.folder)).toBe(false);

    const again = await start();
    expect(again.status).toBe(201);
    const lab = (await again.json()) as { id: string; url: string };
    expect(await shout(lab.url)).toBe('HELLO');
    await stop(lab.id);
    await childrenOnce((pids) => pids.length === 1);
  });
});
