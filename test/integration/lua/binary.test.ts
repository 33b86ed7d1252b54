import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';
import { until } from '../until.ts';

/**
 * What each OpenResty sample does with a binary message, as the binary
 * messages lesson lists it: the echo servers and both broadcasts send it on
 * as binary, byte for byte; the chat, which speaks text, ignores it and
 * stays usable.
 */
interface Client {
  socket: WebSocket;
  received: { binary: boolean; data: Buffer }[];
}

function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const client: Client = { socket, received: [] };
    socket.on('message', (data, isBinary) => client.received.push({ binary: isBinary, data: data as Buffer }));
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

// Not valid UTF-8 (0xFF, a lone 0x80): a server that sent it on as text would be wrong twice.
const BYTES = Buffer.from([0x01, 0x00, 0x03, 0xff, 0x80, 0x7f]);

describeOpenResty('OpenResty samples and binary messages (lessons/binary-messages)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      http: ['lua_shared_dict relay 1m;', 'init_worker_by_lua_block { require("relay").start() }'],
      locations: {
        '/echo': 'samples/lua/echo-server.lua',
        '/broadcast': 'samples/lua/broadcast.lua',
        '/relay': 'samples/lua/broadcast-relay.lua',
        '/chat': 'samples/lua/chat.lua',
      },
    });
  });
  afterAll(() => nginx?.stop());

  it('echo-server.lua echoes a binary message as binary, byte for byte', async () => {
    const client = await connect(nginx.url('/echo'));
    client.socket.send(BYTES);
    await until(() => client.received.length === 1);
    expect(client.received).toEqual([{ binary: true, data: BYTES }]);
    client.socket.close(1000);
  });

  it.each(['/broadcast', '/relay'])('%s sends a binary message to every client as binary, and text as text', async (path) => {
    const logBefore = nginx.errorLog().length;
    const [alice, bob] = (await Promise.all([connect(nginx.url(path)), connect(nginx.url(path))])) as [Client, Client];
    alice.socket.send(BYTES);
    await until(() => alice.received.length === 1 && bob.received.length === 1);
    bob.socket.send('text still text');
    await until(() => alice.received.length === 2 && bob.received.length === 2);
    for (const client of [alice, bob]) {
      expect(client.received).toEqual([
        { binary: true, data: BYTES },
        { binary: false, data: Buffer.from('text still text') },
      ]);
    }
    expect(nginx.errorLog().slice(logBefore)).not.toMatch(/\[error\]|runtime error/);
    alice.socket.close(1000);
    bob.socket.close(1000);
  });

  it('chat.lua ignores a binary message: nobody receives it, and the sender can still chat', async () => {
    const alice = await connect(nginx.url('/chat?name=alice'));
    const bob = await connect(nginx.url('/chat?name=bob'));
    await until(() => alice.received.length === 2 && bob.received.length === 1); // welcome, join / welcome
    alice.socket.send(BYTES);
    alice.socket.send('after the bytes');
    await until(() => bob.received.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    const toBob = bob.received.slice(1);
    expect(toBob).toHaveLength(1);
    expect(toBob[0]?.binary).toBe(false);
    expect(JSON.parse(toBob[0]?.data.toString() ?? '{}')).toMatchObject({ type: 'message', from: 'alice', text: 'after the bytes' });
    alice.socket.close(1000);
    bob.socket.close(1000);
  });
});
