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

  // Its own server, pinging every second: a pong must be back within one round, and at 200 ms a busy
  // machine (a clean full run, both cores taken) delayed one past it and the healthy client was cut off.
  it('keeps a client that answers pings, round after round', async () => {
    const steady = await startSample('samples/ts/heartbeat-server.ts', { HEARTBEAT_MS: '1000' });
    try {
      const healthy = await peer(steady.url(), true);
      // Waits for the 4th ping; a connection cut off before it ends the wait with its close code.
      const fourth = await new Promise<number | 'closed'>((resolve) => {
        healthy.socket.on('ping', () => {
          if (healthy.pings >= 4) resolve(healthy.pings);
        });
        void healthy.closed.then(() => resolve('closed'));
      });
      expect(fourth).toBe(4);
      expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
      const echoed = new Promise((resolve) => healthy.socket.once('message', resolve));
      healthy.socket.send('still here');
      await echoed;
      expect(healthy.messages).toEqual(['still here']);
      healthy.socket.close(1000);
      await expect(healthy.closed).resolves.toBe(1000);
      expect(steady.output()).not.toContain('terminating a client');
    } finally {
      await steady.stop();
    }
  });
});
