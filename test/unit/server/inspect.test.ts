import { describe, expect, it } from 'vitest';
import { OPCODE } from '../../../protocol/constants.ts';
import { encodeFrame, fromHex } from '../../../protocol/frame.ts';
import { inspectEventSchema, type InspectEvent } from '../../../protocol/inspect.ts';
import { InspectHub, tagCovers } from '../../../server/core/inspect-hub.ts';
import { WireRecorder } from '../../../server/core/wire.ts';

const T0 = 1_700_000_000_000;

function recorder() {
  const events: InspectEvent[] = [];
  const rec = new WireRecorder({
    conn: 'c1',
    endpoint: 'echo',
    tag: 'run-1',
    now: () => T0,
    previewBytes: 4,
    request: { method: 'GET', target: '/echo', httpVersion: '1.1', headers: [['Host', 'localhost:8080']] },
    emit: (_kind, make) => events.push(inspectEventSchema.parse(make())),
  });
  return { rec, events };
}

const RESPONSE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/** A recorder past its 101 (only then are bytes frames), with the handshake event taken out. */
function upgraded() {
  const tap = recorder();
  tap.rec.wrote(Buffer.from(RESPONSE, 'latin1'));
  tap.events.length = 0;
  return tap;
}

describe('WireRecorder', () => {
  it('turns the written 101 into a handshake event, even split across writes', () => {
    const { rec, events } = recorder();
    rec.wrote(Buffer.from(RESPONSE.slice(0, 20), 'latin1'));
    expect(events).toEqual([]);
    rec.wrote(Buffer.from(RESPONSE.slice(20), 'latin1'));
    expect(events).toEqual([
      {
        kind: 'handshake',
        conn: 'c1',
        t: T0,
        endpoint: 'echo',
        tag: 'run-1',
        request: { method: 'GET', target: '/echo', httpVersion: '1.1', headers: [['Host', 'localhost:8080']] },
        response: {
          status: 101,
          statusText: 'Switching Protocols',
          headers: [
            ['Upgrade', 'websocket'],
            ['Connection', 'Upgrade'],
            ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
          ],
        },
      },
    ]);
  });

  it('decodes a masked client frame: key, masked and unmasked preview, capped', () => {
    const { rec, events } = upgraded();
    rec.read(fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(events).toEqual([
      {
        kind: 'frame',
        conn: 'c1',
        t: T0,
        dir: 'in',
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: OPCODE.text,
        masked: true,
        maskingKey: '37 fa 21 3d',
        payloadLength: 5,
        lengthForm: 7,
        headerHex: '81 85 37 fa 21 3d',
        previewHex: '48 65 6c 6c',
        maskedPreviewHex: '7f 9f 4d 51',
        previewText: 'Hell',
        truncated: true,
        close: null,
      },
    ]);
  });

  it('reads frames written after the 101 in the same chunk, and close codes', () => {
    const { rec, events } = recorder();
    const close = encodeFrame({ opcode: OPCODE.close, payload: new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65]) });
    rec.wrote(Buffer.concat([Buffer.from(RESPONSE, 'latin1'), encodeFrame({ opcode: OPCODE.binary, payload: new Uint8Array([1, 2]) }), close]));
    expect(events.map((e) => e.kind)).toEqual(['handshake', 'frame', 'frame']);
    expect(events[1]).toMatchObject({ dir: 'out', opcode: OPCODE.binary, masked: false, previewHex: '01 02', previewText: null, headerHex: '82 02' });
    expect(events[2]).toMatchObject({ opcode: OPCODE.close, close: { code: 1000, reason: 'bye' }, previewText: 'bye' });
  });

  it('shows a 16-bit length header byte for byte and marks continuation of text as text', () => {
    const { rec, events } = upgraded();
    const key = fromHex('01 02 03 04');
    rec.read(encodeFrame({ opcode: OPCODE.text, fin: false, payload: 'ab', maskingKey: key, lengthForm: 16 }));
    rec.read(encodeFrame({ opcode: OPCODE.continuation, payload: 'cd', maskingKey: key }));
    expect(events[0]).toMatchObject({ headerHex: '01 fe 00 02 01 02 03 04', lengthForm: 16, fin: false });
    expect(events[1]).toMatchObject({ opcode: OPCODE.continuation, previewText: 'cd' });
  });
});

