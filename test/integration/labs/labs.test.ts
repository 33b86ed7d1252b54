import { describe, expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { limit, useServer } from '../server/helpers.ts';

/**
 * Every lab through the real lab API: its solution passes its check, its
 * starter fails it (three runs each: a starter that passes by luck is a
 * defect), and the refusals that keep other sites from running code here.
 *
 * The solutions run first, one at a time: a passing check has windows (a
 * frame within 2 s) that a burst of starts next to it can make it miss. Then
 * the starters' runs go side by side, six lab servers at once (under the
 * companion's cap of 8), two starting at a time: a failing check spends its
 * time waiting out its windows, and being late only fails it the more.
 */
const labs = loadLabs();
const { base } = await useServer();
const starterSlot = limit(6);
const starting = limit(2);

async function startLab(code: string, lab?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ language: 'lua', code, lab }),
  });
}

async function run(code: string, lab: string): Promise<Verdict> {
  const started = await starting(() => startLab(code, lab));
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

describe.each([...labs.values()].map((lab) => [lab.id, lab] as const))('lab %s', (id, lab) => {
  it('its solution passes every case of its check', { timeout: 60_000 }, async () => {
    const verdict = await run(lab.solution.lua ?? '', id);
    expect(verdict.cases.filter((c) => !c.passed)).toEqual([]);
    expect(verdict.passed).toBe(true);
  });
});

describe.concurrent.each([...labs.values()].map((lab) => [lab.id, lab] as const))('lab %s', (id, lab) => {
  it('its starter fails its check, every time', { timeout: 90_000 }, async ({ expect }) => {
    const verdicts = await Promise.all([1, 2, 3].map(() => starterSlot(() => run(lab.starter.lua ?? '', id))));
    for (const verdict of verdicts) {
      expect(verdict.passed).toBe(false);
      const failure = verdict.cases.find((c) => !c.passed)?.failure;
      expect(failure?.expected).toBeTruthy();
      expect(failure?.arrived).toBeTruthy();
    }
  });
});
