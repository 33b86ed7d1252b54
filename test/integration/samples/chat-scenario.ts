import { expect } from 'vitest';
import { connect, handshakeStatus, type TestClient } from './run-sample.ts';

/**
 * The chat lesson's claims, checked the same way against the TypeScript and
 * the OpenResty sample: presence, relay to everyone but the sender, text
 * carried as data, and names refused at the handshake.
 */
const json = async (client: TestClient): Promise<unknown> => JSON.parse(String(await client.next()));

export async function chatScenario(url: (name: string) => string): Promise<void> {
  const alice = await connect(url('alice'));
  await expect(json(alice)).resolves.toEqual({ type: 'welcome', you: 'alice', users: ['alice'] });
  const bob = await connect(url('bob'));
  await expect(json(bob)).resolves.toEqual({ type: 'welcome', you: 'bob', users: ['alice', 'bob'] });
  await expect(json(alice)).resolves.toEqual({ type: 'join', name: 'bob' });

  const markup = '<img src=x onerror=alert(1)> & "hi"';
  alice.socket.send(markup);
  const message = (await json(bob)) as Record<string, unknown>;
  expect(message).toMatchObject({ type: 'message', from: 'alice', text: markup });
  expect(Number.isInteger(message['id'])).toBe(true);
  expect(typeof message['ts']).toBe('number');
  expect(Math.abs(Number(message['ts']) - Date.now())).toBeLessThan(60_000);

  bob.socket.send('hello alice');
  await expect(json(alice)).resolves.toMatchObject({ type: 'message', from: 'bob', text: 'hello alice' });
  // The sender never gets its own line back: the next thing alice sees is bob leaving.
  bob.socket.close(1000);
  await expect(json(alice)).resolves.toEqual({ type: 'leave', name: 'bob' });
  expect(alice.received.map(String).filter((m) => m.includes(markup.slice(0, 4)))).toEqual([]);

  await expect(handshakeStatus(url('alice'))).resolves.toBe(409);
  await expect(handshakeStatus(url('not a name!'))).resolves.toBe(400);
  await expect(handshakeStatus(url(''))).resolves.toBe(400);
  alice.socket.close(1000);
  await expect(alice.closed).resolves.toMatchObject({ code: 1000 });
  // Once alice has gone, her name is free again.
  await expect(handshakeStatus(url('alice'))).resolves.toBe(101);
}
