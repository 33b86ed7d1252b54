import { describe, expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { limit, useServer } from '../server/helpers.ts';

/**
 * Every lab's TypeScript twin through the real lab API and the same check
 * data as its Lua version: the solution passes, and the starter fails every
 * one of 20 runs (a starter that passes by luck is a defect; timing is the
 * usual luck, so the repetitions are the test).
 *
 * The solutions run first, one at a time, each alone on the machine as far as
 * this file goes: a passing check has windows (a frame within 2 s) that a
 * burst of starts next to it can make it miss. Then every lab's starter runs
 * go side by side, six lab servers at once (under the companion's cap of 8)
 * and two starting at a time: a failing check spends its time waiting out its
 * windows, and being late only fails it the more.
 */
const REPEAT = Number(process.env["TS_LAB_REPEAT"] ?? 20);
const labs = loadLabs();
const { base } = await useServer();
const starterSlot = limit(6);
const starting = limit(2);

async function run(code: string, lab: string): Promise<Verdict> {
  const started = await starting(() =>
    fetch(`${base}/api/labs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'ts', code, lab }),
    }),
  );
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
});

describe.concurrent.each([...labs.values()].map((lab) => [lab.id, lab] as const))('TypeScript lab %s', (id, lab) => {
  it(`its starter fails its check, ${REPEAT} times out of ${REPEAT}`, { timeout: 600_000 }, async ({ expect }) => {
    const outcomes = await Promise.all(
      Array.from({ length: REPEAT }, async () => {
        const verdict = await starterSlot(() => run(lab.starter.ts ?? '', id));
        const failure = verdict.cases.find((c) => !c.passed)?.failure;
        expect(failure?.expected).toBeTruthy();
        return verdict.passed;
      }),
    );
    expect(outcomes).toEqual(Array.from({ length: REPEAT }, () => false));
  });
});
