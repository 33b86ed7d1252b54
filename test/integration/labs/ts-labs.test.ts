import { expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { useServer } from '../server/helpers.ts';

/**
 * Every lab's TypeScript twin through the real lab API and the same check
 * data as its Lua version, run as checks-repeat runs the playgrounds'
 * exercises: each solution must pass every one of REPEAT runs and each
 * starter must fail every one (a starter that passes by luck, or a solution
 * that fails by it, is a defect; timing is the usual luck, so the
 * repetitions are the test). Every lab server has its own path and child
 * process, so runs of different labs and variants go side by side, AT_ONCE
 * at a time, interleaved so the starters' waits for frames that never come
 * overlap the rest.
 *
 * Four, not the cap of 8 lab servers: with 8 children and their checks in one
 * companion beside e2e's Chromium, two clean full runs on a 2-core runner each
 * failed the heartbeat solution once (a ping, then a pong, held up past the
 * 1 s heartbeat's margin: "arrived: close 4000 \"no pong\""). The lab judges a
 * server on a one-second timer; the test must not starve the server it judges.
 */
const REPEAT = Number(process.env['TS_LAB_REPEAT'] ?? 10);
const AT_ONCE = 4;
const labs = loadLabs();
const { base } = await useServer();

type Variant = 'solution' | 'starter';

/**
 * fetch, once more when a kept-alive connection was reset under it: the
 * companion closes idle connections after Node's keep-alive timeout, and a
 * loaded test process can pick one up just as it goes (read ECONNRESET).
 */
async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return fetch(url, init);
  }
}

/** One run: 'passed', or the first failed case with what it expected and what arrived. */
async function run(code: string, lab: string): Promise<{ outcome: string; checkMs: number }> {
  const started = await request(`${base}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'ts', code, lab }),
  });
  expect(started.status).toBe(201);
  const { id } = (await started.json()) as { id: string };
  try {
    const before = performance.now();
    const checked = await request(`${base}/api/labs/${id}/check`, { method: 'POST' });
    expect(checked.status).toBe(200);
    const verdict = (await checked.json()) as Verdict;
    const checkMs = performance.now() - before;
    if (verdict.passed) return { outcome: 'passed', checkMs };
    const failed = verdict.cases.find((c) => !c.passed);
    // The server's last error line, if any, says why a solution failed (it crashed, was stopped, never listened).
    const log = await (await request(`${base}/api/labs/${id}/log`, {})).text();
    const lastError = log.split('\n').filter((line) => line.includes('"level":"error"')).at(-1) ?? 'no error in its log';
    return { outcome: `failed: ${failed?.name ?? '?'}: expected ${failed?.failure?.expected ?? '?'}; arrived: ${failed?.failure?.arrived ?? '?'} (${lastError})`, checkMs };
  } finally {
    expect((await request(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
  }
}

it('every lab has a TypeScript twin', () => {
  expect([...labs.values()].filter((lab) => !lab.languages.includes('ts')).map((lab) => lab.id)).toEqual([]);
  expect([...labs.keys()].sort()).toEqual(['broadcast', 'chat', 'echo', 'events', 'feed', 'heartbeat', 'origin-check', 'payload-limit']);
});

it(`every TypeScript lab: the solution passes ${REPEAT} times out of ${REPEAT}, the starter fails ${REPEAT} times out of ${REPEAT}`, { timeout: 1_200_000 }, async () => {
  const jobs: { lab: string; variant: Variant; code: string }[] = [];
  for (let i = 0; i < REPEAT; i++) {
    for (const lab of labs.values()) for (const variant of ['starter', 'solution'] as const) jobs.push({ lab: lab.id, variant, code: lab[variant].ts ?? '' });
  }
  const outcomes = new Map<string, string[]>();
  const times = new Map<string, number[]>();
  let next = 0;
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        if (!job) break;
        const key = `${job.lab} ${job.variant}`;
        const { outcome, checkMs } = await run(job.code, job.lab);
        outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
        times.set(key, [...(times.get(key) ?? []), checkMs]);
      }
    }),
  );
  // What each check takes, for the record (and the suite's timing report): median and slowest.
  const summary = [...times].sort(([a], [b]) => a.localeCompare(b)).map(([key, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return `${key}: median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, slowest ${Math.round(sorted.at(-1) ?? 0)} ms`;
  });
  console.info(`TypeScript lab checks, ${REPEAT} runs each:\n${summary.join('\n')}`);
  // Every wrong outcome of every lab at once, so one failure does not hide the others.
  const wrong: Record<string, string[]> = {};
  for (const lab of labs.keys()) {
    const solution = outcomes.get(`${lab} solution`) ?? [];
    const starter = outcomes.get(`${lab} starter`) ?? [];
    const bad = [
      ...solution.filter((o) => o !== 'passed').map((o) => `solution ${o}`),
      // Each failure names what it expected: a starter failing for no stated reason fails the test.
      ...starter.filter((o) => o === 'passed' || o.includes('expected ?')).map((o) => `starter ${o}`),
    ];
    if (solution.length !== REPEAT || starter.length !== REPEAT) bad.push(`ran ${solution.length} solutions and ${starter.length} starters`);
    if (bad.length > 0) wrong[lab] = bad;
  }
  expect(wrong).toEqual({});
});
