import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { freePort } from '../../../tools/free-port.ts';

/**
 * Starts a TypeScript server sample exactly as a learner would (`node file.ts`,
 * Node 24 strips the types) on a free port given through PORT.
 */
const root = new URL('../../../', import.meta.url).pathname;

export interface Sample {
  port: number;
  url(path?: string): string;
  output(): string;
  stop(): Promise<void>;
}

export async function startSample(file: string, env: Record<string, string> = {}): Promise<Sample> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 30_000); // generous: cores may be busy
    const check = (): void => {
      if (output.includes(`ws://localhost:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', () => reject(new Error(`${file} exited:\n${output}`)));
  });
  return {
    port,
    url: (path = '') => `ws://127.0.0.1:${port}${path}`,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface TestClient {
  socket: WebSocket;
  received: (string | Buffer)[];
  closed: Promise<{ code: number; reason: string }>;
  next(): Promise<string | Buffer>;
  /** Forgets messages received but not yet read with next(). */
  drain(): void;
}

export function connect(url: string): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const unread: (string | Buffer)[] = [];
    const waiting: ((value: string | Buffer) => void)[] = [];
    const client: TestClient = {
      socket,
      received: [],
      closed: new Promise((done) => socket.on('close', (code, reason) => done({ code, reason: reason.toString() }))),
      next: () => {
        const value = unread.shift();
        return value === undefined ? new Promise((done) => waiting.push(done)) : Promise.resolve(value);
      },
      drain: () => void unread.splice(0),
    };
    socket.on('message', (data, isBinary) => {
      const value = isBinary ? (data as Buffer) : data.toString();
      client.received.push(value);
      const waiter = waiting.shift();
      if (waiter) waiter(value);
      else unread.push(value);
    });
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

/** The HTTP status a WebSocket handshake got: 101 when it opened, else the refusal's status. */
export function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', (error) => {
      if (!error.message.includes('Unexpected server response')) reject(error);
    });
  });
}
