import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../protocol/constants.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';

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

describeOpenResty('OpenResty Origin check (lessons/security)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({ locations: { '/ws': 'samples/lua/origin-check.lua' } });
  });
  afterAll(() => nginx?.stop());

  it('answers a foreign Origin with 403 before any upgrade', async () => {
    await expect(handshake(nginx.url('/ws'), 'https://evil.example')).resolves.toEqual({ status: 403 });
    expect(nginx.errorLog()).toContain('refused a handshake from origin https://evil.example');
  });

  it('upgrades an allowed Origin (101) and a client that sends none, and echoes', async () => {
    for (const origin of ['http://localhost:8080', undefined]) {
      const { status, socket } = await handshake(nginx.url('/ws'), origin);
      expect(status).toBe(101);
      const echoed = new Promise<string>((resolve) => socket?.once('message', (data) => resolve(data.toString())));
      socket?.send('hello');
      await expect(echoed).resolves.toBe('hello');
      socket?.close();
    }
  });

  it('closes with 1009 "too big" past max_payload_len', async () => {
    const { socket } = await handshake(nginx.url('/ws'), 'http://localhost:8080');
    const closed = new Promise((resolve) => socket?.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket?.send('x'.repeat(4097));
    await expect(closed).resolves.toEqual({ code: CLOSE.messageTooBig, reason: 'too big' });
  });
});
