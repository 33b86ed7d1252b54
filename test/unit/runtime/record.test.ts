import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../../src/runtime/recorder/events.ts';
import { clientEventSchema } from '../../../src/runtime/recorder/events.ts';
import { CONSOLE_CAP, createRecorder, instrumentConsole, instrumentWebSocket } from '../../../src/runtime/recorder/record.ts';
import { describePayload } from '../../../src/runtime/recorder/payload.ts';
import { mapLearnerUrl } from '../../../src/runtime/server-address.ts';

/** Just enough of the browser WebSocket for the recorder: an EventTarget that remembers. */
class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static instances: FakeWebSocket[] = [];
  url: string;
  /** The URL the constructor was really given. */
  readonly target: string;
  readonly requested: string | string[] | undefined;
  readyState = 0;
  protocol = '';
  sent: unknown[] = [];
  constructor(url: string, protocols?: string | string[]) {
    super();
    this.url = url;
    this.target = url;
    this.requested = protocols;
    FakeWebSocket.instances.push(this);
  }
  send(data: unknown): void {
    if (this.readyState !== 1) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    this.sent.push(data);
  }
  // Test helpers: what the network would do.
  serverOpens(protocol = ''): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.dispatchEvent(new Event('open'));
  }
  serverSends(data: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  closes(code: number, reason: string, wasClean: boolean): void {
    this.readyState = 3;
    const event = Object.assign(new Event('close'), { code, reason, wasClean });
    this.dispatchEvent(event);
  }
}

function setup() {
  FakeWebSocket.instances = [];
  const events: ClientEvent[] = [];
  let clock = 0;
  const recorder = createRecorder('alice', () => clock, (e) => events.push(e));
  const WS = instrumentWebSocket({
    Native: FakeWebSocket as unknown as typeof WebSocket,
    recorder,
    mapUrl: (url) => mapLearnerUrl(url, 'http://127.0.0.1:5000', 'tag1'),
  });
  return { events, WS, recorder, tick: (ms: number) => (clock += ms) };
}

describe('instrumentWebSocket', () => {
  it('records a whole echo conversation with times, and every event fits the schema', () => {
    const { events, WS, tick } = setup();
    const ws = new WS('ws://localhost:8080', 'chat.v1');
    const fake = FakeWebSocket.instances[0] as FakeWebSocket;
    tick(12);
    fake.serverOpens('chat.v1');
    ws.send('Hello, server!');
    tick(3);
    fake.serverSends('Hello, server!');
    tick(1);
    fake.closes(1000, 'Done', true);
    expect(events).toEqual([
      { kind: 'create', sock: 0, url: 'ws://localhost:8080', protocols: ['chat.v1'], t: 0, client: 'alice' },
      { kind: 'open', sock: 0, protocol: 'chat.v1', t: 12, client: 'alice' },
      { kind: 'send', sock: 0, dataType: 'text', size: 14, preview: 'Hello, server!', t: 12, client: 'alice' },
      { kind: 'message', sock: 0, dataType: 'text', size: 14, preview: 'Hello, server!', t: 15, client: 'alice' },
      { kind: 'close', sock: 0, code: 1000, reason: 'Done', wasClean: true, t: 16, client: 'alice' },
    ]);
    for (const event of events) expect(clientEventSchema.safeParse(event).success).toBe(true);
  });

  it('connects to the mapped, tagged URL while ws.url shows what the learner wrote', () => {
    const { WS } = setup();
    const ws = new WS('ws://localhost:8080/echo');
    const fake = FakeWebSocket.instances[0] as FakeWebSocket;
    expect(fake.target).toBe('ws://127.0.0.1:5000/echo?fd-tag=tag1');
    expect(fake.requested).toBeUndefined();
    expect(ws.url).toBe('ws://localhost:8080/echo');
    expect(ws instanceof FakeWebSocket).toBe(true);
    expect((WS as unknown as { OPEN: number }).OPEN).toBe(1);
  });

  it('numbers sockets per client in construction order and records errors', () => {
    const { events, WS } = setup();
    new WS('ws://localhost:8080/a');
    new WS('ws://localhost:8080/b');
    (FakeWebSocket.instances[1] as FakeWebSocket).dispatchEvent(new Event('error'));
    expect(events.map((e) => [e.kind, 'sock' in e ? e.sock : null])).toEqual([
      ['create', 0],
      ['create', 1],
      ['error', 1],
    ]);
  });

  it('does not record a send that the socket refused', () => {
    const { events, WS } = setup();
    const ws = new WS('ws://localhost:8080');
    expect(() => ws.send('too early')).toThrow(/CONNECTING/);
    expect(events.map((e) => e.kind)).toEqual(['create']);
  });

  it('records the learner event before the learner handler runs', () => {
    const { events, WS } = setup();
    const ws = new WS('ws://localhost:8080');
    const seen: number[] = [];
    ws.addEventListener('message', () => seen.push(events.length));
    const fake = FakeWebSocket.instances[0] as FakeWebSocket;
    fake.serverOpens();
    fake.serverSends('x');
    expect(seen).toEqual([3]);
  });
});

