import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../protocol/constants.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';
import { until } from '../until.ts';

interface Session {
  messages: (string | Buffer)[];
  pings: string[];
  closed: Promise<{ code: number; reason: string }>;
  socket: WebSocket;
}

async function connect(url: string): Promise<Session> {
  const socket = new WebSocket(url);
  const session: Session = {
    messages: [],
    pings: [],
    socket,
    closed: new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  socket.on('message', (data, isBinary) => session.messages.push(isBinary ? (data as Buffer) : data.toString()));
  socket.on('ping', (data) => session.pings.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return session;
}

describeOpenResty('OpenResty echo servers (lessons/echo-server)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      locations: { '/naive': 'samples/lua/echo-naive.lua', '/echo': 'samples/lua/echo-server.lua' },
    });
  });
  afterAll(() => nginx?.stop());

  it('echoes text as text and answers a ping with a pong carrying the same bytes', async () => {
    const session = await connect(nginx.url('/echo'));
    session.socket.send('Hello, server!');
    const pong = new Promise<string>((resolve) => session.socket.once('pong', (data) => resolve(data.toString())));
    session.socket.ping('are you there');
    await until(() => session.messages.length === 1);
    expect(session.messages).toEqual(['Hello, server!']);
    await expect(pong).resolves.toBe('are you there');
    session.socket.close(1000, 'done');
    await expect(session.closed).resolves.toEqual({ code: 1000, reason: 'done' });
  });

  it('echoes binary as binary, byte for byte', async () => {
    const session = await connect(nginx.url('/echo'));
    session.socket.send(Buffer.from([0, 1, 2, 254, 255]));
    await until(() => session.messages.length === 1);
    expect(session.messages[0]).toEqual(Buffer.from([0, 1, 2, 254, 255]));
    session.socket.close();
  });

  it('echoes a message sent in three fragments as one message', async () => {
    const session = await connect(nginx.url('/echo'));
    session.socket.send('Hel', { fin: false });
    session.socket.send('lo, ', { fin: false });
    session.socket.send('server!', { fin: true });
    await until(() => session.messages.length === 1);
    expect(session.messages).toEqual(['Hello, server!']);
    session.socket.close(1000);
    await expect(session.closed).resolves.toMatchObject({ code: 1000 });
  });

  it('closes with 1009 when fragments add up past the limit, though each frame is small', async () => {
    const session = await connect(nginx.url('/echo'));
    session.socket.send('x'.repeat(40_000), { fin: false });
    session.socket.send('x'.repeat(40_000), { fin: true });
    await expect(session.closed).resolves.toEqual({ code: CLOSE.messageTooBig, reason: 'message too large' });
    expect(nginx.errorLog()).toContain('closing: message larger than 65535 bytes');
    expect(session.messages).toEqual([]);
  });

  it('closes with 1009 "frame too large" when a frame passes max_payload_len', async () => {
    const session = await connect(nginx.url('/echo'));
    session.socket.send('x'.repeat(65536));
    await expect(session.closed).resolves.toEqual({ code: CLOSE.messageTooBig, reason: 'frame too large' });
    expect(nginx.errorLog()).toContain('closing: frame larger than 65535 bytes');
  });

  it('naive version: the same oversized frame ends in 1006, no close frame', async () => {
    const session = await connect(nginx.url('/naive'));
    session.socket.send('x'.repeat(65536));
    await expect(session.closed).resolves.toEqual({ code: CLOSE.abnormal, reason: '' });
    expect(nginx.errorLog()).toContain('failed to receive a frame: exceeding max payload len');
  });

  it('naive version: an idle client is dropped when the 5 s read timeout fires (1006)', async () => {
    const session = await connect(nginx.url('/naive'));
    const started = Date.now();
    const closed = await session.closed;
    expect(closed.code).toBe(CLOSE.abnormal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
    expect(nginx.errorLog()).toContain('failed to receive a frame: failed to receive the first 2 bytes: timeout');
  }, 15_000);

  it('better version: an idle client is pinged after the timeout and stays connected; nginx logs the timeout at [error]', async () => {
    const logBefore = nginx.errorLog().length;
    const session = await connect(nginx.url('/echo'));
    await until(() => session.pings.length > 0);
    expect(session.pings).toEqual(['still there?']);
    // lua_socket_log_errors is on by default: the read handler logs the timeout before recv_frame returns it.
    expect(nginx.errorLog().slice(logBefore)).toMatch(/\[error\] .*lua tcp socket read timed out/);
    // ws answers pings automatically; the connection is still usable.
    session.socket.send('still here');
    await until(() => session.messages.length === 1);
    expect(session.messages).toEqual(['still here']);
    session.socket.close(1000);
    await expect(session.closed).resolves.toMatchObject({ code: 1000 });
  }, 15_000);

  it('with lua_socket_log_errors off, the same idle client is pinged and nginx logs no timeout', async () => {
    const quiet = await startNginx({ http: ['lua_socket_log_errors off;'], locations: { '/echo': 'samples/lua/echo-server.lua' } });
    try {
      const session = await connect(quiet.url('/echo'));
      // The ping comes only after a read timeout: the timeout happened, unlogged.
      await until(() => session.pings.length > 0);
      expect(session.pings).toEqual(['still there?']);
      session.socket.close(1000);
      await expect(session.closed).resolves.toMatchObject({ code: 1000 });
      expect(quiet.errorLog()).not.toMatch(/timed out|\[error\]/);
    } finally {
      await quiet.stop();
    }
  }, 15_000);
});
