import { describe, expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { useServer } from '../server/helpers.ts';

/**
 * Every lab through the real lab API: its solution passes its check, its
 * starter fails it (three runs each: a starter that passes by luck is a
 * defect), and the refusals that keep other sites from running code here.
 */
const labs = loadLabs();
const { base } = await useServer();

async function startLab(code: string, lab?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ language: 'lua', code, lab }),
  });
}

async function run(code: string, lab: string): Promise<Verdict> {
  const started = await startLab(code, lab);
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
  const solution = lab.solution.lua ?? '';
  const starter = lab.starter.lua ?? '';
  it('its solution passes every case of its check', { timeout: 60_000 }, async () => {
    const verdict = await run(solution, id);
    expect(verdict.cases.filter((c) => !c.passed)).toEqual([]);
    expect(verdict.passed).toBe(true);
  });
  it('its starter fails its check, every time', { timeout: 90_000 }, async () => {
    for (let i = 0; i < 3; i++) {
      const verdict = await run(starter, id);
      expect(verdict.passed).toBe(false);
      const failure = verdict.cases.find((c) => !c.passed)?.failure;
      expect(failure?.expected).toBeTruthy();
      expect(failure?.arrived).toBeTruthy();
    }
  });
});
