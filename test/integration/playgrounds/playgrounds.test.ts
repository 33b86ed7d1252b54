import { describe, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/app.ts';
import { checks, isCheckName } from '../../../src/runtime/checks.ts';
import { findPlaygrounds, type FoundPlayground } from './find.ts';
import { runPlayground, staggered } from './run-playground.ts';

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

/**
 * A companion server of the test's own. Playgrounds on per-connection endpoints run side by side
 * (vitest's maxConcurrency); the /broadcast and /chat ones after them, one at a time: their code
 * waits a fixed 500 ms for the others to join, and every playground client runs in this process,
 * so a crowd of runs beside them delays their joins past it.
 */
async function ownCompanion(onTestFinished: (fn: () => Promise<void>) => void): Promise<string> {
  const server: RunningServer = await startServer({ port: 0, logLevel: 'error', siteDir: '/nonexistent/' });
  onTestFinished(() => server.close());
  return `http://127.0.0.1:${server.port}`;
}

describe('every playground in the course', () => {
  it('finds the playgrounds, each with a unique id and a known check', ({ expect }) => {
    expect(playgrounds.length).toBeGreaterThan(5);
    const ids = playgrounds.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of playgrounds) if (p.check !== null) expect(isCheckName(p.check), `${p.page}:${p.line}`).toBe(true);
  });

  it('gives every playground with a check a solution: a check belongs to an exercise', ({ expect }) => {
    const withoutSolution = playgrounds.filter((p) => p.check !== null && p.solution === null).map((p) => `${p.id} (${p.page}:${p.line})`);
    expect(withoutSolution).toEqual([]);
  });

  const sharedEndpoint = (p: FoundPlayground): boolean =>
    Object.values({ ...p.code, ...p.solution }).some((code) => /localhost:8080\/(broadcast|chat)\b/.test(code));
  const ordered = [...playgrounds.filter((p) => !sharedEndpoint(p)), ...playgrounds.filter((p) => sharedEndpoint(p))];
  for (const playground of ordered) {
    const concurrent = !sharedEndpoint(playground);
    const where = `${playground.id} (${playground.page}:${playground.line})`;

    const exercise = playground.check !== null;
    it(`${where}: the starter runs without an uncaught error${exercise ? ' and does not pass its check yet' : ''}`, { concurrent }, async ({ expect, onTestFinished }) => {
      const { events } = await runPlayground(playground, 'code', await ownCompanion(onTestFinished));
      expect(events.filter((e) => e.kind === 'uncaught')).toEqual([]);
      expect(events.some((e) => e.kind === 'create' || e.kind === 'console')).toBe(true);
      if (playground.check && isCheckName(playground.check)) {
        // An exercise's starter is unfinished.
        expect(checks[playground.check](events).passed).toBe(false);
      }
    });

    if (playground.solution) {
      it(`${where}: the solution passes${playground.check ? ` "${playground.check}"` : ''}`, { concurrent }, async ({ expect, onTestFinished }) => {
        const { events } = await runPlayground(playground, 'solution', await ownCompanion(onTestFinished));
        expect(events.filter((e) => e.kind === 'uncaught')).toEqual([]);
        if (playground.check && isCheckName(playground.check)) {
          expect(checks[playground.check](events)).toEqual({ passed: true, missing: [] });
        }
      });
    }
  }

  // In the browser each client's code starts when its worker is ready: tens to hundreds of
  // milliseconds apart, more on a busy machine. The chat trio waited a fixed 500 ms before speaking,
  // so a client that joined later missed a greeting (a clean full run's e2e failure, bob 1 s late).
  const trio = playgrounds.find((p) => p.id === 'first-client-chat');
  const LATE: [string, number][] = [['alice', 0], ['bob', 700], ['carol', 1500], ['alice', 1500]];
  it.for(LATE)('first-client-chat: with %s %i ms late, every client prints both others\' greetings and not its own', async ([late, ms], { expect, onTestFinished }) => {
    if (!trio) throw new Error('first-client-chat not found');
    const { events, ended } = await runPlayground(staggered(trio, 'code', late, ms), 'code', await ownCompanion(onTestFinished));
    expect(ended).toBe('finished');
    const greetings = (client: string): string[] =>
      events.filter((e) => e.kind === 'console' && e.client === client && e.text.includes(': Hi, ')).map((e) => (e.kind === 'console' ? e.text : ''));
    for (const client of trio.clients) {
      const others = trio.clients.filter((name) => name !== client).map((name) => `${name}: Hi, ${name} here!`);
      expect(greetings(client).sort(), client).toEqual(others);
    }
  });
});
