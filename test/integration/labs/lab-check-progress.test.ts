import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { CHECK_PROGRESS_TYPE, type CheckProgress, type Verdict } from '../../../protocol/labs.ts';
import { useServer } from '../server/helpers.ts';

/**
 * The check as it goes, through the real lab API: with `Accept:
 * application/x-ndjson` the answer is one line as each case starts and one as
 * it ends, then the verdict, so the page can say which case runs (a feed or
 * heartbeat case takes seconds). Without that Accept, the verdict alone, as
 * before. A reader that goes away mid-check costs the companion nothing.
 */
const { base, errors } = await useServer();
const solution = readFileSync(new URL('../../../labs/echo/solution.lua', import.meta.url), 'utf8');
const starter = readFileSync(new URL('../../../labs/echo/starter.lua', import.meta.url), 'utf8');
const NAMES = [
  'a text message comes back, and the close is answered',
  'a binary message comes back as binary',
  'a ping gets a pong with the same data',
  'two clients each get only their own messages back',
  'a client that vanishes does not stop the server',
];

async function startEcho(code: string): Promise<string> {
  const res = await fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'lua', code, lab: 'echo' }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The progress lines of a check, each as it arrived (with the number of lines that had arrived before it). */
async function progress(id: string): Promise<{ events: CheckProgress[]; type: string | null; cacheControl: string | null }> {
  const res = await fetch(`${base}/api/labs/${id}/check`, { method: 'POST', headers: { 'content-type': 'application/json', accept: CHECK_PROGRESS_TYPE }, body: '{}' });
  expect(res.status).toBe(200);
  const text = await res.text();
  return {
    events: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckProgress),
    type: res.headers.get('content-type'),
    cacheControl: res.headers.get('cache-control'),
  };
}

it('streams each case as it starts and ends, then the same verdict the plain answer gives', { timeout: 60_000 }, async () => {
  const id = await startEcho(solution);
  const { events, type, cacheControl } = await progress(id);
  expect(type).toBe('application/x-ndjson; charset=utf-8');
  // No Cache-Control (a POST's answer is never stored): with `no-store`, Chromium reports this answer,
  // read by the page to its end, as aborted in about a third of reads (see server/labs/api.ts).
  expect(cacheControl).toBeNull();
  // The echo lab shows its first case; the others are hidden until they fail.
  const results = NAMES.map((name, i) => ({ name, hidden: i > 0, passed: true, failure: null }));
  const expected: CheckProgress[] = results.flatMap((result, i) => [
    { t: 'case', index: i + 1, of: 5, name: result.name },
    { t: 'result', index: i + 1, result },
  ]);
  const verdict: Verdict = { passed: true, cases: results };
  expect(events).toEqual([...expected, { t: 'verdict', verdict }]);
  // The plain answer, for scripts: the verdict alone.
  const plain = await fetch(`${base}/api/labs/${id}/check`, { method: 'POST' });
  expect([plain.status, plain.headers.get('content-type'), await plain.json()]).toEqual([200, 'application/json; charset=utf-8', verdict]);
  expect(errors).toEqual([]);
});

it('a failing case ends with its failure in the result line, and the next case still runs', { timeout: 60_000 }, async () => {
  const id = await startEcho(starter);
  const { events } = await progress(id);
  const results = events.filter((e): e is Extract<CheckProgress, { t: 'result' }> => e.t === 'result');
  expect(results.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
  const last = events.at(-1);
  if (last?.t !== 'verdict') throw new Error('no verdict line');
  expect(last.verdict.passed).toBe(false);
  expect(results.map((r) => r.result)).toEqual(last.verdict.cases);
  expect(errors).toEqual([]);
});

it('a reader that leaves mid-check: the companion carries on, logs no error, and checks again', { timeout: 60_000 }, async () => {
  const id = await startEcho(solution);
  const url = new URL(`${base}/api/labs/${id}/check`);
  // Read the first line, then cut the connection.
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { accept: CHECK_PROGRESS_TYPE, 'content-length': '0' } }, (res) => {
      res.once('data', (chunk: Buffer) => {
        expect(JSON.parse(chunk.toString().split('\n')[0] as string)).toEqual({ t: 'case', index: 1, of: 5, name: NAMES[0] });
        res.destroy();
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    req.end();
  });
  const again = await progress(id);
  expect(again.events.at(-1)).toMatchObject({ t: 'verdict', verdict: { passed: true } });
  expect((await fetch(`${base}/health`)).status).toBe(200);
  expect(errors).toEqual([]);
});
