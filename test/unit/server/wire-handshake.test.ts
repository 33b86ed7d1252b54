import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../protocol/frame.ts';
import { inspectEventSchema, type FrameEvent, type HandshakeEvent, type InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';

/**
 * The wire tap reads the server's answer to the upgrade before anything else:
 * only after a 101 Switching Protocols are the bytes that follow frames, both
 * ways. Any other status refuses the handshake: the tap shows the answer as the
 * handshake event (its status and headers) and never draws its body, nor what
 * the client sends, as frames. A lab's server (every engine goes through the
 * same tap) refuses with a body, e.g. nginx's HTML page for ngx.exit(400).
 */
const T0 = 1_700_000_000_000;
const REQUEST = {
  method: 'GET',
  target: '/labs/0123456789abcdef?name=',
  httpVersion: '1.1',
  headers: [
    ['Host', '127.0.0.1:8080'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
  ] as [string, string][],
};

function recorder() {
  const events: InspectEvent[] = [];
  let t = T0;
  const rec = new WireRecorder({
    conn: 'lab-012345-abcdef',
    endpoint: 'lab',
    tag: 'run1.alice',
    now: () => t++,
    previewBytes: 4,
    request: REQUEST,
    emit: (kind, make) => {
      const event = inspectEventSchema.parse(make());
      expect(event.kind).toBe(kind);
      events.push(event);
    },
  });
  return { rec, events };
}

const latin1 = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** The page the embedded Lua engine writes for ngx.exit(status), as nginx does (server/labs/lua/engine.ts). */
function refusal(status: number, reason: string): { head: string; body: string } {
  const body = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { head: `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body };
}

function handshake(status: number, statusText: string, headers: [string, string][], t = T0): HandshakeEvent {
  return { kind: 'handshake', conn: 'lab-012345-abcdef', t, endpoint: 'lab', tag: 'run1.alice', request: REQUEST, response: { status, statusText, headers } };
}

const refusedHeaders = (length: number): [string, string][] => [
  ['Content-Type', 'text/html'],
  ['Content-Length', String(length)],
  ['Connection', 'close'],
];

/** What a row needs from a frame event. */
const brief = (e: FrameEvent) => ({ dir: e.dir, opcode: e.opcode, payloadLength: e.payloadLength, previewText: e.previewText, close: e.close?.code ?? null });

// Client frames, masked with the all-zero key so the payload reads as it is.
const CLIENT_HI = '81 82 00000000 6869'; // text "hi"
const CLIENT_CLOSE_1000 = '88 82 00000000 03e8';
const SERVER_HI = '81 02 6869';
const SERVER_CLOSE_1000 = '88 02 03e8';
const ACCEPTED = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
const ACCEPTED_HEADERS: [string, string][] = [
  ['Upgrade', 'websocket'],
  ['Connection', 'upgrade'],
  ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
];

describe('WireRecorder and a refused handshake', () => {
  it('a 400 and its HTML body in one write: the handshake event with the 400, and no frame', () => {
    const { head, body } = refusal(400, 'Bad Request');
    // Read as a frame header, "<h" is FIN 0, RSV2 1, RSV3 1, opcode 0xC, 104 bytes: the frame the tap used to draw.
    expect(toHex(latin1(body).subarray(0, 2))).toBe('3c 68');
    const { rec, events } = recorder();
    rec.wrote(latin1(head + body));
    expect(events).toEqual([handshake(400, 'Bad Request', refusedHeaders(body.length))]);
  });

  it.each([
    [403, 'Forbidden'],
    [409, 'Conflict'],
    [426, 'Upgrade Required'],
    [200, 'OK'],
    [503, 'Service Unavailable'],
  ])('a %i answer is a refusal: its body over later writes and the client\'s frames are never frames', (status, reason) => {
    const { head, body } = refusal(status, reason);
    const { rec, events } = recorder();
    rec.wrote(latin1(head));
    rec.wrote(latin1(body.slice(0, 2)));
    rec.read(fromHex(CLIENT_HI));
    rec.wrote(latin1(body.slice(2)));
    rec.wrote(fromHex(SERVER_HI));
    rec.read(fromHex(CLIENT_CLOSE_1000));
    expect(events).toEqual([handshake(status, reason, refusedHeaders(body.length))]);
  });

  it('a head split across writes, byte by byte: the handshake once its blank line is in, then nothing', () => {
    const { head, body } = refusal(400, 'Bad Request');
    const { rec, events } = recorder();
    for (const byte of latin1(head).subarray(0, -1)) rec.wrote(Uint8Array.of(byte));
    expect(events).toEqual([]);
    rec.wrote(latin1(`\n${body.slice(0, 10)}`));
    rec.wrote(latin1(body.slice(10)));
    expect(events).toEqual([handshake(400, 'Bad Request', refusedHeaders(body.length))]);
  });

  it("never shows the client's bytes of a refused connection: neither those sent before the answer nor after it", () => {
    const { head, body } = refusal(400, 'Bad Request');
    const { rec, events } = recorder();
    rec.read(fromHex(CLIENT_HI));
    rec.read(fromHex('81 85 00000000 6869')); // a text frame announcing 5 bytes, 2 arrived
    expect(events).toEqual([]);
    rec.wrote(latin1(head + body));
    rec.read(fromHex(`6a6b6c ${CLIENT_CLOSE_1000}`));
    expect(events).toEqual([handshake(400, 'Bad Request', refusedHeaders(body.length))]);
  });

  it('an answer whose head does not end within 16 KiB is not followed: no event, and nothing after it is a frame', () => {
    const { rec, events } = recorder();
    rec.wrote(latin1(`HTTP/1.1 200 OK\r\nX-Long: ${'a'.repeat(16 * 1024)}`));
    rec.wrote(fromHex(SERVER_HI));
    rec.wrote(latin1('\r\n\r\n'));
    rec.wrote(fromHex(SERVER_HI));
    rec.read(fromHex(CLIENT_HI));
    expect(events).toEqual([]);
  });
});

describe('WireRecorder and an accepted handshake', () => {
  it('a 101 and frames in the same write: the handshake, then each frame', () => {
    const { rec, events } = recorder();
    rec.wrote(new Uint8Array([...latin1(ACCEPTED), ...fromHex(`${SERVER_HI} ${SERVER_CLOSE_1000}`)]));
    expect(events[0]).toEqual(handshake(101, 'Switching Protocols', ACCEPTED_HEADERS));
    expect(events.slice(1).map((e) => brief(e as FrameEvent))).toEqual([
      { dir: 'out', opcode: 1, payloadLength: 2, previewText: 'hi', close: null },
      { dir: 'out', opcode: 8, payloadLength: 2, previewText: '', close: 1000 },
    ]);
  });

  it('client frames sent before the 101 are shown after it, a frame split across the 101 once, whole', () => {
    const { rec, events } = recorder();
    rec.read(fromHex(CLIENT_HI));
    rec.read(fromHex('81 85 00000000 6869')); // 5 bytes announced, 2 arrived before the answer
    expect(events).toEqual([]);
    rec.wrote(new Uint8Array([...latin1(ACCEPTED.slice(0, 30))]));
    rec.wrote(new Uint8Array([...latin1(ACCEPTED.slice(30)), ...fromHex(SERVER_HI)]));
    rec.read(fromHex('6a6b6c'));
    expect(events[0]).toEqual(handshake(101, 'Switching Protocols', ACCEPTED_HEADERS, T0));
    expect(events.slice(1).map((e) => brief(e as FrameEvent))).toEqual([
      { dir: 'in', opcode: 1, payloadLength: 2, previewText: 'hi', close: null },
      { dir: 'out', opcode: 1, payloadLength: 2, previewText: 'hi', close: null },
      { dir: 'in', opcode: 1, payloadLength: 5, previewText: 'hijk', close: null },
    ]);
  });

  it('holds at most 64 client frames sent before the answer', () => {
    const { rec, events } = recorder();
    rec.read(fromHex(Array.from({ length: 70 }, () => '89 80 00000000').join(' '))); // 70 empty pings
    rec.wrote(latin1(ACCEPTED));
    expect(events.map((e) => (e.kind === 'frame' ? `${e.dir} ${e.opcode}` : e.kind))).toEqual(['handshake', ...Array.from({ length: 64 }, () => 'in 9')]);
    rec.read(fromHex(CLIENT_HI));
    expect(events.at(-1)).toMatchObject({ kind: 'frame', dir: 'in', opcode: 1, previewText: 'hi' });
  });
});
