import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../../../protocol/constants.ts';
import { chatScenario } from './chat-scenario.ts';
import { feedScenario } from './feed-scenario.ts';
import { connect, startSample, type Sample } from './run-sample.ts';

describe('samples/ts/echo-server.ts (lessons/echo-server)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/echo-server.ts');
  });
  afterAll(() => sample?.stop());

  it('echoes text as text and binary as binary, byte for byte', async () => {
    const client = await connect(sample.url());
    client.socket.send('Hello, server!');
    await expect(client.next()).resolves.toBe('Hello, server!');
    client.socket.send(Buffer.from([0x00, 0xff, 0x10]));
    await expect(client.next()).resolves.toEqual(Buffer.from([0x00, 0xff, 0x10]));
    client.socket.close(1000, 'done');
    await expect(client.closed).resolves.toEqual({ code: 1000, reason: 'done' });
  });

  it('answers a ping with a pong carrying the same bytes', async () => {
    const client = await connect(sample.url());
    const pong = new Promise<string>((resolve) => client.socket.once('pong', (data) => resolve(data.toString())));
    client.socket.ping('hi');
    await expect(pong).resolves.toBe('hi');
    client.socket.close();
  });

  it('echoes a message of exactly 64 KiB (65,536 bytes): the limit is inclusive', async () => {
    const client = await connect(sample.url());
    const message = new Promise<string>((resolve) => client.socket.once('message', (data) => resolve(data.toString())));
    client.socket.send('x'.repeat(64 * 1024));
    await expect(message).resolves.toHaveLength(65_536);
    client.socket.close();
  });

  it('closes with 1009 when a message passes maxPayload (64 KiB)', async () => {
    const client = await connect(sample.url());
    client.socket.send('x'.repeat(64 * 1024 + 1));
    await expect(client.closed).resolves.toEqual({ code: CLOSE.messageTooBig, reason: '' });
    expect(sample.output()).toContain('error: Max payload size exceeded');
  });
});

describe('samples/ts/broadcast-server.ts (lessons/broadcasting)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/broadcast-server.ts');
  });
  afterAll(() => sample?.stop());

  it('sends each message to every open client, sender included, and skips closed ones', async () => {
    const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => connect(sample.url())));
    if (!alice || !bob || !carol) throw new Error('clients did not connect');
    carol.socket.close();
    await carol.closed;
    alice.socket.send('hello all');
    await expect(alice.next()).resolves.toBe('hello all');
    await expect(bob.next()).resolves.toBe('hello all');
    bob.socket.send(Buffer.from([1, 2, 3]));
    await expect(alice.next()).resolves.toEqual(Buffer.from([1, 2, 3]));
    await expect(bob.next()).resolves.toEqual(Buffer.from([1, 2, 3]));
    expect(carol.received).toEqual([]);
    alice.socket.close();
    bob.socket.close();
  });
});

describe('samples/ts/dispatch-server.ts (lessons/event-driven)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/dispatch-server.ts');
  });
  afterAll(() => sample?.stop());

  it.each([
    ['{"type":"ping","id":7}', { type: 'pong', id: 7 }],
    ['{"type":"add","a":2,"b":40}', { type: 'sum', value: 42 }],
    ['{"type":"shout","text":"hi"}', { type: 'shouted', text: 'HI' }],
    ['not json', { type: 'error', code: 'bad_json', message: 'message is not valid JSON' }],
    ['{"type":"dance"}', { type: 'error', code: 'unknown_type', message: 'no handler for type "dance"' }],
    ['{"type":"add","a":"2"}', { type: 'error', code: 'bad_message', message: 'invalid "add" message' }],
    ['null', { type: 'error', code: 'unknown_type', message: 'no handler for type undefined' }],
  ])('answers %s', async (sent, expected) => {
    const client = await connect(sample.url());
    client.socket.send(sent);
    expect(JSON.parse((await client.next()) as string)).toEqual(expected);
    client.socket.close();
  });
});

describe('samples/ts/chat-server.ts (lessons/chat)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/chat-server.ts');
  });
  afterAll(() => sample?.stop());

  it('welcomes, announces joins and leaves, relays to everyone but the sender, refuses bad and taken names', async () => {
    await chatScenario((name) => sample.url(`/?name=${encodeURIComponent(name)}`));
  });
});

describe('samples/ts/feed-server.ts (lessons/live-feeds)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/feed-server.ts', { TICK_MS: '200' });
  });
  afterAll(() => sample?.stop());

  it('pushes the subscribed topics on its clock, follows subscribe/unsubscribe, answers bad JSON with an error', async () => {
    await feedScenario((query) => sample.url(`/?${query}`), 200);
  });
});
