import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { CLOSE, WEBSOCKET_GUID } from '../../../protocol/constants.ts';
import { LabLog, type Engine, type LabLogLine, type LabOptions, type LabServer, type StartResult, type WireTap } from '../engine.ts';
import type { FromWorker, ToWorker, WorkerInit } from './messages.ts';

/** Instructions one resume may run: about 0.3 s of Lua on an idle core, well under 1 s on a busy one. */
export const LUA_BUDGET = 40_000_000;
export const LUA_MEMORY_MAX = 64 * 1024 * 1024;
/** A worker that does not answer a ping for this long is stuck outside Lua (a C call): it is ended. */
const WATCHDOG_MS = 10_000;
const READY_MS = 30_000;

interface Conn {
  socket: Duplex;
  tap: WireTap | null;
  upgraded: boolean;
  closeSent: boolean;
  /** The code of the close frame the handler sent (1005 when it had none): what the connection ended with. */
  closeCode: number;
  /** Sec-WebSocket-Key, for the 101 once the handler accepts. */
  key: string;
  /** Bytes of the VM's sends the socket has passed to the kernel since the worker was last told (worker.ts counts what it holds). */
  flushed: number;
}

/** Boots a worker with a ready VM and no code yet. */
function bootWorker(init: WorkerInit): Promise<Worker> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: init });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('the Lua worker did not start in time'));
    }, READY_MS);
    worker.once('message', (message: FromWorker) => {
      clearTimeout(timer);
      if (message.t === 'booted') resolve(worker);
      else reject(new Error(`the Lua worker said ${message.t} before booting`));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Lua 5.4 in WebAssembly (wasmoon), one worker thread per lab server. */
export function embeddedLuaEngine(options: { budget?: number; memoryMax?: number } = {}): Engine & { dispose(): Promise<void> } {
  const init: WorkerInit = { budget: options.budget ?? LUA_BUDGET, memoryMax: options.memoryMax ?? LUA_MEMORY_MAX };
  // After the first Run, one booted worker waits for the next: Run then costs a compile, not a boot.
  let spare: Promise<Worker> | null = null;
  const takeWorker = (): Promise<Worker> => {
    const next = spare ?? bootWorker(init);
    spare = bootWorker(init);
    spare.then((worker) => worker.unref()).catch(() => {
      spare = null;
    });
    return next;
  };
  return {
    language: 'lua',
    label: 'Lua 5.4, embedded',
    start: async (code, lab) => {
      const worker = await takeWorker();
      worker.ref();
      return loadLab(worker, code, lab);
    },
    async dispose() {
      const waiting = spare;
      spare = null;
      if (waiting) await waiting.then((worker) => worker.terminate()).catch(() => {});
    },
  };
}

async function loadLab(worker: Worker, code: string, lab: LabOptions): Promise<StartResult> {
  const first = await new Promise<FromWorker | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('the Lua worker did not load the code in time')), READY_MS);
    worker.once('message', (message: FromWorker) => {
      clearTimeout(timer);
      resolve(message);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve(error);
    });
    worker.postMessage({ t: 'load', code, sharedDicts: [...lab.sharedDicts] } satisfies ToWorker);
  });
  if (first instanceof Error) {
    await worker.terminate();
    throw first;
  }
  if (first.t === 'syntax') {
    await worker.terminate();
    return { ok: false, error: 'syntax', line: first.line, message: first.message };
  }
  return { ok: true, server: new LuaLabServer(worker) };
}

/**
 * The status code of a close frame the VM sent (its runtime writes each frame whole, unmasked, in one
 * send; a close's payload is at most 125 bytes): 1005 when it carries none, as RFC 6455 §7.1.5 says.
 */
export function closeCodeOf(frame: Uint8Array): number {
  const length = (frame[1] ?? 0) & 0x7f;
  return length >= 2 && frame.length >= 4 ? ((frame[2] as number) << 8) | (frame[3] as number) : CLOSE.noStatus;
}

class LuaLabServer implements LabServer {
  readonly engine = 'Lua 5.4, embedded';
  readonly ended: Promise<void>;
  private readonly worker: Worker;
  private readonly conns = new Map<string, Conn>();
  private readonly logLines = new LabLog();
  /** Connections with flushed bytes to tell the worker about, told once per turn of the event loop. */
  private readonly flushedConns = new Map<string, Conn>();
  private flushTold: NodeJS.Immediate | null = null;
  private nextConn = 1;
  private done = false;
  private resolveEnded!: () => void;
  private pingN = 0;
  private lastPong = 0;
  private readonly watchdog: NodeJS.Timeout;
  private readonly memoryWaiters = new Map<number, (bytes: number) => void>();

