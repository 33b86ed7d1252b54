import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../protocol/constants.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';
import { until } from '../until.ts';

interface Client {
  name: string;
  socket: WebSocket;
  received: string[];
  closed: Promise<number>;
}

function connect(url: string, name: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const client: Client = {
      name,
      socket,
      received: [],
      closed: new Promise((done) => socket.on('close', (code) => done(code))),
    };
    socket.on('message', (data) => client.received.push(data.toString()));
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));
describeOpenResty('OpenResty broadcast (lessons/broadcasting, lessons/scaling-out)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      locations: { '/naive': 'samples/lua/broadcast-naive.lua', '/broadcast': 'samples/lua/broadcast.lua' },
    });
  });
  afterAll(() => nginx?.stop());

  it('naive version: sending on another request\'s socket fails with "bad request" and kills the sender', async () => {
    const alice = await connect(nginx.url('/naive'), 'alice');
    const bob = await connect(nginx.url('/naive'), 'bob');
    bob.socket.send('hi from bob');
    await expect(bob.closed).resolves.toBe(CLOSE.abnormal);
    await settle();
    expect(alice.received).not.toContain('hi from bob');
    expect(nginx.errorLog()).toMatch(/lua entry thread aborted: runtime error: .*: bad request/);
    alice.socket.close();
  });

  it('naive version: a client that left stays in the table, and the next broadcast writes to its dead socket', async () => {
    const naive = await startNginx({ locations: { '/naive': 'samples/lua/broadcast-naive.lua' } });
    try {
      const carol = await connect(naive.url('/naive'), 'carol');
      carol.socket.close(1000);
      await expect(carol.closed).resolves.toBe(1000);
      const logBefore = naive.errorLog().length;
      const dave = await connect(naive.url('/naive'), 'dave');
      dave.socket.send('is anyone here?');
      await until(() => /failed to send|bad request/.test(naive.errorLog().slice(logBefore)));
      // carol's entry is still in the table: the broadcast loop tries her socket.
      expect(naive.errorLog().slice(logBefore)).toMatch(/failed to send: .*closed|bad request/);
      dave.socket.terminate();
    } finally {
      await naive.stop();
    }
  });

  it('queue + semaphore version: every client gets every message, sender included, in order', async () => {
    const logBefore = nginx.errorLog().length;
    const clients = await Promise.all(['alice', 'bob', 'carol'].map((n) => connect(nginx.url('/broadcast'), n)));
    const [alice, bob, carol] = clients as [Client, Client, Client];
    alice.socket.send('one');
    await until(() => clients.every((c) => c.received.length === 1));
    bob.socket.send('two');
    carol.socket.send('three');
    await until(() => clients.every((c) => c.received.length === 3));
    for (const client of clients) {
      expect(client.received[0]).toBe('one');
      expect([...client.received].sort()).toEqual(['one', 'three', 'two']);
    }
    expect(nginx.errorLog().slice(logBefore)).not.toMatch(/\[error\]/);
    for (const client of clients) client.socket.close(1000);
    await expect(Promise.all(clients.map((c) => c.closed))).resolves.toEqual([1000, 1000, 1000]);
  });

  it('queue + semaphore version: a message sent in fragments, with a ping between them, goes out whole', async () => {
    const clients = await Promise.all(['alice', 'bob'].map((n) => connect(nginx.url('/broadcast'), n)));
    const [alice, bob] = clients as [Client, Client];
    alice.socket.send('frag', { fin: false });
    alice.socket.ping('between');
    alice.socket.send('mented', { fin: true });
    await until(() => clients.every((c) => c.received.length === 1));
    expect([alice.received, bob.received]).toEqual([['fragmented'], ['fragmented']]);
    for (const client of clients) client.socket.close(1000);
    await expect(Promise.all(clients.map((c) => c.closed))).resolves.toEqual([1000, 1000]);
  });

  it('queue + semaphore version: a client that leaves is unsubscribed; the others keep working', async () => {
    const dave = await connect(nginx.url('/broadcast'), 'dave');
    const erin = await connect(nginx.url('/broadcast'), 'erin');
    dave.socket.terminate();
    await settle();
    erin.socket.send('anyone?');
    await until(() => erin.received.length === 1);
    expect(erin.received).toEqual(['anyone?']);
    erin.socket.close(1000);
    await expect(erin.closed).resolves.toBe(1000);
  });
});
