import { FRAME, OPCODE } from '../../protocol/constants.ts';
import { FrameDecoder, toHex, type DecodedFrame } from '../../protocol/frame.ts';
import type { FrameEvent, HandshakeEvent, InspectEvent } from '../../protocol/inspect.ts';
import type { Clock } from './clock.ts';

export interface HandshakeRequest {
  method: string;
  target: string;
  httpVersion: string;
  headers: [string, string][];
}

const HEAD_END = '\r\n\r\n';
/** An HTTP response head larger than this is not one a WebSocket server writes; stop looking. */
const MAX_HEAD = 16 * 1024;
/**
 * Client frames held while the server has not answered the upgrade yet (RFC 6455 §4.1: a client
 * must wait for the answer; one that does not is shown once the 101 says they are frames). Past
 * this many, the rest until the answer are decoded and not shown: what is held stays small.
 */
const MAX_EARLY_FRAMES = 64;

/** Rebuilds the header bytes of a decoded frame; lengthForm keeps it byte-exact. */
export function frameHeaderBytes(frame: DecodedFrame): Uint8Array {
  const extra = frame.lengthForm === 7 ? 0 : frame.lengthForm === 16 ? 2 : 8;
  const out = new Uint8Array(2 + extra + (frame.maskingKey ? FRAME.maskingKeyLength : 0));
  out[0] = (frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.rsv2 ? 0x20 : 0) | (frame.rsv3 ? 0x10 : 0) | frame.opcode;
  const view = new DataView(out.buffer);
  if (frame.lengthForm === 7) out[1] = frame.payloadLength;
  else if (frame.lengthForm === 16) {
    out[1] = FRAME.length16Marker;
    view.setUint16(2, frame.payloadLength);
  } else {
    out[1] = FRAME.length64Marker;
    view.setUint32(2, Math.floor(frame.payloadLength / 2 ** 32));
    view.setUint32(6, frame.payloadLength >>> 0);
  }
  if (frame.maskingKey) {
    out[1] = (out[1] as number) | 0x80;
    out.set(frame.maskingKey, 2 + extra);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The wire truth of one connection: fed the bytes the socket really read and
 * wrote, it emits inspector events. The first bytes written are the HTTP
 * response to the upgrade, shown as the `handshake` event. Only after a
 * 101 Switching Protocols are the bytes that follow, in both directions,
 * frames. Any other answer refuses the handshake: the event shows its status
 * and headers, and nothing after it (its body, what the client still sends)
 * is ever shown as a frame.
 */
export class WireRecorder {
  private readonly inbound: FrameDecoder;
  private readonly outbound: FrameDecoder;
  private headText = '';
  /**
   * head: the response head is still arriving. frames: it was a 101. rejected: it was another
   * status, a refused handshake. unknown: no head ended within MAX_HEAD, so this is not an answer
   * the tap can follow. In the last two, nothing more is shown in either direction.
   */
  private state: 'head' | 'frames' | 'rejected' | 'unknown' = 'head';
  /** Client frames that arrived before the answer: shown after a 101, dropped after a refusal. */
  private early: DecodedFrame[] = [];
  private readonly textMessage = { in: false, out: false };
  /** permessage-deflate agreed in the 101; then RSV1 on a message's first frame means compressed. */
  private deflate = false;
  private readonly compressedMessage = { in: false, out: false };
  /**
   * Mirrors ws's maxPayload rule on what the client sends, so the tap shows a
   * refused frame when ws refuses it: as soon as its header is read. ws then
   * stops reading the socket, so whatever the client sends after it is unread.
   */
  private messageBytesIn = 0;
  private refused = false;
  /** The frame in progress at the end of the last chunk was already counted (and shown, if refused). */
  private partialSeen: 'counted' | 'shown' | null = null;
  private readonly options: {
    conn: string;
    endpoint: string;
    tag: string | null;
    request: HandshakeRequest;
    now: Clock;
    /** ws's maxPayload: a message announcing more is refused (1009); 0 or absent: no limit. */
    maxPayload?: number;
    /**
     * Inflates one whole compressed message (permessage-deflate without context
     * takeover); absent, compressed messages are shown as compressed bytes only.
     */
    inflate?: (payload: Uint8Array) => Uint8Array | null;
    /** Called with a builder, so an event nobody will see costs nothing but the parse. */
    emit: (kind: InspectEvent['kind'], make: () => InspectEvent) => void;
  };

  private readonly previewBytes: number;

  constructor(options: WireRecorder['options'] & { previewBytes: number }) {
    this.options = options;
    this.previewBytes = options.previewBytes;
    this.inbound = new FrameDecoder({ previewBytes: options.previewBytes });
    this.outbound = new FrameDecoder({ previewBytes: options.previewBytes });
  }

  read(chunk: Uint8Array): void {
    if (this.state === 'rejected' || this.state === 'unknown') return;
    const frames = this.inbound.push(chunk);
    if (this.state === 'head') {
      // The framing is followed from the first byte, so frames after the 101 are decoded at their
      // boundaries; whether these are frames at all, only the answer says.
      for (const frame of frames) if (this.early.length < MAX_EARLY_FRAMES) this.early.push(frame);
      return;
    }
    this.readFrames(frames);
  }

  private readFrames(frames: DecodedFrame[]): void {
    for (const frame of frames) {
      const seen = this.partialSeen;
      this.partialSeen = null;
      if (seen === 'shown') continue;
      this.readFrame(frame, seen === 'counted');
    }
    const partial = this.inbound.partial();
    if (partial && this.partialSeen === null && !this.refused) {
      this.partialSeen = this.readFrame(partial, false, true) ? 'shown' : 'counted';
    }
  }

  /** Counts a client frame against the limit and emits it; true when it was shown now (a partial one refused). */
  private readFrame(frame: DecodedFrame, counted: boolean, partial = false): boolean {
    if (this.refused) {
      this.emitFrame('in', frame, { unread: true });
      return false;
    }
    const limit = this.options.maxPayload ?? 0;
    if (!counted && frame.opcode < OPCODE.close && frame.payloadLength > 0) this.messageBytesIn += frame.payloadLength;
    if (limit > 0 && this.messageBytesIn > limit) {
      this.refused = true;
      this.emitFrame('in', frame, { refusedOver: limit });
      return true;
    }
    if (partial) return false;
    if (frame.fin && frame.opcode < OPCODE.close) this.messageBytesIn = 0;
    this.emitFrame('in', frame);
    return false;
  }

  wrote(chunk: Uint8Array): void {
    if (this.state === 'frames') {
      for (const frame of this.outbound.push(chunk)) this.emitFrame('out', frame);
      return;
    }
    if (this.state !== 'head') return;
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const end = (this.headText + text).indexOf(HEAD_END);
    if (end === -1) {
      this.headText += text;
      if (this.headText.length > MAX_HEAD) this.stop('unknown');
      return;
    }
    const consumed = end + HEAD_END.length - this.headText.length;
    this.headText = (this.headText + text).slice(0, end);
    const handshake = this.handshakeEvent();
    const accepted = handshake.response.status === 101;
    this.deflate =
      accepted &&
      handshake.response.headers.some(([name, value]) => name.toLowerCase() === 'sec-websocket-extensions' && /(^|,)\s*permessage-deflate\b/i.test(value));
    this.options.emit('handshake', () => handshake);
    if (!accepted) {
      // A refused handshake: what follows the head is its body, HTTP, never frames.
      this.stop('rejected');
      return;
    }
    this.state = 'frames';
    this.headText = '';
    const early = this.early;
    this.early = [];
    this.readFrames(early);
    if (consumed < chunk.length) this.wrote(chunk.subarray(consumed));
  }

  /** Nothing more of this connection is shown; what was held goes. */
  private stop(state: 'rejected' | 'unknown'): void {
    this.state = state;
    this.headText = '';
    this.early = [];
  }

  private emitFrame(dir: 'in' | 'out', frame: DecodedFrame, mark: Pick<FrameEvent, 'refusedOver' | 'unread'> = {}): void {
    // A continuation frame is text when the message it continues started as text.
    let isText = frame.opcode === OPCODE.text;
    let compressed = this.deflate && frame.rsv1;
    if (frame.opcode === OPCODE.text || frame.opcode === OPCODE.binary) {
      this.textMessage[dir] = isText;
      this.compressedMessage[dir] = compressed;
    } else if (frame.opcode === OPCODE.continuation) {
      isText = this.textMessage[dir];
      compressed = this.compressedMessage[dir];
    }
    const t = this.options.now();
    this.options.emit('frame', () => {
      const event: FrameEvent = { ...this.frameEvent(dir, frame, isText && !compressed, t), ...mark };
      const inflated = compressed && frame.fin && !frame.truncated && frame.opcode !== OPCODE.continuation ? this.inflated(frame.preview, isText) : null;
      return inflated ? { ...event, inflated } : event;
    });
  }

  private inflated(payload: Uint8Array, isText: boolean): FrameEvent['inflated'] | null {
    const whole = this.options.inflate?.(payload) ?? null;
    if (!whole) return null;
    const preview = whole.subarray(0, this.previewBytes);
    return { bytes: whole.length, previewHex: toHex(preview), previewText: isText ? utf8.decode(preview) : null, truncated: whole.length > preview.length };
  }

  private handshakeEvent(): HandshakeEvent {
    const [statusLine = '', ...lines] = this.headText.split('\r\n');
    const match = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(statusLine);
    return {
      kind: 'handshake',
      conn: this.options.conn,
      t: this.options.now(),
      endpoint: this.options.endpoint,
      tag: this.options.tag,
      request: this.options.request,
      response: {
        status: match ? Number(match[1]) : 0,
        statusText: match?.[2] ?? '',
        headers: lines.map((line): [string, string] => {
          const colon = line.indexOf(':');
          return colon === -1 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).trim()];
        }),
      },
    };
  }

  private frameEvent(dir: 'in' | 'out', frame: DecodedFrame, isText: boolean, t: number): FrameEvent {
    return {
      kind: 'frame',
      conn: this.options.conn,
      t,
      dir,
      fin: frame.fin,
      rsv1: frame.rsv1,
      rsv2: frame.rsv2,
      rsv3: frame.rsv3,
      opcode: frame.opcode,
      masked: frame.masked,
      maskingKey: frame.maskingKey ? toHex(frame.maskingKey) : null,
      payloadLength: frame.payloadLength,
      lengthForm: frame.lengthForm,
      headerHex: toHex(frameHeaderBytes(frame)),
      previewHex: toHex(frame.preview),
      maskedPreviewHex: frame.maskedPreview ? toHex(frame.maskedPreview) : null,
      previewText: frame.close ? frame.close.reason : isText ? utf8.decode(frame.preview) : null,
      truncated: frame.truncated,
      close: frame.close,
    };
  }
}
