import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLASSROOM_PATHS } from '../../../protocol/classroom.ts';
import { open, refused, withTimeout } from '../server/helpers.ts';

/**
 * `npm start -- --classroom` as a process: a bad combination exits 2 with a
 * sentence saying what to type; a good one prints the teacher key once, and
 * the key appears nowhere else in its output however it is used (debug log on).
 */
const root = new URL('../../../', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['server/main.ts', ...args], { cwd: root, env: { ...process.env, FD_TEACHER_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each test starts node: on a loaded machine that alone took over 20 s (a bound, not a budget).
describe('npm start -- --classroom', { timeout: 60_000 }, () => {
  it('without --host: exit 2, and what to type instead', async () => {
    const result = await run(['--classroom']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error: --classroom serves other machines: add --host 0\.0\.0\.0 \(learners connect to this machine directly\), or --host 127\.0\.0\.1 --allow-host <the name learners type> behind a TLS proxy/);
  });

  it('with --auth optional: exit 2', async () => {
    const result = await run(['--classroom', '--host', '0.0.0.0', '--auth', 'optional']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--classroom requires sign-in: drop --auth optional');
  });

  it('prints the learners\' address, the teacher page and the key once; the key is never logged after', async () => {
    const child = spawn(process.execPath, ['server/main.ts', '--classroom', '--host', '127.0.0.1', '--allow-host', 'class.example.lan', '--port', '0', '--log', 'debug', '--site', '/nonexistent/'], {
      cwd: root,
      env: { ...process.env, FD_TEACHER_KEY: '' },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const started = await withTimeout(
      new Promise<{ key: string; port: number }>((resolve, reject) => {
        child.stdout.on('data', () => {
          const key = /Teacher key \(shown once; keep it off the projector\): ([A-Za-z0-9_-]+)\n/.exec(output)?.[1];
          const port = /Your page \(list who is connected, watch a run\): http:\/\/localhost:(\d+)\/teacher\//.exec(output)?.[1];
          if (key && port) resolve({ key, port: Number(port) });
        });
        child.on('exit', () => reject(new Error(`exited early:\n${output}`)));
      }),
      'the banner',
      20_000,
    );
    expect(output).toContain('  Give learners one of these addresses:\n    https://class.example.lan/classroom/\n');
    expect(output).not.toContain('fd-key');
    const base = `http://127.0.0.1:${started.port}`;
    // The key used every way it can be: refused and traded for a session cookie, as a Bearer, on /inspect
    // (with the session cookie, and as the cookie itself, which is refused).
    await fetch(`${base}${CLASSROOM_PATHS.teacherSession}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: `${started.key}x` }) });
    const session = await fetch(`${base}${CLASSROOM_PATHS.teacherSession}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: started.key }) });
    expect(session.status).toBe(204);
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^fd-teacher=[\w-]+\.[\w-]+$/);
    expect((await fetch(`${base}${CLASSROOM_PATHS.learners}`, { headers: { authorization: `Bearer ${started.key}` } })).status).toBe(200);
    const inspector = await open(`ws://127.0.0.1:${started.port}/inspect`, { headers: { cookie } });
    inspector.ws.close();
    await inspector.closeCode();
    expect((await refused(`ws://127.0.0.1:${started.port}/inspect`, { headers: { cookie: `fd-teacher=${started.key}` } })).status).toBe(401);
    child.kill('SIGTERM');
    await withTimeout(exited, 'the exit', 10_000);
    expect(output.split(started.key).length - 1).toBe(1);
  }, 60_000);
});
