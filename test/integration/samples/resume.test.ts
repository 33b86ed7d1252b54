import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow, type FeedEvent } from '../../../samples/ts/resuming-client.ts';
import { startSample, type Sample } from './run-sample.ts';
import { until } from '../until.ts';

/** A TCP relay between client and server whose connections the test can cut, like a network failure. */
async function startRelay(targetPort: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const cut = (): void => {
    for (const socket of open) socket.destroy();
  };
  return { port, cut, close: () => new Promise((resolve) => (cut(), server.close(() => resolve()))) };
}

describe('samples/ts/resuming-client.ts + resumable-feed-server.ts (lessons/connection-health)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/resumable-feed-server.ts', { TICK_MS: '20' });
  });
  afterAll(() => sample?.stop());

  it('after a dropped connection, reconnects with ?since and misses nothing and repeats nothing', async () => {
    const relay = await startRelay(sample.port);
    const seen: number[] = [];
    const client = follow({
      url: `ws://127.0.0.1:${relay.port}/`,
      onEvent: (event: FeedEvent) => seen.push(event.seq),
      backoff: { baseMs: 200, maxMs: 1000, random: () => 0.5 },
    });
    try {
      await until(() => seen.length >= 5);
      relay.cut();
      const lastBeforeCut = seen.at(-1);
      await until(() => /resumed after \d+/.test(sample.output()));
      await until(() => seen.length >= 20);
      // Every sequence number from the first to the last, each exactly once.
      const first = seen[0] ?? 0;
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => first + i));
      // The client resumed after the last event it had: at least the last one the test saw when it cut
      // (events still in the client's socket buffer arrive after the cut, on a busy machine a few).
      const resumed = /resumed after (\d+): replayed ([1-9]\d*)/.exec(sample.output());
      expect(resumed).not.toBeNull();
      const after = Number(resumed?.[1]);
      expect(after).toBeGreaterThanOrEqual(lastBeforeCut ?? 0);
      expect(seen).toContain(after);
      expect(seen).toContain(after + 1);
    } finally {
      client.stop();
      await relay.close();
    }
  });
});
