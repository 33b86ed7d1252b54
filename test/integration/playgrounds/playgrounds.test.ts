import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/app.ts';
import { checks, isCheckName } from '../../../src/runtime/checks.ts';
import { findPlaygrounds } from './find.ts';
import { runPlayground } from './run-playground.ts';

/**
 * Proven to run: every playground of the course, found in the lesson MDX, is
 * run against the real companion server with the browser sandbox's own
 * instrumentation. Starters and solutions run without an uncaught error; a
 * solution passes its check. A playground with a check is an exercise: it
 * must ask for something, so it comes with a solution and its starter does
 * not pass yet (a check its starter already passes promises feedback on work
 * the learner never has to do).
 */
const playgrounds = await findPlaygrounds();

describe('every playground in the course', () => {
  let server: RunningServer;
  let companion: string;
  beforeAll(async () => {
    server = await startServer({ port: 0, logLevel: 'error', siteDir: '/nonexistent/' });
    companion = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server?.close());

  it('finds the playgrounds, each with a unique id and a known check', () => {
    expect(playgrounds.length).toBeGreaterThan(5);
    const ids = playgrounds.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of playgrounds) if (p.check !== null) expect(isCheckName(p.check), `${p.page}:${p.line}`).toBe(true);
  });

  it('gives every playground with a check a solution: a check belongs to an exercise', () => {
    const withoutSolution = playgrounds.filter((p) => p.check !== null && p.solution === null).map((p) => `${p.id} (${p.page}:${p.line})`);
    expect(withoutSolution).toEqual([]);
  });

  for (const playground of playgrounds) {
    const where = `${playground.id} (${playground.page}:${playground.line})`;

    const exercise = playground.check !== null;
    it(`${where}: the starter runs without an uncaught error${exercise ? ' and does not pass its check yet' : ''}`, async () => {
      const { events } = await runPlayground(playground, 'code', companion);
      expect(events.filter((e) => e.kind === 'uncaught')).toEqual([]);
      expect(events.some((e) => e.kind === 'create' || e.kind === 'console')).toBe(true);
      if (playground.check && isCheckName(playground.check)) {
        // An exercise's starter is unfinished.
        expect(checks[playground.check](events).passed).toBe(false);
      }
    });

    if (playground.solution) {
      it(`${where}: the solution passes${playground.check ? ` "${playground.check}"` : ''}`, async () => {
        const { events } = await runPlayground(playground, 'solution', companion);
        expect(events.filter((e) => e.kind === 'uncaught')).toEqual([]);
        if (playground.check && isCheckName(playground.check)) {
          expect(checks[playground.check](events)).toEqual({ passed: true, missing: [] });
        }
      });
    }
  }
});
