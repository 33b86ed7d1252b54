import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/frame.ts';
import { inspectEventSchema, type FrameEvent, type InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';

/**
 * The wire tap against ws's maxPayload rule: a client frame whose header
 * announces more than the limit is shown the moment its header is read (ws
 * refuses it there and stops reading), so it comes before the server's close
 * 1009; what the client sends after it is marked unread.
 */
const RESPONSE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

function recorder(maxPayload?: number) {
  const events: InspectEvent[] = [];
  const rec = new WireRecorder({
    conn: 'c1',
    endpoint: 'echo',
    tag: 'run-1',
    now: () => 0,
    previewBytes: 4,
    ...(maxPayload === undefined ? {} : { maxPayload }),
    request: { method: 'GET', target: '/echo', httpVersion: '1.1', headers: [] },
    emit: (_kind, make) => events.push(inspectEventSchema.parse(make())),
  });
  rec.wrote(Buffer.from(RESPONSE, 'latin1'));
  events.length = 0;
  return { rec, events };
}

/** What a row needs from a frame event: direction, opcode, length, text, close code and the marks. */
const brief = (events: InspectEvent[]) =>
  (events as FrameEvent[]).map((e) => ({
    dir: e.dir,
    opcode: e.opcode,
    payloadLength: e.payloadLength,
    previewText: e.previewText,
    truncated: e.truncated,
    close: e.close?.code ?? null,
    ...(e.refusedOver === undefined ? {} : { refusedOver: e.refusedOver }),
    ...(e.unread === undefined ? {} : { unread: e.unread }),
  }));

// Masked with the all-zero key, so the payload bytes read as they are.
const HI = '81 82 00000000 6869'; // text "hi"
const TEN_HEAD = '81 8a 00000000'; // text, 10 bytes announced
const SERVER_CLOSE_1009 = '88 02 03f1';
const CLIENT_CLOSE_1009 = '88 82 00000000 03f1';

describe('WireRecorder and the message limit', () => {
  it('emits a frame over the limit when its header is read, before the close it causes; later client frames are unread', () => {
    const { rec, events } = recorder(8);
    rec.read(fromHex(HI));
    rec.read(fromHex(`${TEN_HEAD} 616263`)); // header and "abc" of 10 bytes
    expect(brief(events)).toEqual([
      { dir: 'in', opcode: 1, payloadLength: 2, previewText: 'hi', truncated: false, close: null },
      { dir: 'in', opcode: 1, payloadLength: 10, previewText: 'abc', truncated: true, close: null, refusedOver: 8 },
    ]);
    rec.wrote(fromHex(SERVER_CLOSE_1009));
    // The rest of the refused payload, then the client's close reply, in one chunk.
    rec.read(fromHex(`64656667686a6b ${CLIENT_CLOSE_1009}`));
    expect(brief(events).slice(2)).toEqual([
      { dir: 'out', opcode: 8, payloadLength: 2, previewText: '', truncated: false, close: 1009 },
      { dir: 'in', opcode: 8, payloadLength: 2, previewText: '', truncated: false, close: 1009, unread: true },
    ]);
  });

  it('counts a fragmented message as a whole, like ws: the continuation that crosses the limit is refused', () => {
    const { rec, events } = recorder(8);
    rec.read(fromHex('01 85 00000000 6162636465 80 84 00000000 66676869'));
    expect(brief(events)).toEqual([
      { dir: 'in', opcode: 1, payloadLength: 5, previewText: 'abcd', truncated: true, close: null },
      { dir: 'in', opcode: 0, payloadLength: 4, previewText: 'fghi', truncated: false, close: null, refusedOver: 8 },
    ]);
  });

  it('lets messages of exactly the limit through, one after another, and a ping between fragments does not count', () => {
    const { rec, events } = recorder(4);
    rec.read(fromHex('81 84 00000000 61626364'));
    rec.read(fromHex('01 82 00000000 6162 89 83 00000000 707070 80 82 00000000 6364'));
    rec.read(fromHex('81 84 00000000 61626364'));
    expect(brief(events).map((e) => e.refusedOver ?? null)).toEqual([null, null, null, null, null]);
  });

  it('announces a partial frame once, however many chunks its payload takes, and never without a limit', () => {
    const limited = recorder(8);
    limited.rec.read(fromHex(TEN_HEAD));
    limited.rec.read(fromHex('6162'));
    limited.rec.read(fromHex('63646566'));
    expect(brief(limited.events)).toEqual([{ dir: 'in', opcode: 1, payloadLength: 10, previewText: '', truncated: true, close: null, refusedOver: 8 }]);
    const open = recorder();
    open.rec.read(fromHex(`${TEN_HEAD} 616263`));
    expect(open.events).toEqual([]);
    open.rec.read(fromHex('64656667686a6b'));
    expect(brief(open.events)).toEqual([{ dir: 'in', opcode: 1, payloadLength: 10, previewText: 'abcd', truncated: true, close: null }]);
  });
});
