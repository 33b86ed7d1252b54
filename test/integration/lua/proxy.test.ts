import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../protocol/constants.ts';
import { connect, handshakeStatus, startSample, type Sample } from '../samples/run-sample.ts';
import { describeOpenResty, root, startNginx } from './openresty.ts';

const proxySample = readFileSync(`${root}samples/nginx/websocket-proxy.conf`, 'utf8');

/** The lesson's config, pointed at the test's backend, optionally edited. */
function config(backendPort: number, edit: (conf: string) => string = (c) => c): string {
  return edit(proxySample.replaceAll('127.0.0.1:8080', `127.0.0.1:${backendPort}`));
}

describeOpenResty('nginx WebSocket proxying (lessons/scaling-out)', () => {
  let backend: Sample;
  beforeAll(async () => {
    backend = await startSample('samples/ts/echo-server.ts');
  });
  afterAll(() => backend?.stop());

  it('the lesson\'s config proxies the handshake and frames both ways', async () => {
    const nginx = await startNginx({ servers: config(backend.port) });
    try {
      const client = await connect(nginx.url('/ws/'));
      client.socket.send('through the proxy');
      await expect(client.next()).resolves.toBe('through the proxy');
      client.socket.close(1000);
      await expect(client.closed).resolves.toMatchObject({ code: 1000 });
    } finally {
      await nginx.stop();
    }
  });

  it('without HTTP/1.1 and the Upgrade/Connection headers the backend refuses with 426', async () => {
    const withoutUpgrade = (conf: string): string =>
      conf
        .split('\n')
        .filter((line) => !/proxy_http_version|proxy_set_header (Upgrade|Connection)/.test(line))
        .join('\n');
    const nginx = await startNginx({ servers: config(backend.port, withoutUpgrade) });
    try {
      await expect(handshakeStatus(nginx.url('/ws/'))).resolves.toBe(426);
    } finally {
      await nginx.stop();
    }
  });

  it('proxy_read_timeout drops a silent connection; a heartbeat keeps it open', async () => {
    // 3 s against a ping every 300 ms: the heartbeat keeps it open unless this process or the backend is held
    // up for 2.7 s. With 1 s, a full run on a loaded machine closed the chatty one too (readyState 3).
    const shortTimeout = (conf: string): string => conf.replace(/proxy_read_timeout \d+s;/, 'proxy_read_timeout 3s;');
    const nginx = await startNginx({ servers: config(backend.port, shortTimeout) });
    try {
      const silent = await connect(nginx.url('/ws/'));
      const chatty = await connect(nginx.url('/ws/'));
      const heartbeat = setInterval(() => chatty.socket.ping(), 300);
      await expect(silent.closed).resolves.toMatchObject({ code: CLOSE.abnormal });
      await new Promise((r) => setTimeout(r, 1500));
      clearInterval(heartbeat);
      expect(chatty.socket.readyState).toBe(WebSocket.OPEN);
      chatty.socket.send('still here');
      await expect(chatty.next()).resolves.toBe('still here');
      chatty.socket.close();
    } finally {
      await nginx.stop();
    }
  });
});