describe('InspectHub', () => {
  const frame = (conn: string, n: number): InspectEvent => ({
    kind: 'frame', conn, t: n, dir: 'in', fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false,
    maskingKey: null, payloadLength: 0, lengthForm: 7, headerHex: '81 00', previewHex: '', maskedPreviewHex: null,
    previewText: '', truncated: false, close: null,
  });
  const end = (conn: string): InspectEvent => ({ kind: 'end', conn, t: 0, code: 1000, reason: '', how: 'clean' });

  function hub(now = () => T0, perSecond = 100, burst = 100) {
    return new InspectHub({ now, replayEvents: 5, replayMs: 60_000, perSecond, burst });
  }

  it('sends a tagged subscriber only its tag, after replaying what was buffered', () => {
    const h = hub();
    h.publish('run-1', 'frame', () => frame('a', 1));
    h.publish('run-2', 'frame', () => frame('b', 2));
    const got: string[] = [];
    h.subscribe('run-1', (json) => got.push(JSON.parse(json).conn) > 0);
    h.publish('run-1', 'frame', () => frame('a', 3));
    h.publish('run-2', 'frame', () => frame('b', 4));
    h.publish(null, 'frame', () => frame('c', 5));
    expect(got).toEqual(['a', 'a']);
    expect(h.watchingAll).toBe(false);
  });

  it('replays at most the buffer size and nothing older than the window', () => {
    let t = T0;
    const h = hub(() => t);
    for (let i = 0; i < 8; i++) h.publish('run', 'frame', () => frame(`c${i}`, i));
    const got: string[] = [];
    h.subscribe('run', (json) => got.push(JSON.parse(json).conn) > 0);
    expect(got).toEqual(['c3', 'c4', 'c5', 'c6', 'c7']);
    t += 60_001;
    const late: string[] = [];
    h.subscribe('run', (json) => late.push(json) > 0);
    expect(late).toEqual([]);
  });

  it('sends an untagged subscriber everything, and tracks that someone watches all', () => {
    const h = hub();
    const got: string[] = [];
    const stop = h.subscribe(null, (json) => got.push(JSON.parse(json).conn) > 0);
    expect(h.watchingAll).toBe(true);
    h.publish('x', 'frame', () => frame('a', 1));
    h.publish(null, 'frame', () => frame('b', 1));
    expect(got).toEqual(['a', 'b']);
    stop();
    expect(h.watchingAll).toBe(false);
    expect(h.size).toBe(0);
  });

  it('coalesces frames over the budget into one counted event, never dropping an end', () => {
    let t = T0;
    const h = hub(() => t, 10, 3);
    const got: InspectEvent[] = [];
    h.subscribe(null, (json) => got.push(inspectEventSchema.parse(JSON.parse(json))) > 0);
    for (let i = 0; i < 10; i++) h.publish(null, 'frame', () => frame('a', i));
    h.publish(null, 'end', () => end('a'));
    expect(got.map((e) => e.kind)).toEqual(['frame', 'frame', 'frame', 'coalesced', 'end']);
    expect(got[3]).toEqual({ kind: 'coalesced', t: T0, dropped: 7 });
    for (let i = 0; i < 4; i++) h.publish(null, 'frame', () => frame('b', i));
    t += 100;
    h.flush();
    expect(got.slice(5)).toEqual([{ kind: 'coalesced', t: T0 + 100, dropped: 4 }]);
    h.publish(null, 'frame', () => frame('b', 9));
    expect(got.at(-1)).toMatchObject({ kind: 'frame', conn: 'b' });
  });

  it('counts events a slow subscriber could not take', () => {
    const h = hub();
    let accept = false;
    const got: InspectEvent[] = [];
    h.subscribe(null, (json) => accept && got.push(JSON.parse(json)) > 0);
    h.publish(null, 'frame', () => frame('a', 1));
    h.publish(null, 'frame', () => frame('a', 2));
    accept = true;
    h.flush();
    expect(got).toEqual([{ kind: 'coalesced', t: T0, dropped: 2 }]);
  });
});

describe('tagCovers', () => {
  it.each([
    ['run1', 'run1', true],
    ['run1', 'run1.alice', true],
    ['run1', 'run1.alice.2', true],
    ['run1', 'run10.alice', false],
    ['run1', 'run', false],
    ['run1', null, false],
  ] as const)('subscription %s covers connection %s: %s', (subscription, connection, covered) => {
    expect(tagCovers(subscription, connection)).toBe(covered);
  });
});