  constructor(worker: Worker) {
    this.worker = worker;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error) => this.fail(`the lab server crashed: ${error.message}`));
    worker.on('exit', () => this.fail('the lab server ended'));
    this.lastPong = this.pingN;
    this.watchdog = setInterval(() => {
      if (this.pingN - this.lastPong >= WATCHDOG_MS / 1000) {
        this.fail('the lab server stopped answering (a call that never returns?) and was ended');
        return;
      }
      this.post({ t: 'ping', n: ++this.pingN });
    }, 1000);
    this.watchdog.unref();
  }

  get connections(): number {
    return this.conns.size;
  }

  /** Every line so far, within the log's bounds (LabLog), oldest first. */
  get log(): readonly LabLogLine[] {
    return this.logLines.lines;
  }

  onLog(listener: (line: LabLogLine) => void): () => void {
    return this.logLines.onLog(listener);
  }

  memory(): Promise<number | null> {
    if (this.done) return Promise.resolve(null);
    const n = ++this.pingN;
    return new Promise((resolve) => {
      this.memoryWaiters.set(n, resolve);
      this.post({ t: 'ping', n });
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tap: WireTap | null): void {
    if (this.done) {
      socket.destroy();
      return;
    }
    const conn = `c${this.nextConn++}`;
    const rawKey = req.headers['sec-websocket-key'];
    const entry: Conn = { socket, tap, upgraded: false, closeSent: false, closeCode: CLOSE.noStatus, key: (Array.isArray(rawKey) ? rawKey[0] : rawKey) ?? '', flushed: 0 };
    this.conns.set(conn, entry);
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
    this.post({
      t: 'request',
      conn,
      method: req.method ?? 'GET',
      uri: url.pathname,
      query: url.search.slice(1),
      headers,
      args: [...url.searchParams.entries()],
    });
    socket.on('data', (chunk: Buffer) => {
      tap?.read(chunk);
      this.post({ t: 'data', conn, bytes: new Uint8Array(chunk) });
    });
    let eofSent = false;
    const eof = (): void => {
      if (eofSent) return;
      eofSent = true;
      this.post({ t: 'eof', conn });
    };
    socket.on('end', eof);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!this.conns.has(conn)) return;
      this.conns.delete(conn);
      // A reset connection never sends 'end': the handler still hears that its
      // client is gone (recv fails with "closed") and runs its own cleanup, as under nginx.
      eof();
      if (entry.upgraded) tap?.end(entry.closeSent ? entry.closeCode : CLOSE.abnormal, '', entry.closeSent ? 'clean' : 'abnormal');
    });
    if (head.length > 0) {
      tap?.read(head);
      this.post({ t: 'data', conn, bytes: new Uint8Array(head) });
    }
  }

  async stop(): Promise<void> {
    if (!this.done) {
      for (const entry of this.conns.values()) {
        if (entry.upgraded && !entry.closeSent && entry.socket.writable) {
          // 1001 going away: the learner stopped the server.
          this.write(entry, Buffer.from([0x88, 0x02, 0x03, 0xe9]));
          entry.closeSent = true;
          entry.closeCode = CLOSE.goingAway;
        }
        entry.socket.end();
        setTimeout(() => entry.socket.destroy(), 1000).unref();
      }
      this.finishUp();
      await this.worker.terminate();
    }
    await this.ended;
  }

  private post(message: ToWorker): void {
    if (this.done) return;
    if (message.t === 'data') this.worker.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
    else this.worker.postMessage(message);
  }

  private write(entry: Conn, bytes: Uint8Array, sent?: () => void): void {
    entry.tap?.wrote(bytes);
    entry.socket.write(bytes, sent);
  }

  /**
   * A send of the VM's: written, and once the socket has passed it to the kernel (or dropped it, the
   * connection gone) the worker hears so. The worker counts what the client has not taken yet and
   * makes a handler's send wait while that is over SEND_BUFFER_BYTES, as nginx's send waits on a
   * full socket buffer: a client that does not read holds up its handler, not the companion's memory.
   */
  private send(conn: string, entry: Conn, bytes: Uint8Array): void {
    const flushed = (): void => {
      entry.flushed += bytes.byteLength;
      this.flushedConns.set(conn, entry);
      this.flushTold ??= setImmediate(() => {
        this.flushTold = null;
        for (const [id, each] of this.flushedConns) {
          this.post({ t: 'flushed', conn: id, bytes: each.flushed });
          each.flushed = 0;
        }
        this.flushedConns.clear();
      });
    };
    if (entry.socket.writable) this.write(entry, bytes, flushed);
    else flushed();
  }

  private addLog(line: LabLogLine): void {
    this.logLines.add(line);
  }

  private onMessage(message: FromWorker): void {
    switch (message.t) {
      case 'log':
        this.addLog({ time: message.time, level: message.level, text: message.text, line: message.line });
        return;
      case 'pong':
        this.lastPong = message.n;
        this.memoryWaiters.get(message.n)?.(message.memory);
        this.memoryWaiters.delete(message.n);
        return;
      case 'fatal':
        this.fail(message.message);
        return;
      case 'booted':
      case 'ready':
      case 'syntax':
        return;
    }
    const entry = this.conns.get(message.conn);
    if (!entry) return;
    if (message.t === 'accept') {
      entry.upgraded = true;
      const accept = createHash('sha1').update(entry.key + WEBSOCKET_GUID).digest('base64');
      const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: upgrade', `Sec-WebSocket-Accept: ${accept}`];
      if (message.protocol) lines.push(`Sec-WebSocket-Protocol: ${message.protocol}`);
      this.write(entry, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
    } else if (message.t === 'send') {
      if (message.bytes[0] === 0x88 && !entry.closeSent) {
        entry.closeSent = true;
        entry.closeCode = closeCodeOf(message.bytes);
      }
      this.send(message.conn, entry, message.bytes);
    } else if (message.t === 'finish') {
      const status = message.status;
      if (status === 0) {
        entry.socket.end();
      } else if (status === 444) {
        entry.socket.destroy();
      } else {
        const reason = STATUS_CODES[status] ?? 'Unknown';
        const body = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`;
        this.write(entry, Buffer.from(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, 'latin1'));
        entry.socket.end();
      }
    }
  }

  private fail(reason: string): void {
    if (this.done) return;
    this.addLog({ time: Date.now(), level: 'error', text: reason, line: null });
    for (const entry of this.conns.values()) entry.socket.destroy();
    this.finishUp();
    void this.worker.terminate();
  }

  private finishUp(): void {
    this.done = true;
    clearInterval(this.watchdog);
    for (const resolve of this.memoryWaiters.values()) resolve(0);
    this.memoryWaiters.clear();
    this.resolveEnded();
  }
}
