import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocketServer } from 'ws';
import { checkSchema } from '../../../labs/schema.ts';
import { runCheck } from '../../../server/labs/check.ts';
import { rawServer } from './raw-ws-server.ts';
import { wsServer } from './ws-server.ts';

/**
 * An expect step's `skip`: data frames of the types it names may come before the awaited frame and are
 * passed over (the feed lab's pong, which a tick can overtake on a busy machine); without it, the first
 * data frame that is not the awaited one fails the step.
 */
const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server that answers a ping with a text frame first, then the pong; or, `mute`, with the text frame alone. */
async function tickFirst(mute = false): Promise<string> {
  const { server, url } = await wsServer({ autoPong: false });
  servers.push(server);
  server.on('connection', (socket) => {
    socket.on('ping', (data) => {
      socket.send('{"type":"tick","n":2}');
      if (!mute) socket.pong(data);
    });
  });
  return url;
}

const pongCheck = (skip: string[] | undefined) =>
  checkSchema.parse({
    cases: [
      {
        name: 'pings are answered between ticks',
        steps: [
          { do: 'connect', client: 'dave' },
          { do: 'ping', client: 'dave', data: 'still ticking?' },
          { do: 'expect', client: 'dave', type: 'pong', text: 'still ticking?', within: 1000, ...(skip ? { skip } : {}) },
        ],
      },
    ],
  });

describe("an expect step's skip", () => {
  it('passes over a text frame that comes before the pong', async () => {
    const verdict = await runCheck(pongCheck(['text']), { url: await tickFirst(), log: () => [], closeWaitMs: 3_600_000 });
    expect(verdict).toEqual({ passed: true, cases: [{ name: 'pings are answered between ticks', hidden: false, passed: true, failure: null }] });
  });

  it('without it, the text frame fails the step, named as what arrived', async () => {
    const verdict = await runCheck(pongCheck(undefined), { url: await tickFirst(), log: () => [], closeWaitMs: 3_600_000 });
    expect(verdict.cases[0]?.failure).toEqual({
      client: 'dave',
      step: 3,
      action: 'expect pong "still ticking?" within 1000 ms',
      expected: 'pong "still ticking?" within 1000 ms',
      arrived: 'text "{\\"type\\":\\"tick\\",\\"n\\":2}"',
    });
  });

  it('still fails when no pong comes, and says which frames it passed over', async () => {
    const verdict = await runCheck(pongCheck(['text']), { url: await tickFirst(true), log: () => [], closeWaitMs: 3_600_000 });
    expect(verdict.cases[0]?.failure).toEqual({
      client: 'dave',
      step: 3,
      action: 'expect pong "still ticking?" within 1000 ms (text frames may come first)',
      expected: 'pong "still ticking?" within 1000 ms (text frames may come first)',
      arrived: 'nothing',
    });
  });

  it('on expectClose, passes over a text frame that comes before the close reply; without it, fails on it', async () => {
    // The raw server answers a close with a text frame, then its close 1000: a feed's tick already on its way.
    const { url, server } = await rawServer('answer');
    try {
      const closeCheck = (skip: string[] | undefined) =>
        checkSchema.parse({
          cases: [{ name: 'a clean stop on close', steps: [{ do: 'connect', client: 'alice' }, { do: 'close', client: 'alice' }, { do: 'expectClose', client: 'alice', code: 1000, ...(skip ? { skip } : {}) }] }],
        });
      expect((await runCheck(closeCheck(['text']), { url, log: () => [], closeWaitMs: 3_600_000 })).passed).toBe(true);
      expect((await runCheck(closeCheck(undefined), { url, log: () => [], closeWaitMs: 3_600_000 })).cases[0]?.failure).toEqual({
        client: 'alice',
        step: 3,
        action: 'expect a close 1000',
        expected: 'a close with code 1000 within 2000 ms',
        arrived: 'text "after the verdict"',
      });
    } finally {
      server.close();
    }
  });
});
