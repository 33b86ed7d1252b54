import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBSOCKET_GUID } from '../../../protocol/constants.ts';
import { encodeClosePayload, encodeFrame, FrameDecoder } from '../../../protocol/frame.ts';

/**
 * A WebSocket server written byte by byte for the check's tests (check-ending, check-skip), so a test
 * sees exactly what reached the server, and when, and the server can do what ws never would.
 */

/** One connection as the server saw it. */
export interface Seen {
  name: string;
  /** When the upgrade arrived (performance.now()). */
  openAt: number;
  /** Each frame from the client: 'text hi', 'close 1000 ""' (code, then the reason as JSON). */
  frames: string[];
  /** When the client's close frame arrived (performance.now()). */
  closeAt: number | null;
  /** When the client's side of the TCP connection ended: a FIN or a reset. */
  goneAt: number | null;
}

/**
 * A WebSocket server that echoes text and, to a close frame, either answers (a text frame the check
 * must never read, then its close frame 1000, then the end of the connection) or does nothing ("mute").
 */
export async function rawServer(onClose: 'answer' | 'mute'): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer();
  server.on('upgrade', (req, socket) => {
    const entry: Seen = { name: new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '?', openAt: performance.now(), frames: [], closeAt: null, goneAt: null };
    seen.push(entry);
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${WEBSOCKET_GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const decoder = new FrameDecoder({ previewBytes: 125 });
    const gone = (): void => {
      entry.goneAt ??= performance.now();
      socket.destroy();
    };
    socket.on('end', gone);
    socket.on('error', gone);
    socket.on('close', gone);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.opcode === 0x1) {
          const text = Buffer.from(frame.preview).toString('utf8');
          entry.frames.push(`text ${text}`);
          socket.write(encodeFrame({ opcode: 0x1, payload: text }));
        } else if (frame.opcode === 0x8) {
          entry.frames.push(`close ${frame.close?.code ?? 'none'} ${JSON.stringify(frame.close?.reason ?? '')}`);
          entry.closeAt ??= performance.now();
          if (onClose === 'answer') {
            socket.write(encodeFrame({ opcode: 0x1, payload: 'after the verdict' }));
            socket.write(encodeFrame({ opcode: 0x8, payload: encodeClosePayload(1000) }));
            socket.end();
          }
        } else {
          entry.frames.push(`opcode ${frame.opcode}`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/lab`, seen, server };
}
