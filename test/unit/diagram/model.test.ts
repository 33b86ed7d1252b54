import { describe, expect, it } from 'vitest';
import { OPCODE } from '../../../protocol/constants.ts';
import { encodeFrame, fromHex } from '../../../protocol/frame.ts';
import type { InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';
import { frameFields, handshakeFields } from '../../../src/runtime/diagram/detail.ts';
import { arrow, lanes, laneX, width } from '../../../src/runtime/diagram/layout.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';

/** Wire events for a connection, from raw bytes, through the server's own tap. */
function wire(tag: string): { events: InspectEvent[]; read(hex: string): void; wrote(bytes: string | Uint8Array): void } {
  const events: InspectEvent[] = [];
  let t = 1000;
  const recorder = new WireRecorder({
    conn: 'c1',
    endpoint: 'echo',
    tag,
    previewBytes: 64,
    now: () => (t += 10),
    request: {
      method: 'GET',
      target: '/echo',
      httpVersion: '1.1',
      headers: [
        ['Host', 'localhost:8080'],
        ['Upgrade', 'websocket'],
        ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ],
    },
    emit: (_kind, make) => events.push(make()),
  });
  return {
    events,
    read: (hex) => recorder.read(fromHex(hex)),
    wrote: (bytes) => recorder.wrote(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes),
  };
}

const HANDSHAKE_RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

describe('SessionModel from hex frames', () => {
  it('names the client by its tag and draws handshake, masked text, echo and close (RFC 6455 §5.7 "Hello")', () => {
    const w = wire('run1.alice');
    w.wrote(HANDSHAKE_RESPONSE);
    w.read('81 85 37 fa 21 3d 7f 9f 4d 51 58'); // masked "Hello", the RFC's example
    w.wrote(fromHex('81 05 48 65 6c 6c 6f')); // unmasked "Hello"
    w.read('88 82 00 00 00 00 03 e8'); // close 1000, masked with a zero key
    w.wrote(fromHex('88 02 03 e8'));
    const model = new SessionModel('run1');
    const rows = w.events.flatMap((e) => model.addWire(e));
    expect(model.participants).toEqual(['server', 'alice']);
    expect(rows.map((r) => r.text)).toEqual([
      'alice → server: opening handshake, GET /echo',
      'server → alice: 101 Switching Protocols',
      'alice → server: text "Hello" (5 bytes)',
      'server → alice: text "Hello" (5 bytes)',
      'alice → server: close 1000',
      'server → alice: close 1000',
    ]);
    expect(rows.map((r) => r.t)).toEqual([0, 0, 10, 20, 30, 40]);
    const masked = rows[2]?.wire;
    expect(masked?.kind).toBe('frame');
    if (masked?.kind !== 'frame') return;
    expect(frameFields(masked).map((f) => [f.name, f.value])).toEqual([
      ['FIN', '1'],
      ['RSV1', '0'],
      ['RSV2', '0'],
      ['RSV3', '0'],
      ['opcode', '1 (text)'],
      ['MASK', '1'],
      ['payload length', '5'],
      ['masking key', '37 fa 21 3d'],
      ['header bytes', '81 85 37 fa 21 3d'],
      ['payload as sent (masked)', '7f 9f 4d 51 58'],
      ['payload unmasked', '48 65 6c 6c 6f'],
      ['as text', 'Hello'],
    ]);
  });

  it.each([
    [125, 7, 'length fits in the first byte'],
    [126, 16, 'next 2 bytes'],
    [65_536, 64, 'next 8 bytes'],
  ] as const)('a %i-byte binary frame uses the %i-bit length form', (size, form, note) => {
    const w = wire('r.bob');
    w.wrote(HANDSHAKE_RESPONSE);
    w.wrote(encodeFrame({ opcode: OPCODE.binary, payload: new Uint8Array(size) }));
    const model = new SessionModel('r');
    const row = w.events.flatMap((e) => model.addWire(e)).at(-1);
    expect(row?.label).toBe(`binary (${size} bytes)`);
    if (row?.wire?.kind !== 'frame') throw new Error('no frame');
    const length = frameFields(row.wire).find((f) => f.name === 'payload length');
    expect(length?.value).toBe(String(size));
    expect(length?.note).toContain(`${form}-bit form`);
    expect(length?.note).toContain(note);
  });

  it('draws a fragmented message as its frames, and control frames in between', () => {
    const w = wire('r.carol');
    w.wrote(HANDSHAKE_RESPONSE);
    w.wrote(fromHex('01 03 48 65 6c')); // text "Hel", FIN 0
    w.wrote(fromHex('89 00')); // ping, between fragments (allowed for control frames)
    w.wrote(fromHex('80 02 6c 6f')); // continuation "lo", FIN 1
    w.read('8a 80 01 02 03 04'); // pong, masked, empty
    const model = new SessionModel('r');
    const rows = w.events.flatMap((e) => model.addWire(e)).slice(2);
    expect(rows.map((r) => [r.kind, r.label])).toEqual([
      ['text', 'text "Hel" (3 bytes, more follows)'],
      ['ping', 'ping (0 bytes)'],
      ['continuation', 'continuation (2 bytes)'],
      ['pong', 'pong (0 bytes)'],
    ]);
  });

  it('draws an abnormal end and a refused handshake distinctly', () => {
    const model = new SessionModel('r');
    const rows = [
      ...model.addWire({ kind: 'rejected', t: 5, target: '/chat?name=al ice', status: 400, reason: 'invalid name', tag: 'r.alice' }),
      ...model.addWire({ kind: 'end', t: 9, conn: 'c9', code: 1006, reason: '', how: 'abnormal' }),
    ];
    expect(rows.map((r) => [r.kind, r.text])).toEqual([
      ['reject', 'server → alice: 400 refused: invalid name'],
      ['abnormal', 'server ✕ client c9: connection dropped, no close frame (1006)'],
    ]);
  });
});

describe('handshake detail', () => {
  it('recomputes Sec-WebSocket-Accept from the key and says it matches', async () => {
    const w = wire('r.a');
    w.wrote(HANDSHAKE_RESPONSE);
    const handshake = w.events[0];
    if (handshake?.kind !== 'handshake') throw new Error('no handshake');
    const { accept, request } = await handshakeFields(handshake);
    expect(request[0]).toEqual({ name: 'request line', value: 'GET /echo HTTP/1.1' });
    expect(accept?.value).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(accept?.note).toContain('it matches what the server sent');
  });
});

describe('layout', () => {
  it('puts clients left in order of appearance and the server last, with fixed lanes', () => {
    const order = lanes(['server', 'alice', 'bob']);
    expect(order).toEqual(['alice', 'bob', 'server']);
    expect([laneX(0), laneX(1), laneX(2)]).toEqual([191, 381, 571]);
    expect(width(3)).toBe(690);
    expect(arrow(order, { from: 'bob', to: 'server', kind: 'text' })).toEqual({
      x1: 381, x2: 571, y: 26, labelX: 476, labelAnchor: 'middle', labelMax: 174, dashed: false, head: 'arrow', self: false,
    });
    expect(arrow(order, { from: 'server', to: 'alice', kind: 'abnormal' })).toMatchObject({ x1: 571, x2: 191, dashed: true, head: 'cross' });
  });
});
