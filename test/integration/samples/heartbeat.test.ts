import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../protocol/constants.ts';
import { startSample, type Sample } from './run-sample.ts';

interface Peer {
  socket: WebSocket;
  pings: number;
  messages: string[];
  closed: Promise<number>;
}

/** A client; with `answerPings: false` it stays connected but never sends a pong, like a dead peer. */
function peer(url: string, answerPings: boolean): Promise<Peer> {
  const socket = new WebSocket(url, { autoPong: answerPings });
  const result: Peer = {
    socket,
    pings: 0,
    messages: [],
    closed: new Promise((resolve) => socket.on('close', (code) => resolve(code))),
  };
  socket.on('ping', () => (result.pings += 1));
  socket.on('message', (data) => result.messages.push(data.toString()));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(result));
    socket.once('error', reject);
  });
}

const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describe('samples/ts/heartbeat-server.ts (lessons/connection-health)', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await startSample('samples/ts/heartbeat-server.ts', { HEARTBEAT_MS: '200' });
  });
  afterAll(() => sample?.stop());

  it('terminates a client that stops answering pings: one ping, then 1006 with no close frame', async () => {
    const silent = await peer(sample.url(), false);
    await expect(silent.closed).resolves.toBe(CLOSE.abnormal);
    expect(silent.pings).toBe(1);
    expect(sample.output()).toContain('terminating a client that missed a pong');
  });

  it('keeps a client that answers pings, round after round', async () => {
    const healthy = await peer(sample.url(), true);
    await until(() => healthy.pings >= 4);
    expect(healthy.pings).toBeGreaterThanOrEqual(4);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    healthy.socket.send('still here');
    await until(() => healthy.messages.length === 1);
    expect(healthy.messages).toEqual(['still here']);
    healthy.socket.close(1000);
    await expect(healthy.closed).resolves.toBe(1000);
  });
});
