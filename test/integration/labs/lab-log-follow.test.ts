import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { labLogLineSchema, type LabLogLineJson } from '../../../protocol/labs.ts';
import { LAB_LOG_LINES } from '../../../server/labs/engine.ts';
import { useServer, withTimeout } from '../server/helpers.ts';
import { startTsLab } from './ts-lab.ts';

/**
 * Following a lab server's log once it is full, through the real lab API: the
 * page polls GET …/log, and once the log held its 2,000 lines (the oldest
 * dropped as new ones came) a poll that went by the count of lines saw no
 * change, and the Output stopped. Each line carries its number in the log
 * (`seq`, from 1, kept as older lines go), and ?after=N answers only the
 * lines numbered above N: what the page has not shown yet, each once.
 */
const { base, errors } = await useServer();

/**
 * GET …/log once, or again if the connection was reset: as the page's poller does (a failed poll is
 * retried at the next). Two clean full runs met one reset (read ECONNRESET) in this file, cause not
 * found (an in-process server polled every 50 ms for 35 s, or after stalls of 3–11 s, never reset);
 * each retry is said on stderr so that it stays visible.
 */
async function fetchLog(url: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    process.stderr.write(`lab-log-follow: GET ${url} failed (${String((error as Error).cause ?? error)}); asking again\n`);
    return fetch(url);
  }
}

async function getLog(id: string, query = ''): Promise<LabLogLineJson[]> {
  const res = await fetchLog(`${base}/api/labs/${id}/log${query}`);
  expect(res.status).toBe(200);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => labLogLineSchema.strict().parse(JSON.parse(l)));
}

const seqs = (lines: readonly LabLogLineJson[]): number[] => lines.map((l) => l.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

it('a full log still gives every new line, numbered past the dropped ones, and ?after= answers only those', { timeout: 60_000 }, async () => {
  const lab = await startTsLab(
    base,
    "import { WebSocketServer } from 'ws';\n" +
    'const wss = new WebSocketServer({ port: Number(process.env.PORT) });\n' +
    'for (let i = 1; i <= 2100; i++) console.log(`line ${i}`);\n' +
    "wss.on('connection', (socket) => {\n" +
    "  socket.on('message', (data: Buffer) => {\n" +
    '    console.log(`got ${data.toString()}`);\n' +
    '    socket.send(data.toString());\n' +
    '  });\n' +
    '});\n',
  );

  for (let i = 0; i < 600 && (await getLog(lab.id, '?after=2099')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  // 2,100 lines logged, the newest 2,000 held: numbered 101 to 2100.
  const full = await getLog(lab.id);
  expect(full).toHaveLength(LAB_LOG_LINES);
  expect(seqs(full)).toEqual(range(101, 2100));
  expect(full[0]).toEqual({ time: full[0]?.time, level: 'stdout', text: 'line 101', line: 3, seq: 101 });
  expect(full.at(-1)).toEqual({ time: full.at(-1)?.time, level: 'stdout', text: 'line 2100', line: 3, seq: 2100 });
  expect(seqs(await getLog(lab.id, '?after=2050'))).toEqual(range(2051, 2100));
  expect(await getLog(lab.id, '?after=2100')).toEqual([]);
  // Asked after a line that was dropped: the lines held, from the oldest (the page counts the gap).
  expect(seqs(await getLog(lab.id, '?after=7'))).toEqual(range(101, 2100));

  // The log is full; a new line drops the oldest and comes after the last one seen.
  const ws = new WebSocket(lab.url);
  await withTimeout(new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject))), 'open', 15_000);
  ws.send('hello');
  await withTimeout(new Promise((resolve) => ws.once('message', resolve)), 'the echo', 15_000);
  let fresh: LabLogLineJson[] = [];
  for (let i = 0; i < 200 && fresh.length === 0; i++) {
    fresh = await getLog(lab.id, '?after=2100');
    if (fresh.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  expect(fresh).toEqual([{ time: fresh[0]?.time, level: 'stdout', text: 'got hello', line: 6, seq: 2101 }]);
  const after = await getLog(lab.id);
  expect(after).toHaveLength(LAB_LOG_LINES);
  expect(seqs(after)).toEqual(range(102, 2101));
  ws.close();

  // A bad ?after= is refused, saying what it takes.
  for (const bad of ['-1', 'abc', '1.5', '']) {
    const res = await fetch(`${base}/api/labs/${lab.id}/log?after=${bad}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'bad_request', message: 'after: the number of the last log line you have (its "seq"), a whole number from 0.' });
  }
  expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  expect(errors).toEqual([]);
});

it('says in a header whether the lab server has ended by itself, readable by a course page on another origin', { timeout: 60_000 }, async () => {
  const lab = await startTsLab(
    base,
    "import { WebSocketServer } from 'ws';\n" +
    'const wss = new WebSocketServer({ port: Number(process.env.PORT) });\n' +
    "wss.on('connection', () => process.exit(3));\n",
  );
  const running = await fetch(`${base}/api/labs/${lab.id}/log`);
  expect([running.headers.get('x-lab-ended'), running.headers.get('access-control-expose-headers')]).toEqual(['false', null]);
  // A connection makes it exit; the lab refuses the next handshake once it has ended.
  const socket = new WebSocket(lab.url);
  socket.on('error', () => {});
  await withTimeout(new Promise((resolve) => socket.once('close', resolve)), 'the lab to drop the connection');
  let ended = await fetch(`${base}/api/labs/${lab.id}/log`);
  while (ended.headers.get('x-lab-ended') !== 'true') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    ended = await fetch(`${base}/api/labs/${lab.id}/log`);
  }
  // Its last lines say why, in the same answer.
  expect((await ended.text()).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text)).toContain(
    'your server called process.exit(3) and stopped; a server should keep running: press Run again.',
  );
  const fromDev = await fetch(`${base}/api/labs/${lab.id}/log`, { headers: { origin: `http://localhost:${new URL(base).port}` } });
  expect([fromDev.headers.get('x-lab-ended'), fromDev.headers.get('access-control-expose-headers')]).toEqual(['true', 'x-lab-ended']);
  expect(errors).toEqual([]);
});
