import { describe, expect, it } from 'vitest';
import { CLOSE, OPCODE, opcodeName } from '../../../protocol/constants.ts';
import {
  acceptFor,
  decodeHeader,
  encodeClosePayload,
  encodeFrame,
  FrameDecoder,
  FrameFormatError,
  fromHex,
  toHex,
} from '../../../protocol/frame.ts';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

// Fixtures from RFC 6455 §5.7 unless noted.
const HELLO_UNMASKED = '81 05 48 65 6c 6c 6f';
const HELLO_MASKED = '81 85 37 fa 21 3d 7f 9f 4d 51 58';
const HEL_FIRST_FRAGMENT = '01 03 48 65 6c';
const LO_LAST_FRAGMENT = '80 02 6c 6f';
const PING_HELLO = '89 05 48 65 6c 6c 6f';
const PONG_HELLO_MASKED = '8a 85 37 fa 21 3d 7f 9f 4d 51 58';

describe('decodeHeader', () => {
  it('reads an unmasked text frame (7-bit length)', () => {
    expect(decodeHeader(fromHex(HELLO_UNMASKED))).toEqual({
      fin: true,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: OPCODE.text,
      masked: false,
      payloadLength: 5,
      lengthForm: 7,
      maskingKey: null,
      headerLength: 2,
    });
  });

  it('reads the masking key of a masked frame', () => {
    const header = decodeHeader(fromHex(HELLO_MASKED));
    expect(header?.masked).toBe(true);
    expect(toHex(header?.maskingKey ?? new Uint8Array())).toBe('37 fa 21 3d');
    expect(header?.headerLength).toBe(6);
  });

  it('reads a 16-bit length: 256 bytes of binary', () => {
    const header = decodeHeader(fromHex('82 7e 01 00'));
    expect(header).toMatchObject({ opcode: OPCODE.binary, payloadLength: 256, lengthForm: 16, headerLength: 4 });
  });

  it('reads a 64-bit length: 65536 bytes of binary', () => {
    const header = decodeHeader(fromHex('82 7f 00 00 00 00 00 01 00 00'));
    expect(header).toMatchObject({ opcode: OPCODE.binary, payloadLength: 65536, lengthForm: 64, headerLength: 10 });
  });

  it('returns null until the header is complete', () => {
    expect(decodeHeader(fromHex('81'))).toBeNull();
    expect(decodeHeader(fromHex('82 7e 01'))).toBeNull();
    expect(decodeHeader(fromHex('82 7f 00 00 00 00'))).toBeNull();
    expect(decodeHeader(fromHex('81 85 37 fa'))).toBeNull();
  });

  it('rejects a 64-bit length with the top bit set', () => {
    expect(() => decodeHeader(fromHex('82 7f 80 00 00 00 00 00 00 01'))).toThrow(FrameFormatError);
  });

  it('reads RSV bits and reserved opcodes as they are', () => {
    const header = decodeHeader(fromHex('f3 00'));
    expect(header).toMatchObject({ fin: true, rsv1: true, rsv2: true, rsv3: true, opcode: 3 });
    expect(opcodeName(3)).toBe('reserved');
    expect(opcodeName(0xa)).toBe('pong');
  });
});

describe('FrameDecoder', () => {
  it('unmasks a masked client frame and keeps the wire bytes', () => {
    const [frame] = new FrameDecoder().push(fromHex(HELLO_MASKED));
    expect(text(frame?.preview ?? new Uint8Array())).toBe('Hello');
    expect(toHex(frame?.maskedPreview ?? new Uint8Array())).toBe('7f 9f 4d 51 58');
    expect(frame?.truncated).toBe(false);
  });

  it('decodes a fragmented message as two frames: FIN=0 text, then FIN=1 continuation', () => {
    const frames = new FrameDecoder().push(fromHex(`${HEL_FIRST_FRAGMENT} ${LO_LAST_FRAGMENT}`));
    expect(frames.map((f) => [f.fin, f.opcode, text(f.preview)])).toEqual([
      [false, OPCODE.text, 'Hel'],
      [true, OPCODE.continuation, 'lo'],
    ]);
  });

  it('decodes control frames: ping, masked pong, close with code and reason', () => {
    const close = toHex(encodeFrame({ opcode: OPCODE.close, payload: encodeClosePayload(CLOSE.messageTooBig, 'too big') }));
    const frames = new FrameDecoder().push(fromHex(`${PING_HELLO} ${PONG_HELLO_MASKED} ${close}`));
    expect(frames.map((f) => f.opcode)).toEqual([OPCODE.ping, OPCODE.pong, OPCODE.close]);
    expect(text(frames[1]?.preview ?? new Uint8Array())).toBe('Hello');
    expect(frames[2]?.close).toEqual({ code: 1009, reason: 'too big' });
  });

  it('gives the same frames however the bytes are split, down to one byte at a time', () => {
    const stream = fromHex(`${HELLO_MASKED} ${HEL_FIRST_FRAGMENT} ${LO_LAST_FRAGMENT} ${PING_HELLO} 88 00`);
    const whole = new FrameDecoder().push(stream);
    const decoder = new FrameDecoder();
    const bytewise = Array.from(stream).flatMap((byte) => decoder.push(Uint8Array.of(byte)));
    expect(bytewise).toEqual(whole);
    expect(whole.map((f) => f.opcode)).toEqual([1, 1, 0, 9, 8]);
    expect(whole[4]?.close).toBeNull();
  });

  it('keeps only a preview of a long payload and counts the rest', () => {
    const payload = new Uint8Array(70_000).fill(0x61);
    const key = fromHex('01 02 03 04');
    const [frame] = new FrameDecoder({ previewBytes: 8 }).push(encodeFrame({ opcode: OPCODE.text, payload, maskingKey: key }));
    expect(frame).toMatchObject({ payloadLength: 70_000, lengthForm: 64, truncated: true });
    expect(text(frame?.preview ?? new Uint8Array())).toBe('aaaaaaaa');
    expect(toHex(frame?.maskedPreview ?? new Uint8Array())).toBe('60 63 62 65 60 63 62 65');
  });

  it('stops at invalid framing and reports it', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(fromHex('82 7f ff ff ff ff ff ff ff ff 81 00'))).toEqual([]);
    expect(decoder.failure?.message).toBe('the most significant bit of a 64-bit length must be 0');
    expect(decoder.push(fromHex(HELLO_UNMASKED))).toEqual([]);
  });
});

describe('encodeFrame', () => {
  it('produces the RFC examples byte for byte', () => {
    expect(toHex(encodeFrame({ opcode: OPCODE.text, payload: 'Hello' }))).toBe(HELLO_UNMASKED);
    expect(toHex(encodeFrame({ opcode: OPCODE.text, payload: 'Hello', maskingKey: fromHex('37fa213d') }))).toBe(HELLO_MASKED);
    expect(toHex(encodeFrame({ opcode: OPCODE.text, payload: 'Hel', fin: false }))).toBe(HEL_FIRST_FRAGMENT);
  });

  it('uses the 16-bit and 64-bit length forms from 126 and 65536 bytes', () => {
    expect(toHex(encodeFrame({ opcode: OPCODE.binary, payload: new Uint8Array(126) }).subarray(0, 4))).toBe('82 7e 00 7e');
    expect(toHex(encodeFrame({ opcode: OPCODE.binary, payload: new Uint8Array(65536) }).subarray(0, 10))).toBe(
      '82 7f 00 00 00 00 00 01 00 00',
    );
  });
});

describe('acceptFor', () => {
  it('computes the RFC 6455 §1.3 example', async () => {
    await expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).resolves.toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});