describe('describePayload', () => {
  it('counts UTF-8 bytes of text and previews binary as hex', () => {
    expect(describePayload('héllo')).toEqual({ dataType: 'text', size: 6, preview: 'héllo' });
    expect(describePayload(new Uint8Array([0, 1, 254, 255]).buffer)).toEqual({ dataType: 'binary', size: 4, preview: '00 01 fe ff' });
    expect(describePayload(new Uint16Array([0x0102]))).toEqual({ dataType: 'binary', size: 2, preview: '02 01' });
    expect(describePayload(new Blob(['abc']))).toEqual({ dataType: 'binary', size: 3, preview: '' });
  });

  it('caps previews at 256 characters or bytes', () => {
    expect(describePayload('x'.repeat(300)).preview).toHaveLength(256);
    expect(describePayload(new Uint8Array(300)).preview.split(' ')).toHaveLength(256);
  });
});

describe('instrumentConsole', () => {
  it('records each level with formatted text and still calls the original', () => {
    const events: ClientEvent[] = [];
    const calls: unknown[][] = [];
    const target = {
      log: (...a: unknown[]) => calls.push(a),
      info: (...a: unknown[]) => calls.push(a),
      warn: (...a: unknown[]) => calls.push(a),
      error: (...a: unknown[]) => calls.push(a),
      debug: (...a: unknown[]) => calls.push(a),
    } as unknown as Console;
    instrumentConsole(target, createRecorder('bob', () => 5, (e) => events.push(e)));
    target.log('Echo:', 'hi', 42, { a: [1, 'x'] });
    target.warn(new TypeError('bad'));
    target.debug('dbg');
    expect(events).toEqual([
      { kind: 'console', level: 'log', text: 'Echo: hi 42 { a: [1, "x"] }', t: 5, client: 'bob' },
      { kind: 'console', level: 'warn', text: 'TypeError: bad', t: 5, client: 'bob' },
      { kind: 'console', level: 'log', text: 'dbg', t: 5, client: 'bob' },
    ]);
    expect(calls).toHaveLength(3);
  });

  it('stops recording console output after the cap with a single notice', () => {
    const events: ClientEvent[] = [];
    const recorder = createRecorder('c', () => 0, (e) => events.push(e));
    for (let i = 0; i < CONSOLE_CAP + 10; i++) recorder.record({ kind: 'console', level: 'log', text: String(i) });
    expect(events).toHaveLength(CONSOLE_CAP + 1);
    expect(events.at(-1)).toMatchObject({ level: 'warn', text: `Output stopped after ${CONSOLE_CAP} lines; the run goes on.` });
    expect(recorder.dropped).toBe(10);
  });
});
