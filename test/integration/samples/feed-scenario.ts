import { expect } from 'vitest';
import { connect, type TestClient } from './run-sample.ts';

/**
 * The live-feeds lesson's claims, against the TypeScript and the OpenResty
 * sample alike: ticks for the topics asked for at connect, subscribe and
 * unsubscribe while connected, and an error reply (not a crash) for bad input.
 */
interface Tick {
  type: string;
  topic: string;
  value: number;
  ts: number;
}

async function nextJson(client: TestClient): Promise<Record<string, unknown>> {
  return JSON.parse(String(await client.next())) as Record<string, unknown>;
}

/** Reads messages until `count` ticks have arrived; returns their topics in order. */
async function ticks(client: TestClient, count: number): Promise<Tick[]> {
  const seen: Tick[] = [];
  while (seen.length < count) {
    const message = await nextJson(client);
    if (message['type'] === 'tick') seen.push(message as unknown as Tick);
  }
  return seen;
}

export async function feedScenario(url: (query: string) => string, tickMs: number): Promise<void> {
  const client = await connect(url('topics=cpu,visitors'));
  const first = await ticks(client, 2);
  expect(first.map((t) => t.topic).sort()).toEqual(['cpu', 'visitors']);
  for (const tick of first) {
    expect(Object.keys(tick).sort()).toEqual(['topic', 'ts', 'type', 'value']);
    expect(Number.isInteger(tick.value)).toBe(true);
    expect(Math.abs(tick.ts - Date.now())).toBeLessThan(60_000);
  }

  const nextReply = (): Promise<unknown> =>
    nextJson(client).then(async function skipTicks(m): Promise<unknown> {
      return m['type'] === 'tick' ? skipTicks(await nextJson(client)) : m;
    });
  client.socket.send('{not json');
  await expect(nextReply()).resolves.toEqual({ type: 'error', code: 'bad_json' });
  // Valid JSON that is not an object has no type; the server answers and lives on.
  client.socket.send('null');
  await expect(nextReply()).resolves.toEqual({ type: 'error', code: 'unknown_type' });

  client.socket.send(JSON.stringify({ type: 'unsubscribe', topics: ['cpu', 'visitors'] }));
  client.socket.send(JSON.stringify({ type: 'subscribe', topics: ['orders', 'no-such-topic'] }));
  // Let a tick that was already on its way arrive, then expect only orders.
  await new Promise((resolve) => setTimeout(resolve, tickMs * 1.5));
  client.drain();
  const [a, b] = await ticks(client, 2);
  expect([a?.topic, b?.topic]).toEqual(['orders', 'orders']);
  // Two ticks of one topic are a tick interval apart, not sent back to back.
  expect((b?.ts ?? 0) - (a?.ts ?? 0)).toBeGreaterThanOrEqual(tickMs * 0.5);

  client.socket.close(1000);
  await expect(client.closed).resolves.toMatchObject({ code: 1000 });
}
