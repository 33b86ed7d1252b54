import { describe, expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { useServer } from '../server/helpers.ts';

/**
 * Every lab's TypeScript twin through the real lab API and the same check
 * data as its Lua version: the solution passes, and the starter fails every
 * one of 20 runs (a starter that passes by luck is a defect; timing is the
 * usual luck, so the repetitions are the test). Runs go four at a time, well
 * under the cap of 8 lab servers.
 */
const REPEAT = Number(process.env["TS_LAB_REPEAT"] ?? 20);
const AT_ONCE = 4;
const labs = loadLabs();
const { base } = await useServer();

async function run(code: string, lab: string): Promise<Verdict> {
  const started = await fetch(`${base}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'ts', code, lab }),
  });
  expect(started.status).toBe(201);
  const { id } = (await started.json()) as { id: string };
  try {
    const checked = await fetch(`${base}/api/labs/${id}/check`, { method: 'POST' });
    expect(checked.status).toBe(200);
    return (await checked.json()) as Verdict;
  } finally {
    expect((await fetch(`${base}/api/labs/${id}`, { method: 'DELETE' })).status).toBe(204);
  }
}

it('every lab has a TypeScript twin', () => {
  expect([...labs.values()].filter((lab) => !lab.languages.includes('ts')).map((lab) => lab.id)).toEqual([]);
  expect([...labs.keys()].sort()).toEqual(['broadcast', 'chat', 'echo', 'events', 'feed', 'heartbeat', 'origin-check', 'payload-limit']);
});

describe.each([...labs.values()].map((lab) => [lab.id, lab] as const))('TypeScript lab %s', (id, lab) => {
  it('its solution passes every case of its check', { timeout: 60_000 }, async () => {
    const verdict = await run(lab.solution.ts ?? '', id);
    expect(verdict.cases.filter((c) => !c.passed)).toEqual([]);
    expect(verdict.passed).toBe(true);
  });
  it(`its starter fails its check, ${REPEAT} times out of ${REPEAT}`, { timeout: 600_000 }, async () => {
    const outcomes: boolean[] = [];
    for (let i = 0; i < REPEAT; i += AT_ONCE) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(AT_ONCE, REPEAT - i) }, async () => {
          const verdict = await run(lab.starter.ts ?? '', id);
          const failure = verdict.cases.find((c) => !c.passed)?.failure;
          expect(failure?.expected).toBeTruthy();
          return verdict.passed;
        }),
      );
      outcomes.push(...batch);
    }
    expect(outcomes).toEqual(Array.from({ length: REPEAT }, () => false));
  });
});
