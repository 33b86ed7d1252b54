import { networkInterfaces } from 'node:os';
import { INSPECT_KEY_PARAM } from '../protocol/endpoints.ts';
import { classroomBanner, learnerOrigins } from './classroom/banner.ts';
import type { RunningServer } from './app.ts';
import { configFromArgvOrExit } from './cli.ts';
import { isLoopbackOnly } from './config.ts';

/** What `npm start` prints: where to go, the inspector key and, beyond loopback, what that exposes. */
export function banner(
  server: Pick<RunningServer, 'url' | 'urls' | 'port' | 'inspectorKey' | 'config'> & { teacherKey?: string | null },
  interfaces: Parameters<typeof learnerOrigins>[2] = networkInterfaces(),
): string {
  const lines = ['', `Full Duplex is running at ${server.url}`];
  if (server.teacherKey) {
    lines.push(
      ...classroomBanner({
        origins: learnerOrigins(server.config.host, server.port, interfaces, server.config.allowHosts),
        localUrl: `http://localhost:${server.port}`,
        teacherKey: server.teacherKey,
        behindProxy: isLoopbackOnly(server.config),
      }),
      'Press Ctrl+C to stop.',
      '',
      '',
    );
    return lines.join('\n');
  }
  if (!isLoopbackOnly(server.config)) {
    lines[1] = 'Full Duplex is running at:';
    for (const url of server.urls) lines.push(`  ${url}`);
    const closed = [
      server.config.remoteInspect ? null : '/inspect (--remote-inspect)',
      server.config.remoteToken ? null : 'POST /api/token (--remote-token)',
      server.config.labs ? null : 'the labs (--labs)',
    ].filter(Boolean);
    lines.push(
      '',
      `WARNING: listening on ${server.config.host}, so other machines on your network can reach this server:`,
      '  the course, its WebSocket endpoints and the chat. Use it only on a network you trust.',
      closed.length ? `  Kept to this machine: ${closed.join(', ')}.` : '  /inspect, POST /api/token and the labs are open to them too.',
      '  Requests must name this machine in Host; add other names with --allow-host.',
    );
  }
  lines.push(
    `Inspector key (watch every connection): ws://localhost:${server.port}/inspect?${INSPECT_KEY_PARAM}=${server.inspectorKey}`,
    'Press Ctrl+C to stop.',
    '',
    '',
  );
  return lines.join('\n');
}

/** CLI entry: argv → config → start; signals → graceful shutdown. */
export async function main(argv: readonly string[]): Promise<void> {
  // Output piped to a reader that has gone (`npm start | head`, a closed terminal): each write fails with
  // EPIPE, emitted on the stream, which with no listener ended the server at its next log line. It goes on, silent.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const config = configFromArgvOrExit(argv);
  // The server's modules load once the flags are known good: a mistyped flag is answered at once (0.2 s
  // of CPU, where loading them first took 0.85 s, and over 20 s on a loaded machine).
  const { ListenError, startServer } = await import('./app.ts');
  let server;
  try {
    server = await startServer(config);
  } catch (error) {
    if (error instanceof ListenError) {
      process.stderr.write(`${error.message}\n${error.advice}\n`);
      process.exit(1);
    }
    throw error;
  }
  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${why}: shutting down…\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  stopWithParent(() => stop('parent process exited'));
  // Last: whoever waits for the banner may signal us, or its parent, the moment it appears.
  process.stdout.write(banner(server));
}

/**
 * Who started this process, read as this module loads: compared with the parent of the moment,
 * a parent gone before stopWithParent is called is still noticed. (Read at the call, it was not:
 * npm killed while the server printed its banner left node running, re-parented, holding the port.)
 */
const startedBy = process.ppid;

/**
 * `npm start` runs `sh -c "node …"`: a SIGTERM to npm (a process manager, a
 * container stop) ends npm and the shell, which does not pass the signal on,
 * and node is left orphaned holding the port. An orphan is re-parented, so a
 * changed parent id means whoever started us is gone: stop as if signalled.
 */
export function stopWithParent(stop: () => void, everyMs = 250, parent = startedBy): () => void {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

if (import.meta.main) {
  await main(process.argv.slice(2));
}
