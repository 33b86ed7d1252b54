import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LAB_LOG_BYTES } from '../../../server/labs/engine.ts';
import { useServer, withTimeout } from '../server/helpers.ts';

/**
 * Learner code that prints megabyte lines, through the real lab API: each
 * line is kept cut, with a marker saying how many characters went, the log
 * stays under its byte cap, and GET /log answers. Before the bounds, 1 MB
 * console.log lines took the companion to 2.6 GB and GET /log failed with
 * "Invalid string length"; embedded Lua's ngx.log of 8 MB strings held them all.
 */
const { base } = await useServer();

type LogLine = { time: number; level: string; text: string; line: number | null };

async function start(language: 'ts' | 'lua', code: string): Promise<{ id: string; url: string }> {
  const res = await fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language, code }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string };
}

async function getLog(id: string): Promise<{ status: number; bytes: number; lines: LogLine[] }> {
  const res = await fetch(`${base}/api/labs/${id}/log`);
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine) };
}

async function waitForLine(id: string, text: string): Promise<LogLine[]> {
  for (let i = 0; i < 600; i++) {
    const { lines } = await getLog(id);
    if (lines.some((l) => l.text === text)) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no log line ${text}`);
}

const stop = async (id: string): Promise<void> => {
  expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
};

const SERVER = "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: Number(process.env.PORT) });\n";

describe('a lab whose code prints huge lines', () => {
  it('TypeScript, 300 console.log lines of 100 kB: each kept cut with its marker, the log under its cap, GET /log 200', { timeout: 60_000 }, async () => {
    const lab = await start('ts', `${SERVER}const huge = 'x'.repeat(100_000);\nfor (let i = 0; i < 300; i++) console.log(huge);\nconsole.log('done');\n`);
    const lines = await waitForLine(lab.id, 'done');
    const log = await getLog(lab.id);
    expect(log.status).toBe(200);
    expect(log.bytes).toBeLessThanOrEqual(LAB_LOG_BYTES);
    const cut = `${'x'.repeat(4048)} … [95952 more characters cut]`;
    // "done" and as many cut lines as fit beside it (LabLog's count: 4166 bytes a cut line, 90 for "done").
    expect(lines.map((l) => l.text)).toEqual([...Array<string>(251).fill(cut), 'done']);
    expect(lines[0]).toMatchObject({ level: 'stdout', line: 4 });
    await stop(lab.id);
  });

  it('TypeScript, a 5 MB line written to stdout with no end for a while: kept cut, with how many characters went', { timeout: 60_000 }, async () => {
    const lab = await start('ts', `${SERVER}for (let i = 0; i < 5; i++) process.stdout.write('y'.repeat(1_000_000));\nprocess.stdout.write('\\n');\n`);
    const cut = `${'y'.repeat(4048)} … [4995952 more characters cut]`;
    const lines = await waitForLine(lab.id, cut);
    expect(lines.find((l) => l.text === cut)).toMatchObject({ level: 'stdout', line: null });
    await stop(lab.id);
  });

  it('TypeScript, a 5 MB console.log line (over what one message from the child may be): dropped, and the log says so', { timeout: 60_000 }, async () => {
    const lab = await start('ts', `${SERVER}console.log('z'.repeat(5_000_000));\nconsole.log('done');\n`);
    const lines = await waitForLine(lab.id, 'done');
    // The child's JSON message: {"t":"log","level":"stdout","text":"…","line":3}.
    expect(lines.map((l) => [l.level, l.text])).toEqual([
      ['stdout', '(a line of about 5000047 characters from your server was dropped: a line over 4194304 characters is not kept)'],
      ['stdout', 'done'],
    ]);
    await stop(lab.id);
  });

  it('embedded Lua, ngx.log of 20 strings of 8 MiB: each kept cut with its marker, GET /log 200', { timeout: 60_000 }, async () => {
    const lab = await start('lua', 'local s = string.rep("y", 8 * 1024 * 1024)\nfor i = 1, 20 do ngx.log(ngx.ERR, s) end\nngx.log(ngx.ERR, "done")\nreturn ngx.exit(403)\n');
    const ws = new WebSocket(lab.url);
    ws.on('error', () => {});
    // 160 MiB through the embedded VM: over 20 s on a loaded machine (a bound).
    await withTimeout(new Promise((resolve) => ws.once('unexpected-response', resolve)), 'the 403', 45_000);
    const lines = await waitForLine(lab.id, 'done');
    const log = await getLog(lab.id);
    expect(log.status).toBe(200);
    const cut = `${'y'.repeat(4048)} … [8384560 more characters cut]`;
    expect(lines.map((l) => `[${l.level}] ${l.line} ${l.text}`)).toEqual([...Array<string>(20).fill(`[error] 2 ${cut}`), '[error] 3 done']);
    expect(log.bytes).toBeLessThanOrEqual(21 * 4200);
    await stop(lab.id);
  });
});
