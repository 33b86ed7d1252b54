import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';

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

const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describeOpenResty('OpenResty heartbeat (lessons/connection-health)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      // The sample reads $heartbeat_ms; 300 ms keeps the test short.
      http: ['map $uri $heartbeat_ms { default 300; }'],
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
    await until(() => quiet.pings.length >= 4);
    expect(quiet.pings.length).toBeGreaterThanOrEqual(4);
    expect(quiet.socket.readyState).toBe(WebSocket.OPEN);
    quiet.socket.send('still here');
    await until(() => quiet.messages.length === 1);
    expect(quiet.messages).toEqual(['still here']);
    quiet.socket.close(1000);
    await expect(quiet.closed).resolves.toMatchObject({ code: 1000 });
  });
});
