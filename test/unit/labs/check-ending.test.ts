import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSchema } from '../../../labs/schema.ts';
import { CLOSE_WAIT_MS, runCheck, type TranscriptEntry } from '../../../server/labs/check.ts';
import { rawServer, type Seen } from './raw-ws-server.ts';

/**
 * How a check's case ends its clients (check.ts, runCase): a client still open when the case is over
 * says goodbye with a close frame (1000) and is let go once the server answers, or cut after
 * CLOSE_WAIT_MS if it never does; a client that did a `leave` step stays cut. Against a WebSocket
 * server written here byte by byte, so the test sees exactly what reached the server, and when.
 */

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** rawServer, closed after the test. */
async function serve(onClose: 'answer' | 'mute'): Promise<Awaited<ReturnType<typeof rawServer>>> {
  const started = await rawServer(onClose);
  servers.push(started.server);
  return started;
}

/** Waits until the server has seen every connection end: a cut reaches it a moment after the check moved on. */
async function allGone(seen: Seen[]): Promise<void> {
  while (seen.some((s) => s.goneAt === null)) await new Promise((resolve) => setTimeout(resolve, 20));
}

const byName = (seen: Seen[], name: string): Seen => {
  const entry = seen.find((s) => s.name === name);
  if (!entry) throw new Error(`no connection ${name}`);
  return entry;
};

describe('the end of a check case', () => {
  it("closes each client still open with 1000 once the case's result is settled; the server's answer changes nothing", async () => {
    const { url, seen } = await serve('answer');
    const check = checkSchema.parse({
      cases: [
        {
          name: 'passes',
          steps: [
            { do: 'connect', client: 'alice', path: '?name=alice' },
            { do: 'send', client: 'alice', text: 'hi' },
            { do: 'expect', client: 'alice', type: 'text', text: 'hi' },
          ],
        },
        {
          name: 'fails',
          steps: [
            { do: 'connect', client: 'bob', path: '?name=bob' },
            { do: 'expect', client: 'bob', type: 'text', text: 'never sent', within: 200 },
          ],
        },
      ],
    });
    const transcript: TranscriptEntry[] = [];
    // A bound far past the test's timeout: the check ends only if the server's answers end the connections.
    const verdict = await runCheck(check, { url, log: () => [], record: (entry) => transcript.push(entry), closeWaitMs: 3_600_000 });
    expect(verdict).toEqual({
      passed: false,
      cases: [
        { name: 'passes', hidden: false, passed: true, failure: null },
        {
          name: 'fails',
          hidden: false,
          passed: false,
          // The server's "after the verdict" and its close came after this was settled: not read.
          failure: { client: 'bob', step: 2, action: 'expect text "never sent" within 200 ms', expected: 'text "never sent" within 200 ms', arrived: 'nothing' },
        },
      ],
    });
    expect(transcript).toEqual([{ case: 'passes', client: 'alice', arrival: 'text "hi"' }]);
    await allGone(seen);
    expect(byName(seen, 'alice').frames).toEqual(['text hi', 'close 1000 ""']);
    expect(byName(seen, 'bob').frames).toEqual(['close 1000 ""']);
    // Each case's clients are gone before the next case connects.
    expect(byName(seen, 'alice').goneAt).toBeLessThan(byName(seen, 'bob').openAt);
  });

  it('cuts the clients of a server that never answers a close at the bound (CLOSE_WAIT_MS unless set), all of them at once', async () => {
    const { url, seen } = await serve('mute');
    const check = checkSchema.parse({
      cases: [
        {
          name: 'three clients',
          steps: [
            { do: 'connect', client: 'alice', path: '?name=alice' },
            { do: 'connect', client: 'bob', path: '?name=bob' },
            { do: 'connect', client: 'carol', path: '?name=carol' },
            { do: 'send', client: 'alice', text: 'hi' },
            { do: 'expect', client: 'alice', type: 'text', text: 'hi' },
            // Carol closes during the case; the server never answers her either.
            { do: 'close', client: 'carol', code: 4000 },
          ],
        },
      ],
    });
    // Longer than the default, so that a busy machine's pause cannot pass for a wait; the default is pinned below.
    const bound = 1500;
    const verdict = await runCheck(check, { url, log: () => [], closeWaitMs: bound });
    await allGone(seen);
    expect(verdict.passed).toBe(true);
    expect(CLOSE_WAIT_MS).toBe(500);
    expect(byName(seen, 'alice').frames).toEqual(['text hi', 'close 1000 ""']);
    expect(byName(seen, 'bob').frames).toEqual(['close 1000 ""']);
    // Her own close, once: the end of the case sends no second one.
    expect(byName(seen, 'carol').frames).toEqual(['close 4000 ""']);
    for (const entry of seen) {
      // Cut at the bound, counted from its close frame: not before (later, on a busy machine, is no fault).
      const waited = (entry.goneAt ?? Number.POSITIVE_INFINITY) - (entry.closeAt ?? 0);
      expect(waited, entry.name).toBeGreaterThanOrEqual(bound - 50);
    }
    // All at once, not one after another: alice's and bob's close frames went in the same moment. One after
    // another, bob's would go only once alice had been cut, a whole bound later.
    const [aliceClose, bobClose] = [byName(seen, 'alice').closeAt ?? 0, byName(seen, 'bob').closeAt ?? 0];
    expect(Math.abs(bobClose - aliceClose)).toBeLessThan(bound / 2);
  });

  it('leaves a client that did a `leave` step cut (no close frame), while the others close', async () => {
    const { url, seen } = await serve('answer');
    const check = checkSchema.parse({
      cases: [
        {
          name: 'one vanishes',
          steps: [
            { do: 'connect', client: 'alice', path: '?name=alice' },
            { do: 'connect', client: 'frank', path: '?name=frank' },
            { do: 'leave', client: 'frank' },
            { do: 'send', client: 'alice', text: 'still there?' },
            { do: 'expect', client: 'alice', type: 'text', text: 'still there?' },
          ],
        },
      ],
    });
    expect((await runCheck(check, { url, log: () => [] })).passed).toBe(true);
    await allGone(seen);
    expect(byName(seen, 'frank')).toMatchObject({ frames: [], closeAt: null });
    expect(byName(seen, 'frank').goneAt).not.toBeNull();
    expect(byName(seen, 'alice').frames).toEqual(['text still there?', 'close 1000 ""']);
  });
});
