import { PortBusyError, startServer } from './app.ts';
import { configFromArgvOrExit } from './cli.ts';

/** CLI entry: argv → config → start; signals → graceful shutdown. */
export async function main(argv: readonly string[]): Promise<void> {
  const config = configFromArgvOrExit(argv);
  let server;
  try {
    server = await startServer(config);
  } catch (error) {
    if (error instanceof PortBusyError) {
      process.stderr.write(
        `${error.message}\n` +
          `Stop that program, or start Full Duplex on another port:\n` +
          `  npm start -- --port ${error.port === 65535 ? 8081 : error.port + 1}\n` +
          `(lessons assume 8080; on another port, change ws://localhost:8080 in the examples to match)\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  process.stdout.write(`\nFull Duplex is running at ${server.url}\nPress Ctrl+C to stop.\n\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down…\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.main) {
  await main(process.argv.slice(2));
}
