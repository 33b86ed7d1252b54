import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { OPCODE } from '../../../protocol/constants.ts';
import { encodeFrame, FrameDecoder, type DecodedFrame } from '../../../protocol/frame.ts';

/**
 * A WebSocket client made of a bare TCP socket, for the attacks the `ws`
 * client will not make: a frame cut in two across a timeout, a ping between
 * fragments, a peer that vanishes without a close frame. Every byte it writes
 * is chosen by the test; everything the server sends is decoded as frames.
 */
export interface RawClient {
  /** The 101 response head, or the refusal's status line and headers. */
  response: string;
  frames: DecodedFrame[];
  /** Resolves when the server ends the TCP connection (or it errors). */
  ended: Promise<void>;
  isEnded(): boolean;
  write(bytes: Uint8Array): void;
  /** One masked frame, as a client must send it. */
  send(opcode: number, payload: Uint8Array | string, fin?: boolean): void;
  texts(): string[];
  /** The payloads of pongs received, as text. */
  pongs(): string[];
  closeFrame(): { code: number; reason: string } | null;
  destroy(): void;
}

const MAX_PREVIEW = 1 << 20;

export function maskedFrame(opcode: number, payload: Uint8Array | string, fin = true): Uint8Array {
  return encodeFrame({ opcode, payload, fin, maskingKey: randomBytes(4) });
}

export async function rawConnect(port: number, path: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const socket: Socket = connect(port, '127.0.0.1');
  const decoder = new FrameDecoder({ previewBytes: MAX_PREVIEW });
  const frames: DecodedFrame[] = [];
  let head = '';
  let upgraded = false;
  let ended = false;
  const endedPromise = new Promise<void>((resolve) => {
    socket.once('close', () => {
      ended = true;
      resolve();
    });
  });
  socket.on('error', () => {
    /* a reset from the server ends the connection; `ended` reports it */
  });
  const response = await new Promise<string>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        frames.push(...decoder.push(chunk));
        return;
      }
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = buffered.subarray(0, end).toString('latin1');
      upgraded = head.startsWith('HTTP/1.1 101');
      if (upgraded) frames.push(...decoder.push(buffered.subarray(end + 4)));
      resolve(head);
    });
    socket.once('close', () => resolve(head));
    socket.once('error', reject);
    socket.once('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
  const text = (frame: DecodedFrame): string => Buffer.from(frame.preview).toString('utf8');
  const write = (bytes: Uint8Array): void => {
    if (!socket.destroyed) socket.write(bytes);
  };
  return {
    response,
    frames,
    ended: endedPromise,
    isEnded: () => ended,
    write,
    send: (opcode, payload, fin = true) => write(maskedFrame(opcode, payload, fin)),
    texts: () => frames.filter((f) => f.opcode === OPCODE.text).map(text),
    pongs: () => frames.filter((f) => f.opcode === OPCODE.pong).map(text),
    closeFrame: () => frames.find((f) => f.opcode === OPCODE.close)?.close ?? null,
    destroy: () => socket.destroy(),
  };
}

