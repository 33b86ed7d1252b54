import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSE, OPCODE } from '../../protocol/constants.ts';
import { FrameDecoder } from '../../protocol/frame.ts';
import { LAB_FLUSH_MS, LabLog, type LabLogLine, type WireTap } from './engine.ts';
import { LAB_KEY_HEADER } from './headers.ts';

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 16 * 1024;

/**
 * Finds the lab server's close frame in what it sends: the HTTP head first,
 * then frames. Decoded, not searched for a byte, so a data frame that happens
 * to carry 0x88 is not taken for a close; previews are off, so it keeps no data.
 */
export class CloseWatch {
  #head: Buffer = Buffer.alloc(0);
  /** Reading the head; then frames after a 101; after any other answer, nothing more to watch. */
  #state: 'head' | 'frames' | 'done' = 'head';
  readonly #decoder = new FrameDecoder({ previewBytes: 0 });
  /** The code of the server's close frame (1005 when it had none), once seen. */
  code: number | null = null;

  push(chunk: Buffer): void {
    if (this.#state === 'done') return;
    let frames = chunk;
    if (this.#state === 'head') {
      const seen = Buffer.concat([this.#head, chunk]);
      const end = seen.indexOf(HEAD_END);
      if (end === -1) {
        // A head longer than any server writes is not one to follow.
        if (seen.length > MAX_HEAD) this.#state = 'done';
        this.#head = seen;
        return;
      }
      this.#head = Buffer.alloc(0);
      if (!seen.subarray(0, 13).toString('latin1').startsWith('HTTP/1.1 101 ')) {
        this.#state = 'done';
        return;
      }
      this.#state = 'frames';
      frames = seen.subarray(end + HEAD_END.length);
    }
    for (const frame of this.#decoder.push(frames)) {
      if (frame.opcode === OPCODE.close) {
        this.code = frame.close?.code ?? CLOSE.noStatus;
        this.#state = 'done';
        return;
      }
    }
  }
}

/**
 * Copies `from` into `to` with flow control: when `to` holds more than its high-water mark (its
 * write returns false: a client that does not read, a lab server that does not), `from` is paused
 * until `to` drains, so the bytes wait in the kernel's buffers and the sender's, never here.
 * `see` sees each chunk first, in order.
 */
function relay(from: Duplex, to: Duplex, see: (chunk: Buffer) => void): void {
  const resume = (): void => {
    from.resume();
  };
  from.on('data', (chunk: Buffer) => {
    see(chunk);
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  });
}

const unavailable = (why: string): string => `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`;

/**
 * Hands a client's upgrade to a lab server listening on a loopback port (nginx,
 * a Node child) and copies bytes both ways through the wire tap. The request
 * goes as the client sent it, headers in their order and spelling, since the
 * learner's own code checks them (the origin-check lab).
 */
export function proxyUpgrade(args: { req: IncomingMessage; socket: Duplex; head: Buffer; tap: WireTap | null; port: number; key: string; sockets: Set<Duplex> }): void {
  const { req, socket, head, tap, port, key, sockets } = args;
  const upstream = connect(port, '127.0.0.1');
  sockets.add(socket);
  let connected = false;
  upstream.once('connect', () => (connected = true));
  upstream.once('error', () => {
    if (connected) return;
    // The lab server went away between the request and the connect: say so, as an ended lab does.
    connected = true;
    sockets.delete(socket);
    if (socket.writable) socket.end(unavailable('The lab server has ended: its log says why.'));
  });
  const close = new CloseWatch();
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  // The lab server's own key: it takes connections that carry it only, and strips it before the handler runs.
  lines.push(`${LAB_KEY_HEADER}: ${key}`);
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (head.length > 0) {
    tap?.read(head);
    upstream.write(head);
  }
  relay(socket, upstream, (chunk) => tap?.read(chunk));
  relay(upstream, socket, (chunk) => {
    tap?.wrote(chunk);
    close.push(chunk);
  });
  const done = (): void => {
    if (!sockets.delete(socket)) return;
    upstream.destroy();
    if (socket.destroyed || socket.writableLength === 0) {
      socket.destroy();
    } else {
      // The lab server ended the connection: what the client has not read yet (its last frames,
      // its close frame) still goes, for a while.
      socket.end();
      setTimeout(() => socket.destroy(), LAB_FLUSH_MS).unref();
    }
    if (close.code === null) tap?.end(CLOSE.abnormal, '', 'abnormal');
    else tap?.end(close.code, '', 'clean');
  };
  socket.on('end', () => upstream.end());
  upstream.on('end', () => socket.end());
  socket.on('close', done);
  upstream.on('close', done);
  socket.on('error', done);
  upstream.on('error', done);
}

/** What a lab that is not listening answers an upgrade with. */
export const NOT_LISTENING = unavailable('The lab server is not listening: its log says why.');

/**
 * What the engines that proxy to a process of their own (nginx, Node) share:
 * the connections they proxy, their log and its listeners, and ending those
 * connections with 1001 as the embedded engine does.
 */
export abstract class ProxiedLabServer {
  readonly #log = new LabLog();
  protected readonly sockets = new Set<Duplex>();

  get connections(): number {
    return this.sockets.size;
  }

  /** Every line so far, within the log's bounds (LabLog), oldest first. */
  get log(): readonly LabLogLine[] {
    return this.#log.lines;
  }

  onLog(listener: (line: LabLogLine) => void): () => void {
    return this.#log.onLog(listener);
  }

  /** Keeps the line (the log is bounded: LabLog) and tells every listener. */
  protected addLog(line: LabLogLine): void {
    this.#log.add(line);
  }

  /** 1001 going away to every client, then the end; a client that does not finish is cut after 1 s. */
  protected goingAway(): void {
    for (const socket of this.sockets) {
      if (socket.writable) socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe9]));
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
  }
}
