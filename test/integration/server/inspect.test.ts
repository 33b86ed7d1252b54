import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE, OPCODE } from '../../../protocol/constants.ts';
import { inspectEventSchema, type InspectEvent } from '../../../protocol/inspect.ts';
import { startServer } from '../../../server/app.ts';
import { Client, open, refused, useServer, withTimeout } from './helpers.ts';

// A heartbeat of one second: a client must answer a ping before the next one, and this process
// runs the server and its clients, so a shorter interval (0.2 s, before) cut live clients whenever
// the machine stalled the process that long (a full run with both cores busy did).
const t = await useServer({ heartbeat: 1 });

/** Reads inspector events until `match`, validating each against the protocol schema. */
async function until(inspector: Client, match: (e: InspectEvent) => boolean): Promise<InspectEvent[]> {
  const seen: InspectEvent[] = [];
  for (let i = 0; i < 200; i++) {
    const e = inspectEventSchema.parse(await inspector.json());
    seen.push(e);
    if (match(e)) return seen;
  }
  throw new Error('event not seen');
}

describe('/inspect', () => {
  it('replays a tag\'s events to a late subscriber, then streams them live, parsed from the wire', async () => {
    const echo = await open(`${t.ws}/echo?fd-tag=run-a&x=1`, { headers: { origin: 'http://localhost:4321' } });
    echo.send('Hello');
    await echo.next();
    const inspector = await open(`${t.ws}/inspect?fd-tag=run-a`);
    // The heartbeat (every second here) may put pings and pongs anywhere between; they are not what this test reads.
    const heartbeat = (e: InspectEvent): boolean => e.kind === 'frame' && (e.opcode === OPCODE.ping || e.opcode === OPCODE.pong);
    const dataOut = (e: InspectEvent): boolean => e.kind === 'frame' && e.dir === 'out' && !heartbeat(e);
    const replay = (await until(inspector, dataOut)).filter((e) => !heartbeat(e));
    const [handshake, frameIn, frameOut] = replay;
    if (handshake?.kind !== 'handshake') throw new Error('expected a handshake first');
    expect(handshake).toMatchObject({ endpoint: 'echo', tag: 'run-a', request: { method: 'GET', target: '/echo?x=1', httpVersion: '1.1' } });
    const header = (name: string) => handshake.request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
    expect(header('origin')).toBe('http://localhost:4321');
    expect(header('sec-websocket-version')).toBe('13');
    expect(header('host')).toBe(`127.0.0.1:${t.port}`);
    expect(handshake.response.status).toBe(101);
    expect(handshake.response.statusText).toBe('Switching Protocols');
    expect(handshake.response.headers.map(([n]) => n)).toEqual(['Upgrade', 'Connection', 'Sec-WebSocket-Accept']);
    expect(frameIn).toMatchObject({ kind: 'frame', conn: handshake.conn, dir: 'in', opcode: OPCODE.text, masked: true, payloadLength: 5, previewText: 'Hello', previewHex: '48 65 6c 6c 6f' });
    expect(frameIn?.kind === 'frame' && frameIn.maskingKey).toMatch(/^[0-9a-f]{2}( [0-9a-f]{2}){3}$/);
    expect(frameOut).toMatchObject({ kind: 'frame', dir: 'out', opcode: OPCODE.text, masked: false, maskingKey: null, headerHex: '81 05', previewText: 'Hello' });

    echo.send(Buffer.from([0xca, 0xfe]));
    const live = (await until(inspector, dataOut)).filter((e) => !heartbeat(e));
    expect(live.map((e) => e.kind === 'frame' && [e.dir, e.opcode, e.previewHex])).toEqual([
      ['in', OPCODE.binary, 'ca fe'],
      ['out', OPCODE.binary, 'ca fe'],
    ]);
    echo.ws.close(CLOSE.normal, 'done');
    const closing = (await until(inspector, (e) => e.kind === 'end')).filter((e) => !heartbeat(e));
    expect(closing.map((e) => (e.kind === 'frame' ? [e.dir, e.close] : e.kind === 'end' ? [e.code, e.reason, e.how] : e.kind))).toEqual([
      ['in', { code: 1000, reason: 'done' }],
      ['out', { code: 1000, reason: 'done' }],
      [1000, 'done', 'clean'],
    ]);
    inspector.ws.close();
    await inspector.closeCode();
  });

  it('shows only its own tag, and the refusals of that tag', async () => {
    const inspector = await open(`${t.ws}/inspect?fd-tag=run-b`);
    const other = await open(`${t.ws}/echo?fd-tag=run-c`);
    other.send('not for run-b');
    await other.next();
    await refused(`${t.ws}/nowhere?fd-tag=run-b`);
    const [rejected] = await until(inspector, () => true);
    expect(rejected).toMatchObject({ kind: 'rejected', target: '/nowhere', status: 404, tag: 'run-b' });
    expect(inspector.pending).toBe(0);
    other.ws.close();
    inspector.ws.close();
    await Promise.all([other.closeCode(), inspector.closeCode()]);
  });

  it('without a tag streams every connection opened while it listens, except /inspect itself', async () => {
    const key = `fd-key=${t.server.inspectorKey}`;
    const inspector = await open(`${t.ws}/inspect?${key}`);
    const second = await open(`${t.ws}/inspect?${key}`);
    const b = await open(`${t.ws}/broadcast`);
    const [hs] = await until(inspector, () => true);
    expect(hs).toMatchObject({ kind: 'handshake', endpoint: 'broadcast', tag: null });
    b.ws.terminate();
    const ending = await until(inspector, (e) => e.kind === 'end');
    expect(ending.at(-1)).toMatchObject({ kind: 'end', code: CLOSE.abnormal, how: 'abnormal' });
    for (const c of [inspector, second]) c.ws.close();
    await Promise.all([inspector.closeCode(), second.closeCode()]);
  });

  it('reports a client that misses a pong as terminated by the heartbeat', async () => {
    const inspector = await open(`${t.ws}/inspect?fd-tag=run-hb`);
    const mute = new Client(`${t.ws}/echo?fd-tag=run-hb`, { autoPong: false });
    await mute.opened();
    const events = await until(inspector, (e) => e.kind === 'end');
    expect(events.filter((e) => e.kind === 'frame').every((e) => e.kind === 'frame' && e.opcode === OPCODE.ping)).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'end', code: CLOSE.abnormal, how: 'heartbeat' });
    expect((await mute.closeCode()).code).toBe(CLOSE.abnormal);
    inspector.ws.close();
    await inspector.closeCode();
  });

  it('keeps a client that answers pings', async () => {
    const inspector = await open(`${t.ws}/inspect?fd-tag=run-alive`);
    const alive = await open(`${t.ws}/echo?fd-tag=run-alive`);
    const events = await until(inspector, (e) => e.kind === 'frame' && e.opcode === OPCODE.pong);
    expect(events.at(-2)).toMatchObject({ kind: 'frame', dir: 'out', opcode: OPCODE.ping });
    expect(events.at(-1)).toMatchObject({ kind: 'frame', dir: 'in', opcode: OPCODE.pong, masked: true });
    // Two more heartbeats later it is still open.
    await until(inspector, (e) => e.kind === 'frame' && e.opcode === OPCODE.pong);
    await until(inspector, (e) => e.kind === 'frame' && e.opcode === OPCODE.pong);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    alive.ws.close();
    inspector.ws.close();
    await Promise.all([alive.closeCode(), inspector.closeCode()]);
  });
});

describe('graceful shutdown', () => {
  it('closes every client with 1001, refuses new ones, and releases the port', async () => {
    const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', heartbeat: 0 });
    const url = `ws://127.0.0.1:${server.port}`;
    const clients = await Promise.all([open(`${url}/echo`), open(`${url}/chat?name=zoe`), open(`${url}/feed`), open(`${url}/inspect?fd-tag=any`)]);
    await withTimeout(server.close(), 'server.close()');
    for (const c of clients) expect(await c.closeCode()).toEqual({ code: CLOSE.goingAway, reason: 'server shutting down' });
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
  });
});
