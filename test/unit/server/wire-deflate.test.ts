import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/frame.ts';
import { inspectEventSchema, type InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';
import { inflateMessage } from '../../../server/transport/inflate.ts';
import { frameFields } from '../../../src/runtime/diagram/detail.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';

/**
 * permessage-deflate on the wire tap, fed RFC 7692 §7.2.3.1's own example:
 * "Hello" compressed is f2 48 cd c9 c9 07 00, sent as c1 07 … (RSV1 set).
 */
const COMPRESSED_HELLO = 'c1 07 f2 48 cd c9 c9 07 00';
const head = (extensions: string | null): string =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n${extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : ''}\r\n`;

function tap(previewBytes = 256): { rec: WireRecorder; events: InspectEvent[] } {
  const events: InspectEvent[] = [];
  const rec = new WireRecorder({
    conn: 'c1',
    endpoint: 'echo',
    tag: 'run1.alice',
    now: () => 1000,
    previewBytes,
    inflate: (payload) => inflateMessage(payload, 65536),
    request: { method: 'GET', target: '/echo?deflate', httpVersion: '1.1', headers: [] },
    emit: (_kind, make) => events.push(inspectEventSchema.parse(make())),
  });
  return { rec, events };
}

describe('the wire tap on a permessage-deflate connection', () => {
  it('inflates a whole compressed message and labels it with both sizes', () => {
    const { rec, events } = tap();
    rec.wrote(new TextEncoder().encode(head('permessage-deflate; server_no_context_takeover; client_no_context_takeover')));
    rec.wrote(fromHex(COMPRESSED_HELLO));
    const frame = events[1];
    expect(frame).toMatchObject({ kind: 'frame', dir: 'out', rsv1: true, opcode: 1, payloadLength: 7, previewHex: 'f2 48 cd c9 c9 07 00', previewText: null });
    expect(frame?.kind === 'frame' && frame.inflated).toEqual({ bytes: 5, previewHex: '48 65 6c 6c 6f', previewText: 'Hello', truncated: false });
    const model = new SessionModel('run1');
    const rows = events.flatMap((e) => model.addWire(e));
    expect(rows.map((r) => r.text)[2]).toBe('server → alice: text "Hello" (5 bytes compressed to 7 bytes)');
    if (frame?.kind !== 'frame') throw new Error('expected a frame');
    expect(frameFields(frame).filter((f) => f.name.startsWith('inflated'))).toEqual([
      { name: 'inflated', value: '5 bytes', note: 'permessage-deflate: 5 bytes of message sent as 7' },
      { name: 'inflated bytes', value: '48 65 6c 6c 6f' },
      { name: 'inflated as text', value: 'Hello' },
    ]);
  });

  it('shows a compressed message it could not see whole as compressed, without guessing its text', () => {
    const { rec, events } = tap(4);
    rec.wrote(new TextEncoder().encode(head('permessage-deflate')));
    rec.wrote(fromHex(COMPRESSED_HELLO));
    const frame = events[1];
    expect(frame).toMatchObject({ rsv1: true, truncated: true, previewText: null });
    expect(frame?.kind === 'frame' && frame.inflated).toBeUndefined();
    const model = new SessionModel('run1');
    expect(events.flatMap((e) => model.addWire(e)).map((r) => r.text)[2]).toBe('server → alice: text, compressed (7 bytes)');
  });

  it('inflates nothing when no extension was agreed (RSV1 is then a protocol error, shown as sent)', () => {
    const { rec, events } = tap();
    rec.wrote(new TextEncoder().encode(head(null)));
    rec.wrote(fromHex(COMPRESSED_HELLO));
    expect(events[1]?.kind === 'frame' && events[1].inflated).toBeUndefined();
  });

  it('refuses to inflate past the limit or damaged data', () => {
    const bomb = new Uint8Array(deflateRawSync(Buffer.alloc(100_000), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4));
    expect(inflateMessage(bomb, 65536)).toBeNull();
    expect(inflateMessage(bomb, 200_000)?.length).toBe(100_000);
    expect(inflateMessage(fromHex('ff ff ff'), 65536)).toBeNull();
  });
});
