import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.ts';

/**
 * A throwaway `redis-server`: a free loopback port, no persistence (`--save ''`,
 * `--appendonly no`), so a restart comes back empty as a crashed cache would.
 * Shared by the scaling-out sample's test, the companion's --redis tests and
 * bench/scale.ts.
 */
export const REDIS_SERVER = '/usr/bin/redis-server';

export class RedisServer {
  readonly port: number;
  private readonly password: string | undefined;
  private child: ChildProcess | null = null;

  private constructor(port: number, password: string | undefined) {
    this.port = port;
    this.password = password;
  }

  static async start(options: { password?: string } = {}): Promise<RedisServer> {
    const redis = await RedisServer.reserve(options);
    await redis.restart();
    return redis;
  }

  /** A free port for a server not started yet (`restart` starts it): a Redis that is down. */
  static async reserve(options: { password?: string } = {}): Promise<RedisServer> {
    return new RedisServer(await freePort(), options.password);
  }

  get url(): string {
    return `redis://${this.password === undefined ? '' : `:${this.password}@`}127.0.0.1:${this.port}`;
  }

  /** Starts it (again, on the same port); resolves once it accepts connections. */
  async restart(): Promise<void> {
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(this.password === undefined ? [] : ['--requirepass', this.password])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      // Generous: the machine's cores may be busy.
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15_000);
      child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Stops it and waits until it has exited (its port is free again). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    child.removeAllListeners('exit');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
