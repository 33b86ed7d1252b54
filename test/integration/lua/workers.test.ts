import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';
import { until } from '../until.ts';

interface Client {
  socket: WebSocket;
  received: string[];
}

function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const client: Client = { socket, received: [] };
    socket.on('message', (data) => client.received.push(data.toString()));
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

interface Counts {
  worker: number;
  here: number;
  everywhere: number;
}

// Which worker accepts a connection is up to nginx and the kernel; the tests
// open connections until both workers have one, with a bound.
const MAX_CLIENTS = 40;

describeOpenResty('module state is per nginx worker (lessons/scaling-out)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      workers: 2,
      http: ['lua_shared_dict online 1m;', 'lua_shared_dict relay 1m;', 'init_worker_by_lua_block { require("relay").start() }'],
      locations: {
        '/online': 'samples/lua/online.lua',
        '/broadcast': 'samples/lua/broadcast.lua',
        '/relay': 'samples/lua/broadcast-relay.lua',
      },
    });
  });
  afterAll(() => nginx?.stop());

  it('a module-level counter counts one worker; a lua_shared_dict counts them all', async () => {
    const clients: Client[] = [];
    const workers: number[] = [];
    while (new Set(workers).size < 2 && clients.length < MAX_CLIENTS) {
      const client = await connect(nginx.url('/online'));
      await until(() => client.received.length === 1);
      clients.push(client);
      workers.push((JSON.parse(client.received[0] ?? '{}') as Counts).worker);
    }
    expect(new Set(workers)).toEqual(new Set([0, 1]));

    for (const [i, client] of clients.entries()) {
      client.socket.send('count?');
      await until(() => client.received.length === 2);
      const counts = JSON.parse(client.received[1] ?? '{}') as Counts;
      expect(counts).toEqual({
        worker: workers[i],
        here: workers.filter((w) => w === workers[i]).length,
        everywhere: clients.length,
      });
    }
    for (const client of clients) client.socket.close();
  });

  it('broadcast.lua stays inside one worker; broadcast-relay.lua reaches both workers', async () => {
    // Each newcomer sends a probe; once it hears its own, the probe is in the queue of every client
    // on its worker. Then the first client sends a marker, queued after the probe on its worker: if
    // the marker comes back and the probe has not, they are on different workers. No timing involved.
    const first = await connect(nginx.url('/broadcast'));
    const opened: Client[] = [first];
    let other: Client | undefined;
    for (let i = 0; i < MAX_CLIENTS && !other; i += 1) {
      const candidate = await connect(nginx.url('/broadcast'));
      opened.push(candidate);
      candidate.socket.send(`probe ${i}`);
      await until(() => candidate.received.includes(`probe ${i}`));
      first.socket.send(`marker ${i}`);
      await until(() => first.received.includes(`marker ${i}`));
      if (!first.received.includes(`probe ${i}`)) other = candidate;
    }
    if (!other) throw new Error(`all ${MAX_CLIENTS} connections landed on one worker`);
    const probes = other.received.length;

    first.socket.send('hello from worker A');
    await until(() => first.received.includes('hello from worker A'));
    other.socket.send('hello from worker B');
    await until(() => other.received.includes('hello from worker B'));
    await new Promise((r) => setTimeout(r, 300));
    // Each hears itself (sender included), never the other.
    expect(first.received).toContain('hello from worker A');
    expect(first.received).not.toContain('hello from worker B');
    expect(other.received.slice(probes)).toEqual(['hello from worker B']);

    // The relay version publishes through shared memory: both workers' clients get it.
    const relayed = await connect(nginx.url('/relay'));
    opened.push(relayed);
    relayed.socket.send('hello from the relay');
    await until(() => [first, other, relayed].every((c) => c.received.includes('hello from the relay')));
    for (const client of [first, other, relayed]) expect(client.received).toContain('hello from the relay');
    expect(nginx.errorLog()).not.toMatch(/relay: cannot/);
    for (const client of opened) client.socket.close();
  });
});
