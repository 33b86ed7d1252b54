import { afterEach, expect, it } from 'vitest';
import type { WebSocketServer } from 'ws';
import { checkSchema } from '../../../labs/schema.ts';
import { runCheck } from '../../../server/labs/check.ts';
import { wsServer } from './ws-server.ts';

/**
 * A frame sent before a step's deadline counts even when the process that runs the check was held
 * up past it: the server here (in the check's own process) pings as soon as it reads "go", then
 * holds the event loop until the 300 ms the step allows are over. The ping sits in the kernel; the
 * deadline's timer runs first when the loop comes back, and the check must read its socket before
 * it says nothing arrived (check.ts, IO_TURNS_AT_DEADLINE).
 */

const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const WITHIN = 300;

it('counts a ping that was in the socket when the deadline passed with the loop held up', async () => {
  const { server, url } = await wsServer();
  servers.push(server);
  let heldMs = 0;
  server.on('connection', (socket) => {
    socket.on('message', () => {
      socket.ping('late');
      // The process stalls, as a busy companion does, past the step's deadline (set before "go" was sent).
      const from = Date.now();
      while (Date.now() - from < WITHIN + 100);
      heldMs = Date.now() - from;
    });
  });
  const check = checkSchema.parse({
    cases: [
      {
        name: 'held up',
        steps: [
          { do: 'connect', client: 'alice' },
          { do: 'send', client: 'alice', text: 'go' },
          { do: 'expect', client: 'alice', type: 'ping', text: 'late', within: WITHIN },
        ],
      },
    ],
  });
  const verdict = await runCheck(check, { url, log: () => [], closeWaitMs: 1000 });
  expect(heldMs).toBeGreaterThanOrEqual(WITHIN + 100);
  expect(verdict).toEqual({ passed: true, cases: [{ name: 'held up', hidden: false, passed: true, failure: null }] });
});
