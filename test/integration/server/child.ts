import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { withTimeout } from './helpers.ts';

const root = new URL('../../../', import.meta.url).pathname;

/**
 * A site folder with an index and a file of known bytes, for static attacks; removed when the test
 * that made it ends, or after the file's tests when made outside a test (each full run left nine).
 */
export function tinySite(): { dir: string; body: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fd-site-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    afterAll(remove);
  }
  const body = '0123456789abcdefghijklmnopqrstuvwxyz';
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>t</title><p>${body}</p>`);
  writeFileSync(join(dir, 'bytes.txt'), body);
  writeFileSync(join(dir, '404.html'), '<!doctype html><title>404</title>');
  return { dir, body };
}

/**
 * The companion server as its own process (`node server/main.ts`), so an attack
 * that would kill it or grow its memory shows: `alive`, `rssBytes()`, and
 * everything it wrote to stderr.
 */
export class ServerChild {
  readonly process: ChildProcess;
  port = 0;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedFlag = false;

  private constructor(args: string[], options: { ulimitFiles?: number; env?: NodeJS.ProcessEnv } = {}) {
    const node = process.execPath;
    const argv = [join(root, 'server/main.ts'), '--port', '0', ...args];
    const env = { ...process.env, ...options.env };
    this.process =
      options.ulimitFiles === undefined
        ? spawn(node, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('sh', ['-c', `ulimit -n ${options.ulimitFiles} && exec "$0" "$@"`, node, ...argv], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout?.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.process.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) =>
      this.process.on('exit', (code, signal) => {
        this.exitedFlag = true;
        resolve({ code, signal });
      }),
    );
  }

  static async start(args: string[] = [], options: { ulimitFiles?: number; startMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ServerChild> {
    const child = new ServerChild(args, options);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          const match = /running at[^\n]*?:(\d+)\b|http:\/\/[^\s]+:(\d+)/.exec(child.stdout);
          if (match) {
            child.port = Number(match[1] ?? match[2]);
            resolve();
          }
        };
        child.process.stdout?.on('data', check);
        child.process.on('exit', () => reject(new Error(`server exited before listening:\n${child.stderr}`)));
      }),
      'the server child to listen',
      options.startMs ?? 20_000,
    );
    return child;
  }

  /** Resolves when the server has logged a line with this `msg`. */
  logged(msg: string, ms = 30_000): Promise<void> {
    const seen = (): boolean => this.stderr.includes(`"msg":"${msg}"`);
    return withTimeout(
      new Promise<void>((resolve) => {
        if (seen()) return resolve();
        const check = (): void => {
          if (!seen()) return;
          this.process.stderr?.off('data', check);
          resolve();
        };
        this.process.stderr?.on('data', check);
      }),
      `the server to log "${msg}"`,
      ms,
    );
  }

  get alive(): boolean {
    return !this.exitedFlag && this.process.exitCode === null;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get ws(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Resident memory of the server process, from ps (kilobytes there). */
  rssBytes(): number {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(this.process.pid)]).toString().trim()) * 1024;
  }

  /** Lines of stderr that are not the server's own JSON log lines (stack traces, warnings), and its error lines. */
  runtimeErrors(allowed: readonly string[] = []): string[] {
    return this.stderr
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => {
        if (!line.startsWith('{')) return true;
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        return entry.level === 'error' && !allowed.includes(entry.msg ?? '');
      });
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGTERM');
    await withTimeout(this.exited, 'the server child to exit', 10_000);
  }
}
