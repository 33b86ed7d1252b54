import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequester } from '../../../samples/ts/requests.ts';
import { connect, startSample, type Sample } from './run-sample.ts';

describe('samples/ts/requests.ts against samples/ts/dispatch-server.ts (lessons/event-driven)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/dispatch-server.ts');
  }, 60_000); // starting node can be slow on busy cores
  afterAll(() => sample?.stop());

  it('a ping request is answered by the pong that carries its id', async () => {
    const client = await connect(sample.url());
    const requester = createRequester({
      send: (text) => client.socket.send(text),
      setTimer: (fire, ms) => setTimeout(fire, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    });
    client.socket.on('message', (data) => requester.receive(data.toString()));
    const replies = await Promise.all([
      requester.request({ type: 'ping' }, { timeoutMs: 5000, retries: 0 }),
      requester.request({ type: 'ping' }, { timeoutMs: 5000, retries: 0 }),
    ]);
    expect(replies).toEqual([
      { type: 'pong', id: 1 },
      { type: 'pong', id: 2 },
    ]);
    client.socket.close();
  });
});
