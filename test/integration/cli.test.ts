import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/**
 * `node <args>` to its end; `through` runs node through another command first (setpriv). A child
 * that never ends is killed with its test, which then fails at its timeout.
 */
function runNode(args: string[], through: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [command, ...rest] = [...through, process.execPath, ...args] as [string, ...string[]];
    const child = spawn(command, rest, { cwd: root });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `node server/main.ts --port 0 --log info`, once its banner says where it runs. */
async function startServerProcess(): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--log', 'info'], { cwd: root });
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /running at (http:\/\/localhost:\d+)/.exec(stdout);
      if (match?.[1]) resolve(match[1].replace('localhost', '127.0.0.1'));
    });
    child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
  });
  return { child, url };
}

// Each test starts node: on a loaded machine that alone took over 20 s (a bound, not a budget).
describe('npm start / server CLI', { timeout: 60_000 }, () => {
  it('prints usage and exits 2 on a port that is not a number, before building anything', async () => {
    const result = await runNode(['scripts/start.ts', '--port', 'notaport']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port "notaport": must be a number');
    expect(result.stderr).toContain('Usage: npm start -- [options]');
    expect(result.stdout).not.toContain('Building');
  });

  it('prints usage and exits 2 on an unknown flag', async () => {
    const result = await runNode(['server/main.ts', '--prot', '8080']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--prot'");
    expect(result.stderr).toContain('Usage:');
  });

  it('exits 2 on a port out of range', async () => {
    const result = await runNode(['server/main.ts', '--port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port "70000": must be 0 to 65535');
  });

  it('prints help listing every flag and exits 0', async () => {
    const result = await runNode(['server/main.ts', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--port <n>', '--host <addr>', '--allow-origin <origin>', '--max-payload <bytes>', '--heartbeat <seconds>', '--auth <mode>', '--max-connections <n>', '--help']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('prints usage and exits 2 on a bad --auth', async () => {
    const result = await runNode(['server/main.ts', '--auth', 'sometimes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--auth "sometimes": must be one of optional, required');
    expect(result.stderr).toContain('Usage:');
  });

  it('says which port is busy and how to pick another, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runNode(['server/main.ts', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} is busy: another program is already listening on 127.0.0.1:${port}.`);
      expect(result.stderr).toContain(`npm start -- --port ${port + 1}`);
    } finally {
      blocker.close();
    }
  });

  it('says an address is not this machine\'s, lists its own and how to listen on all, exit 1', async () => {
    // TEST-NET-2 (RFC 5737): documentation addresses, never assigned to a machine.
    const result = await runNode(['server/main.ts', '--host', '198.51.100.7', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('198.51.100.7 is not an address of this machine, so nothing can listen on it.');
    expect(result.stderr).toMatch(/This machine's addresses: 127\.0\.0\.1(, \d+\.\d+\.\d+\.\d+)*\. Start on one of them, or on all of its networks:\n {2}npm start -- --host 0\.0\.0\.0\n/);
    expect(result.stderr).not.toContain('    at ');
  });

  // Below 1024 without the rights: as root the test drops the one capability that grants them
  // (setpriv, util-linux), still root for reading files; anyone else has none. Where the system
  // lets anyone have low ports (ip_unprivileged_port_start), or is not Linux (no such file; macOS,
  // for one, lets anyone listen below 1024), there is nothing to refuse.
  const lowPortsFree = ((): boolean => {
    try {
      return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) <= 80;
    } catch {
      return true;
    }
  })();
  it.skipIf(lowPortsFree)('says a port below 1024 is the system\'s and which to use, exit 1', async () => {
    const unprivileged = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-net_bind_service', '--inh-caps=-net_bind_service'] : [];
    const result = await runNode(['server/main.ts', '--port', '80'], unprivileged);
    expect(result.stderr).toBe('Port 80 on 127.0.0.1 is reserved for the system: only an administrator may listen on a port below 1024.\nStart Full Duplex on a port above 1023:\n  npm start -- --port 8080\n');
    expect(result.code).toBe(1);
  });

  it('a port it cannot bind leaves nothing running: a program that catches the error ends by itself', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    // Redis refused (port 1) is the case that lingers most: the bus keeps trying, on timers.
    const script = [
      "const { startServer } = await import('./server/app.ts');",
      `try { await startServer({ port: ${port}, redis: 'redis://127.0.0.1:1', logLevel: 'error' }); console.log('started'); }`,
      'catch (error) { console.log(error.constructor.name); }',
    ].join('\n');
    try {
      // Were a timer or a socket left, the child would never exit.
      const result = await runNode(['--input-type=module', '-e', script]);
      expect(result.stdout).toBe('PortBusyError\n');
      expect(result.code).toBe(0);
    } finally {
      blocker.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'starts, logs one-line JSON, answers /health, and on %s closes clients with 1001 and exits 0',
    async (signal) => {
      const { child, url } = await startServerProcess();
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
      expect(health['status']).toBe('ok');
      const client = new WebSocket(`${url.replace('http', 'ws')}/echo`);
      await new Promise((resolve, reject) => {
        client.addEventListener('open', resolve);
        client.addEventListener('error', reject);
      });
      client.send('a secret payload');
      await new Promise((resolve) => client.addEventListener('message', resolve, { once: true }));
      const closed = new Promise<number>((resolve) => client.addEventListener('close', (e) => resolve(e.code)));
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill(signal);
      });
      expect(code).toBe(0);
      expect(await closed).toBe(1001);
      const lines = stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.find((l) => l['msg'] === 'open')).toMatchObject({ level: 'info', conn: 'c1', endpoint: 'echo' });
      expect(lines.find((l) => l['msg'] === 'close')).toMatchObject({ conn: 'c1', code: 1001, how: 'shutdown' });
      expect(stderr).not.toContain('a secret payload');
    },
  );
  it('goes on serving when whoever read its output has gone (`npm start | head`), and on SIGTERM exits 0', async () => {
    const { child, url } = await startServerProcess();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    /** `step`, unless the server exits first: then the test fails at once, saying so. */
    const alive = <T,>(step: Promise<T>): Promise<T> =>
      Promise.race([step, exited.then((code) => Promise.reject(new Error(`the server exited with ${code} while it should serve`)))]);
    // The reader goes: every write the server makes from now on fails with EPIPE.
    child.stdout.destroy();
    child.stderr.destroy();
    // A connection logs its open and close (stderr), twice over, and is served.
    for (const text of ['one', 'two']) {
      const client = new WebSocket(`${url.replace('http', 'ws')}/echo`);
      await alive(
        new Promise((resolve, reject) => {
          client.addEventListener('open', resolve);
          client.addEventListener('error', reject);
        }),
      );
      client.send(text);
      const echoed = await alive(new Promise<unknown>((resolve) => client.addEventListener('message', (e) => resolve(e.data), { once: true })));
      expect(echoed).toBe(text);
      client.close(1000);
      await alive(new Promise((resolve) => client.addEventListener('close', resolve)));
    }
    expect(((await alive(fetch(`${url}/health`).then((r) => r.json()))) as Record<string, unknown>)['status']).toBe('ok');
    // "shutting down" goes to stdout: a failed write there must not turn a clean stop into a crash.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
