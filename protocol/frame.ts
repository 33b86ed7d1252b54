import { FRAME, OPCODE, isControlOpcode, WEBSOCKET_GUID } from './constants.ts';

/**
 * The WebSocket frame format (RFC 6455 §5.2) as plain functions over bytes:
 * no sockets, no DOM, so the server's wire tap, the browser's frame view and
 * the tests decode frames with the same code.
 */

export type LengthForm = 7 | 16 | 64;

export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Payload length in bytes. */
  payloadLength: number;
  /** Which length encoding the sender used: 7-bit, 16-bit or 64-bit. */
  lengthForm: LengthForm;
  maskingKey: Uint8Array | null;
  /** Bytes of header, 2 to 14. */
  headerLength: number;
}

export interface DecodedFrame extends FrameHeader {
  /** Up to `previewBytes` of the payload, unmasked. */
  preview: Uint8Array;
  /** The same bytes as they were on the wire (masked), for client frames. */
  maskedPreview: Uint8Array | null;
  /** True when the payload was longer than the preview. */
  truncated: boolean;
  /** For close frames: the status code and reason, if the payload had them. */
  close: { code: number; reason: string } | null;
}

export class FrameFormatError extends Error {
  override name = 'FrameFormatError';
}

/**
 * Reads a frame header at `offset`. Returns null when more bytes are needed.
 * Throws FrameFormatError when the 64-bit length has its top bit set (forbidden)
 * or exceeds what JavaScript can count exactly.
 */
export function decodeHeader(bytes: Uint8Array, offset = 0): FrameHeader | null {
  if (bytes.length - offset < 2) return null;
  const b0 = bytes[offset] as number;
  const b1 = bytes[offset + 1] as number;
  const masked = (b1 & 0x80) !== 0;
  const len7 = b1 & 0x7f;
  let lengthForm: LengthForm = 7;
  let payloadLength = len7;
  let cursor = offset + 2;
  if (len7 === FRAME.length16Marker) {
    if (bytes.length - cursor < 2) return null;
    lengthForm = 16;
    payloadLength = ((bytes[cursor] as number) << 8) | (bytes[cursor + 1] as number);
    cursor += 2;
  } else if (len7 === FRAME.length64Marker) {
    if (bytes.length - cursor < 8) return null;
    lengthForm = 64;
    const view = new DataView(bytes.buffer, bytes.byteOffset + cursor, 8);
    const high = view.getUint32(0);
    const low = view.getUint32(4);
    if (high & 0x80000000) throw new FrameFormatError('the most significant bit of a 64-bit length must be 0');
    if (high > 0x1fffff) throw new FrameFormatError('payload length exceeds 2^53 - 1 bytes');
    payloadLength = high * 2 ** 32 + low;
    cursor += 8;
  }
  let maskingKey: Uint8Array | null = null;
  if (masked) {
    if (bytes.length - cursor < FRAME.maskingKeyLength) return null;
    maskingKey = bytes.slice(cursor, cursor + FRAME.maskingKeyLength);
    cursor += FRAME.maskingKeyLength;
  }
  return {
    fin: (b0 & 0x80) !== 0,
    rsv1: (b0 & 0x40) !== 0,
    rsv2: (b0 & 0x20) !== 0,
    rsv3: (b0 & 0x10) !== 0,
    opcode: b0 & 0x0f,
    masked,
    payloadLength,
    lengthForm,
    maskingKey,
    headerLength: cursor - offset,
  };
}

/** XORs `data` with the 4-byte key, as if `data` started at payload offset `start`. */
export function applyMask(data: Uint8Array, key: Uint8Array, start = 0): Uint8Array {
  const out = new Uint8Array(data.length);
  maskInto(out, 0, data, key, start);
  return out;
}

/** Writes `data` XOR key into `target` at `at`, without allocating (the tap's hot path). */
function maskInto(target: Uint8Array, at: number, data: Uint8Array, key: Uint8Array, start: number): void {
  const k0 = key[start & 3] as number;
  const k1 = key[(start + 1) & 3] as number;
  const k2 = key[(start + 2) & 3] as number;
  const k3 = key[(start + 3) & 3] as number;
  const n = data.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    target[at + i] = (data[i] as number) ^ k0;
    target[at + i + 1] = (data[i + 1] as number) ^ k1;
    target[at + i + 2] = (data[i + 2] as number) ^ k2;
    target[at + i + 3] = (data[i + 3] as number) ^ k3;
  }
  for (; i < n; i++) target[at + i] = (data[i] as number) ^ (key[(start + i) & 3] as number);
}

/** A close frame's payload: empty, or a 2-byte code then a UTF-8 reason. */
export function parseClosePayload(payload: Uint8Array): { code: number; reason: string } | null {
  if (payload.length < 2) return null;
  return {
    code: ((payload[0] as number) << 8) | (payload[1] as number),
    reason: new TextDecoder().decode(payload.subarray(2)),
  };
}

