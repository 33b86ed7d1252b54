import { describe, expect, it } from 'vitest';
import { connect, startSample } from './run-sample.ts';

describe('samples/ts/draining-server.ts (lessons/production)', () => {
  it('on SIGTERM closes every client with 1012 "service restart", waits for them, then exits', async () => {
    const sample = await startSample('samples/ts/draining-server.ts');
    const clients = await Promise.all([connect(sample.url()), connect(sample.url())]);
    for (const client of clients) {
      client.socket.send('still echoing');
      await expect(client.next()).resolves.toBe('still echoing');
    }
    await sample.stop(); // SIGTERM, resolves when the process has exited
    for (const client of clients) {
      await expect(client.closed).resolves.toEqual({ code: 1012, reason: 'service restart' });
    }
    expect(sample.output()).toContain('draining 2 connections');
    expect(sample.output()).toContain('drained: 2 closed cleanly, 0 cut');
  }, 60_000); // starting node can be slow on busy cores

  it('after the deadline, cuts a client that never answers the close frame', async () => {
    const sample = await startSample('samples/ts/draining-server.ts', { DRAIN_MS: '300' });
    const client = await connect(sample.url());
    // Stop reading: the close frame is never seen, so never answered.
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await sample.stop();
    expect(sample.output()).toContain('drained: 0 closed cleanly, 1 cut');
  }, 60_000);
});
