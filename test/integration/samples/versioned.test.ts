import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSample, type Sample } from './run-sample.ts';

/**
 * samples/ts/versioned-server.ts (lessons/extensions-and-subprotocols): the
 * subprotocol choice, each version's replies, and permessage-deflate as a
 * browser would negotiate it (ws's client offers it by default, as Chromium
 * does: "permessage-deflate; client_max_window_bits").
 */
interface Opened {
  socket: WebSocket;
  response: { protocol: string | undefined; extensions: string | undefined };
  next(): Promise<{ data: Buffer; binary: boolean }>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(url: string, protocols?: string[], options: WebSocket.ClientOptions = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, options);
    const queue: { data: Buffer; binary: boolean }[] = [];
    const waiting: ((m: { data: Buffer; binary: boolean }) => void)[] = [];
    socket.on('message', (data, binary) => {
      const message = { data: data as Buffer, binary };
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else queue.push(message);
    });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.on('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    let response: Opened['response'] = { protocol: undefined, extensions: undefined };
    socket.once('upgrade', (res) => {
      response = {
        protocol: res.headers['sec-websocket-protocol'] as string | undefined,
        extensions: res.headers['sec-websocket-extensions'] as string | undefined,
      };
    });
    socket.once('open', () =>
      resolve({
        socket,
        response,
        closed,
        next: () => {
          const m = queue.shift();
          return m ? Promise.resolve(m) : new Promise((done) => waiting.push(done));
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** Bytes the client has read from TCP so far: frames as they crossed the wire, compressed or not. */
const bytesRead = (socket: WebSocket): number => (socket as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;

describe('samples/ts/versioned-server.ts (lessons/extensions-and-subprotocols)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/versioned-server.ts');
  }, 60_000); // starting node can be slow on busy cores
  afterAll(() => sample?.stop());

  it('picks chat.v2 from "chat.v2, chat.v1" and answers in JSON', async () => {
    const client = await open(sample.url(), ['chat.v2', 'chat.v1']);
    expect(client.response.protocol).toBe('chat.v2');
    expect(client.socket.protocol).toBe('chat.v2');
    client.socket.send('hi');
    expect(JSON.parse((await client.next()).data.toString())).toEqual({ type: 'echo', text: 'hi' });
    client.socket.close(1000);
    await expect(client.closed).resolves.toEqual({ code: 1000, reason: '' });
  });

  it('picks chat.v1 for an older client, whatever the order offered, and answers in plain text', async () => {
    const client = await open(sample.url(), ['chat.v0', 'chat.v1']);
    expect(client.socket.protocol).toBe('chat.v1');
    client.socket.send('hi');
    expect((await client.next()).data.toString()).toBe('echo: hi');
    client.socket.close(1000);
  });

  it('answers with no subprotocol when none offered is supported, and the client fails the handshake', async () => {
    await expect(open(sample.url(), ['chat.v3'])).rejects.toThrow('Server sent no subprotocol');
  });

  it('closes with 1008 and a readable reason when no subprotocol was offered', async () => {
    const client = await open(sample.url());
    await expect(client.closed).resolves.toEqual({ code: 1008, reason: 'offer chat.v2 or chat.v1' });
  });

  it('accepts permessage-deflate without server context takeover; compresses 1 KiB and more, not less', async () => {
    const client = await open(sample.url(), ['chat.v1']);
    expect(client.response.extensions).toBe('permessage-deflate; server_no_context_takeover');
    expect(client.socket.extensions).toBe('permessage-deflate'); // ws lists the names only

    // The echo adds "echo: " (6 bytes). 200 bytes stay under the threshold: sent as they are.
    let before = bytesRead(client.socket);
    client.socket.send('a'.repeat(200));
    expect((await client.next()).data.toString()).toBe(`echo: ${'a'.repeat(200)}`);
    expect(bytesRead(client.socket) - before).toBe(4 + 206); // 16-bit length header + payload, uncompressed

    // 20,006 repeated bytes: one compressed frame of about 120 bytes (118 at level 3).
    before = bytesRead(client.socket);
    client.socket.send('a'.repeat(20_000));
    expect((await client.next()).data.toString()).toHaveLength(20_006);
    expect(bytesRead(client.socket) - before).toBeLessThan(200);
    client.socket.close(1000);
  });

  it('does not compress for a client that did not offer the extension', async () => {
    const client = await open(sample.url(), ['chat.v1'], { perMessageDeflate: false });
    expect(client.response.extensions).toBeUndefined();
    expect(client.socket.extensions).toBe('');
    const before = bytesRead(client.socket);
    client.socket.send('a'.repeat(20_000));
    await client.next();
    expect(bytesRead(client.socket) - before).toBe(4 + 20_006); // 16-bit length form
    client.socket.close(1000);
  });

  it('closes with 1003 on a binary message', async () => {
    const client = await open(sample.url(), ['chat.v2']);
    client.socket.send(Buffer.from([1, 2, 3]));
    await expect(client.closed).resolves.toEqual({ code: 1003, reason: 'text only' });
  });
});
