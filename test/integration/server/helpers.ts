import { connect as tcpConnect, type Socket } from 'node:net';
import { afterAll, expect } from 'vitest';
import WebSocket from 'ws';
import { FrameDecoder, type DecodedFrame } from '../../../protocol/frame.ts';
import { startServer, type RunningServer } from '../../../server/app.ts';
import type { ServerOptions } from '../../../server/config.ts';
import { createLogger } from '../../../server/log.ts';

/** Every wait in these tests is bounded by this; no test asserts on time. 5 s was overrun on a loaded machine (a lab start behind TLS). */
export const WAIT_MS = 15_000;

export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface TestServer {
  server: RunningServer;
  port: number;
  /** ws://127.0.0.1:port */
  ws: string;
  /** http://127.0.0.1:port */
  base: string;
  /** The server's error-level log lines so far (parsed JSON). */
  errors: Record<string, unknown>[];
}

export interface UseServerOptions {
  /**
   * Error lines this file provokes on purpose (matched against `msg`). Any
   * other error line the server logs fails the file once its tests are done:
   * a runtime error in the log is a failure even when every reply looked right.
   */
  expectedErrors?: RegExp;
}

/** A server on a free port for the tests of one file; closed after them, and its error log read. */
export async function useServer(options: ServerOptions = {}, { expectedErrors }: UseServerOptions = {}): Promise<TestServer> {
  const errors: Record<string, unknown>[] = [];
  const log = createLogger('error', (line) => void errors.push(JSON.parse(line) as Record<string, unknown>));
  const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', ...options }, { log });
  const clients = new Set<WebSocket>();
  trackClients = clients;
  afterAll(async () => {
    for (const c of clients) c.terminate();
    await server.close();
    const unexpected = errors.filter((line) => !(expectedErrors && expectedErrors.test(String(line['msg']))));
    expect(unexpected, 'error lines in the server log').toEqual([]);
  });
  return { server, port: server.port, ws: `ws://127.0.0.1:${server.port}`, base: `http://127.0.0.1:${server.port}`, errors };
}

let trackClients: Set<WebSocket> | null = null;

/**
 * Runs at most `n` of the tasks given to it at once; the others wait their turn,
 * first come first served. For files that run independent cases side by side
 * against something with a cap (a companion runs at most 8 lab servers).
 */
export function limit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < n) running++;
    // A finishing task hands its slot straight to the first waiter, so `running` stays counted.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** A ws client that records every message, with bounded waits. */
export class Client {
  readonly ws: WebSocket;
  private readonly queue: { data: Buffer; isBinary: boolean }[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    trackClients?.add(this.ws);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.queue.push({ data, isBinary });
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    this.ws.on('error', () => {});
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  opened(): Promise<this> {
    return withTimeout(
      new Promise<this>((resolve, reject) => {
        if (this.ws.readyState === WebSocket.OPEN) resolve(this);
        this.ws.once('open', () => resolve(this));
        this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        this.ws.once('error', reject);
      }),
      'open',
    );
  }

  async next(ms = WAIT_MS): Promise<{ data: Buffer; isBinary: boolean }> {
    return withTimeout(
      (async () => {
        for (;;) {
          const item = this.queue.shift();
          if (item) return item;
          if (this.ws.readyState === WebSocket.CLOSED) throw new Error('closed while waiting for a message');
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      'a message',
      ms,
    );
  }

  async json<T = Record<string, unknown>>(ms = WAIT_MS): Promise<T> {
    const { data } = await this.next(ms);
    return JSON.parse(data.toString()) as T;
  }

  /** Skips messages until one matches. */
  async until<T = Record<string, unknown>>(match: (m: Record<string, unknown>) => boolean, limit = 500): Promise<T> {
    for (let i = 0; i < limit; i++) {
      const m = await this.json();
      if (match(m)) return m as T;
    }
    throw new Error('no matching message');
  }

  get pending(): number {
    return this.queue.length;
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  closeCode(): Promise<{ code: number; reason: string }> {
    return withTimeout(this.closed, 'close');
  }
}

export async function open(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
  return new Client(url, options).opened();
}

/** Connects expecting a refusal; resolves with the HTTP status and JSON body. */
export function refused(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      ws.on('open', () => {
        ws.terminate();
        reject(new Error('connected, expected a refusal'));
      });
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      ws.on('error', () => {});
    }),
    'a refusal',
  );
}

export const HANDSHAKE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A raw TCP client: you write the bytes, it decodes what comes back. */
export class RawClient {
  readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  private headDone = false;
  head = '';
  private readonly decoder = new FrameDecoder({ previewBytes: 1024 });
  readonly frames: DecodedFrame[] = [];
  readonly ended: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = tcpConnect(port, '127.0.0.1');
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => {
      if (!this.headDone) {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end === -1) return this.wake();
        this.head = this.buffer.subarray(0, end).toString('latin1');
        this.headDone = true;
        chunk = this.buffer.subarray(end + 4);
        this.buffer = Buffer.alloc(0);
      }
      this.frames.push(...this.decoder.push(chunk));
      this.wake();
    });
    this.ended = new Promise((resolve) => this.socket.on('close', () => {
      this.wake();
      resolve();
    }));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitFor(ready: () => boolean, what: string): Promise<void> {
    await withTimeout(
      (async () => {
        while (!ready()) {
          if (this.socket.destroyed) throw new Error(`socket closed before ${what}`);
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      what,
    );
  }

  static async upgrade(port: number, path = '/echo', extraHeaders: string[] = []): Promise<RawClient> {
    const raw = new RawClient(port);
    await withTimeout(new Promise((resolve) => raw.socket.once('connect', resolve)), 'connect');
    raw.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${HANDSHAKE_KEY}`,
        'Sec-WebSocket-Version: 13',
        ...extraHeaders,
        '',
        '',
      ].join('\r\n'),
    );
    await raw.waitFor(() => raw.headDone, 'the handshake response');
    return raw;
  }

  write(bytes: string | Uint8Array): void {
    this.socket.write(bytes);
  }

  get status(): number {
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(this.head)?.[1] ?? 0);
  }

  /** Waits for a close frame from the server and returns its code. */
  async closeCode(): Promise<number | null> {
    await this.waitFor(() => this.frames.some((f) => f.opcode === 0x8), 'a close frame');
    const close = this.frames.find((f) => f.opcode === 0x8);
    return close?.close?.code ?? null;
  }

  async frame(index: number): Promise<DecodedFrame> {
    await this.waitFor(() => this.frames.length > index, `frame ${index}`);
    return this.frames[index] as DecodedFrame;
  }

  /** Resolves when the server has closed the TCP connection. */
  gone(): Promise<void> {
    return withTimeout(this.ended, 'the server to close the connection');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export async function health(base: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/health`);
  return (await res.json()) as Record<string, unknown>;
}
