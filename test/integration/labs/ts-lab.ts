import { expect } from 'vitest';

/** A TypeScript lab started through the real API (POST /api/labs, 201 expected): the companion's answer. */
export async function startTsLab(base: string, code: string): Promise<{ id: string; url: string; engine: string }> {
  const res = await fetch(`${base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'ts', code }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string; engine: string };
}