export function encodeClosePayload(code: number, reason = ''): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** A 4-byte key masks the payload, as every client-to-server frame must be. */
  maskingKey?: Uint8Array;
  /** Force a longer length encoding than needed (legal, and useful in tests). */
  lengthForm?: LengthForm;
}

/** Builds the bytes of one frame. No validation: tests use it to make bad frames too. */
export function encodeFrame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array());
  const length = payload.length;
  const form: LengthForm =
    spec.lengthForm ?? (length <= FRAME.max7BitLength ? 7 : length <= 0xffff ? 16 : 64);
  const extra = form === 7 ? 0 : form === 16 ? 2 : 8;
  const key = spec.maskingKey ?? null;
  const header = new Uint8Array(2 + extra + (key ? FRAME.maskingKeyLength : 0));
  header[0] =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const view = new DataView(header.buffer);
  if (form === 7) header[1] = length;
  else if (form === 16) {
    header[1] = FRAME.length16Marker;
    view.setUint16(2, length);
  } else {
    header[1] = FRAME.length64Marker;
    view.setUint32(2, Math.floor(length / 2 ** 32));
    view.setUint32(6, length >>> 0);
  }
  if (key) {
    header[1] = (header[1] as number) | 0x80;
    header.set(key, 2 + extra);
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(key ? applyMask(payload, key) : payload, header.length);
  return out;
}

interface Pending {
  header: FrameHeader;
  received: number;
  preview: Uint8Array;
  maskedPreview: Uint8Array | null;
}

/**
 * Decodes a byte stream into frames, chunk by chunk, however the bytes were
 * split. Payloads are never buffered beyond the preview, so a tap on a busy
 * connection costs memory proportional to the preview, not to the traffic.
 * Close frames keep their whole payload (at most 125 bytes) to read the code.
 */
export class FrameDecoder {
  private buffer: Uint8Array = new Uint8Array(0);
  private pending: Pending | null = null;
  private readonly previewBytes: number;
  /** Set once the stream is not valid framing; later bytes are ignored. */
  failure: FrameFormatError | null = null;

  constructor(options: { previewBytes?: number } = {}) {
    this.previewBytes = options.previewBytes ?? 256;
  }

  /**
   * The frame whose header has been read but whose payload is still arriving,
   * with the preview as far as it got; null between frames. The wire tap uses
   * it to show a frame the server refuses from its header alone.
   */
  partial(): DecodedFrame | null {
    const p = this.pending;
    if (!p) return null;
    const got = Math.min(p.received, p.preview.length);
    return {
      ...p.header,
      preview: p.preview.slice(0, got),
      maskedPreview: p.maskedPreview ? p.maskedPreview.slice(0, got) : null,
      truncated: true,
      close: null,
    };
  }

  push(chunk: Uint8Array): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    if (this.failure) return frames;
    let data = this.buffer.length ? concat(this.buffer, chunk) : chunk;
    let offset = 0;
    while (offset < data.length || (this.pending && this.pending.header.payloadLength === this.pending.received)) {
      if (!this.pending) {
        let header: FrameHeader | null;
        try {
          header = decodeHeader(data, offset);
        } catch (error) {
          this.failure = error as FrameFormatError;
          this.buffer = new Uint8Array(0);
          return frames;
        }
        if (!header) break;
        offset += header.headerLength;
        const keep = isControlOpcode(header.opcode)
          ? Math.min(header.payloadLength, FRAME.maxControlPayload)
          : Math.min(header.payloadLength, this.previewBytes);
        this.pending = {
          header,
          received: 0,
          preview: new Uint8Array(keep),
          maskedPreview: header.masked ? new Uint8Array(keep) : null,
        };
      }
      const p = this.pending;
      const take = Math.min(p.header.payloadLength - p.received, data.length - offset);
      if (p.received < p.preview.length) {
        const copy = data.subarray(offset, offset + Math.min(take, p.preview.length - p.received));
        if (p.maskedPreview && p.header.maskingKey) {
          p.maskedPreview.set(copy, p.received);
          maskInto(p.preview, p.received, copy, p.header.maskingKey, p.received);
        } else {
          p.preview.set(copy, p.received);
        }
      }
      p.received += take;
      offset += take;
      if (p.received < p.header.payloadLength) break;
      frames.push({
        ...p.header,
        preview: p.preview,
        maskedPreview: p.maskedPreview,
        truncated: p.preview.length < p.header.payloadLength,
        close: p.header.opcode === OPCODE.close ? parseClosePayload(p.preview) : null,
      });
      this.pending = null;
    }
    data = data.subarray(offset);
    this.buffer = data.length ? data.slice() : new Uint8Array(0);
    return frames;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export async function acceptFor(key: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(key + WEBSOCKET_GUID));
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Bytes as spaced lowercase hex, e.g. `81 05 48 65`. The wire tap calls it per frame: a table, not toString. */
export function toHex(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  let out = HEX[bytes[0] as number] as string;
  for (let i = 1; i < bytes.length; i++) out += ` ${HEX[bytes[i] as number] as string}`;
  return out;
}

/** Spaced or unspaced hex to bytes; for fixtures and the frame view. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
