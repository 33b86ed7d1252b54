import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../protocol/constants.ts';
import { startSample, type Sample } from './run-sample.ts';
import { until } from '../until.ts';

/** Opens a socket and reports the handshake's HTTP status: 101 when it opened. */
function handshake(url: string, origin?: string): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    socket.on('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on('open', () => resolve({ status: 101, socket }));
    socket.on('error', (error) => {
      if (!error.message.includes('Unexpected server response')) reject(error);
    });
  });
}

interface Talk {
  socket: WebSocket;
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
}

function talk(socket: WebSocket): Talk {
  const result: Talk = {
    socket,
    messages: [],
    closed: new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  socket.on('message', (data) => result.messages.push(data.toString()));
  return result;
}

describe('samples/ts/secure-server.ts (lessons/security)', () => {
  let sample: Sample;
  const allowed = 'http://localhost:8080';
  beforeAll(async () => {
    sample = await startSample('samples/ts/secure-server.ts', { ALLOWED_ORIGINS: allowed });
  });
  afterAll(() => sample?.stop());

  async function ticket(cookie?: string): Promise<{ status: number; ticket?: string }> {
    const response = await fetch(`http://127.0.0.1:${sample.port}/ticket`, {
      method: 'POST',
      headers: cookie ? { cookie } : {},
    });
    if (response.status !== 200) return { status: response.status };
    const body = (await response.json()) as { ticket: string };
    return { status: 200, ticket: body.ticket };
  }

  async function open(name: string): Promise<Talk> {
    const { ticket: t } = await ticket(`session=${name}`);
    const { status, socket } = await handshake(sample.url(`/?ticket=${t}`), allowed);
    expect(status).toBe(101);
    return talk(socket as WebSocket);
  }

  it('issues a ticket only to a logged-in session', async () => {
    await expect(ticket()).resolves.toEqual({ status: 401 });
    const granted = await ticket('session=alice');
    expect(granted.status).toBe(200);
    expect(granted.ticket).toMatch(/^[\w-]{24}$/);
  });

  it('refuses a foreign Origin with 403 and accepts the allowed one with 101', async () => {
    const { ticket: t } = await ticket('session=alice');
    await expect(handshake(sample.url(`/?ticket=${t}`), 'https://evil.example')).resolves.toEqual({ status: 403 });
    const ok = await handshake(sample.url(`/?ticket=${t}`), allowed);
    expect(ok.status).toBe(101);
    ok.socket?.close();
  });

  it('refuses a missing, unknown or reused ticket with 401', async () => {
    await expect(handshake(sample.url('/'), allowed)).resolves.toEqual({ status: 401 });
    await expect(handshake(sample.url('/?ticket=made-up'), allowed)).resolves.toEqual({ status: 401 });
    const { ticket: t } = await ticket('session=alice');
    const first = await handshake(sample.url(`/?ticket=${t}`), allowed);
    expect(first.status).toBe(101);
    await expect(handshake(sample.url(`/?ticket=${t}`), allowed)).resolves.toEqual({ status: 401 });
    first.socket?.close();
  });

  it('keeps only the newest five unused tickets of a user, so asking in a loop cannot grow memory', async () => {
    const issued: string[] = [];
    for (let i = 0; i < 6; i++) issued.push((await ticket('session=dora')).ticket ?? '');
    await expect(handshake(sample.url(`/?ticket=${issued[0]}`), allowed)).resolves.toEqual({ status: 401 });
    const newest = await handshake(sample.url(`/?ticket=${issued[5]}`), allowed);
    expect(newest.status).toBe(101);
    newest.socket?.close();
    const second = await handshake(sample.url(`/?ticket=${issued[1]}`), allowed);
    expect(second.status).toBe(101);
    second.socket?.close();
  });

  it('names the sender from the ticket, passes text through as data, and answers bad input with an error', async () => {
    const alice = await open('alice');
    alice.socket.send(JSON.stringify({ type: 'say', text: '<img src=x onerror=alert(1)>', from: 'bob' }));
    alice.socket.send('not json');
    alice.socket.send(JSON.stringify({ type: 'say', text: 'x'.repeat(501) }));
    alice.socket.send(JSON.stringify({ type: 'shout', text: 'hi' }));
    await until(() => alice.messages.length === 4);
    expect(alice.messages.map((m) => JSON.parse(m))).toEqual([
      { type: 'said', from: 'alice', text: '<img src=x onerror=alert(1)>' },
      { type: 'error', code: 'bad_json' },
      { type: 'error', code: 'bad_message' },
      { type: 'error', code: 'bad_message' },
    ]);
    alice.socket.close();
  });

  it('closes with 1009 past 4 KiB, 1003 for binary, and 1008 for a flood', async () => {
    const big = await open('alice');
    big.socket.send('x'.repeat(4 * 1024 + 1));
    await expect(big.closed).resolves.toEqual({ code: CLOSE.messageTooBig, reason: '' });

    const binary = await open('alice');
    binary.socket.send(Buffer.from([1, 2, 3]));
    await expect(binary.closed).resolves.toEqual({ code: CLOSE.unsupportedData, reason: 'text only' });

    const flood = await open('alice');
    for (let i = 0; i < 30; i += 1) flood.socket.send(JSON.stringify({ type: 'say', text: `#${i}` }));
    await expect(flood.closed).resolves.toEqual({ code: CLOSE.policyViolation, reason: 'too many messages' });
    // The bucket holds 10 and refills one per second: the burst got about 10 through, never all 30.
    expect(flood.messages.length).toBeGreaterThanOrEqual(10);
    expect(flood.messages.length).toBeLessThan(30);
  });
});
