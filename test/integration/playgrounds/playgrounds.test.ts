import { describe, it } from 'vitest';
import type { ClientEvent } from '../../../src/runtime/recorder/events.ts';
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
  // milliseconds apart, more on a busy machine. The chat playgrounds waited a fixed 500 or 600 ms
  // before speaking, so a client that joined later missed a line (a clean full run's e2e failure,
  // bob 1 s late) or was not there for a private message. What each Output shows must not depend on it.
  const LATE: [string, number][] = [['alice', 0], ['bob', 700], ['carol', 1500], ['alice', 1500]];
  // How long a run that ends by itself may take before it counts as not ending: a bound, not a budget.
  // The 6 s default was overrun on a loaded machine by project-chat with alice 1500 ms late.
  const ENDS_WITHIN_MS = 15_000;
  const printed = (events: ClientEvent[], client: string, shown: RegExp): string[] =>
    events.flatMap((e) => (e.kind === 'console' && e.client === client && shown.test(e.text) ? [`${e.level} ${e.text.replace(/^#\d+ /, '#N ')}`] : []));

  const trio = playgrounds.find((p) => p.id === 'first-client-chat');
  it.for(LATE)('first-client-chat: with %s %i ms late, every client prints both others\' greetings and not its own', { timeout: 40_000 }, async ([late, ms], { expect, onTestFinished }) => {
    if (!trio) throw new Error('first-client-chat not found');
    const { events, ended } = await runPlayground(staggered(trio, 'code', late, ms), 'code', await ownCompanion(onTestFinished), ENDS_WITHIN_MS);
    expect(ended).toBe('finished');
    for (const client of trio.clients) {
      const others = trio.clients.filter((name) => name !== client).map((name) => `log ${name}: Hi, ${name} here!`);
      expect(printed(events, client, /: Hi, /).sort(), client).toEqual(others);
    }
  });

  const oneProcess = playgrounds.find((p) => p.id === 'scaling-one-process');
  it('scaling-one-process: the one broadcast reaches all five sockets', { timeout: 40_000 }, async ({ expect, onTestFinished }) => {
    if (!oneProcess) throw new Error('scaling-one-process not found');
    const { events, ended } = await runPlayground(oneProcess, 'code', await ownCompanion(onTestFinished), ENDS_WITHIN_MS);
    expect(ended).toBe('finished');
    expect(printed(events, 'client', /^delivered /)).toEqual(['log delivered 5 times']);
  });

  const accounts = playgrounds.find((p) => p.id === 'project-chat');
  it.for(LATE)('project-chat: with %s %i ms late, bob and carol see alice\'s line, carol bob\'s private one and an error for dave', { timeout: 40_000 }, async ([late, ms], { expect, onTestFinished }) => {
    if (!accounts) throw new Error('project-chat not found');
    const { events, ended } = await runPlayground(staggered(accounts, 'code', late, ms), 'code', await ownCompanion(onTestFinished), ENDS_WITHIN_MS);
    expect(ended).toBe('finished');
    const said = /Hello, room!|\(private\)|^error /;
    expect(printed(events, 'alice', said)).toEqual([]);
    expect(printed(events, 'bob', said)).toEqual(['log #N alice: Hello, room!']);
    expect(printed(events, 'carol', said).sort()).toEqual([
      'log #N alice: Hello, room!',
      'log (private) bob: Just between us.',
      'warn error unknown_user: Nobody named "dave" is in the room.',
    ]);
  });
});
