import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';
import { until } from '../until.ts';

interface Peer {
  socket: WebSocket;
  pings: string[];
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A client; with `answerPings: false` it stays connected but never sends a pong, like a dead peer. */
function peer(url: string, answerPings: boolean): Promise<Peer> {
  const socket = new WebSocket(url, { autoPong: answerPings });
  const result: Peer = {
    socket,
    pings: [],
    messages: [],
    closed: new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  socket.on('ping', (data) => result.pings.push(data.toString()));
  socket.on('message', (data) => result.messages.push(data.toString()));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(result));
    socket.once('error', reject);
  });
}

describeOpenResty('OpenResty heartbeat (lessons/connection-health)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      // The sample reads $heartbeat_ms. 600 ms keeps the test short; at 300 a loaded machine held this
      // process past two rounds, so the quiet client's pong came late and it was closed as dead.
      http: ['map $uri $heartbeat_ms { default 600; }'],
      locations: { '/heartbeat': 'samples/lua/heartbeat.lua' },
    });
  });
  afterAll(() => nginx?.stop());

  it('closes a client that answers no pings: two pings, then 4000 "no pong"', async () => {
    const silent = await peer(nginx.url('/heartbeat'), false);
    await expect(silent.closed).resolves.toEqual({ code: 4000, reason: 'no pong' });
    expect(silent.pings).toEqual(['heartbeat', 'heartbeat']);
    expect(nginx.errorLog()).toContain('closing: 2 pings without a pong');
  });

  it('keeps a quiet client that answers pings, and still echoes', async () => {
    const quiet = await peer(nginx.url('/heartbeat'), true);
    // Four pings, or the close that ends them (then the assertions below say which).
    await until(() => quiet.pings.length >= 4 || quiet.socket.readyState !== WebSocket.OPEN);
    expect(quiet.pings.length).toBeGreaterThanOrEqual(4);
    expect(quiet.socket.readyState).toBe(WebSocket.OPEN);
    quiet.socket.send('still here');
    await until(() => quiet.messages.length === 1);
    expect(quiet.messages).toEqual(['still here']);
    quiet.socket.close(1000);
    await expect(quiet.closed).resolves.toMatchObject({ code: 1000 });
  });
});
