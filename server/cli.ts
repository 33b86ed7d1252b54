import { parseArgs } from 'node:util';
import { configSchema, type ServerConfig } from './config.ts';

export const USAGE = `Usage: npm start -- [options]
       npm run server -- [options]

Starts the Full Duplex companion server: the built course site and its
WebSocket endpoints on one port.

Options:
  --port <n>       TCP port (default 8080; 0 picks a free port)
  --host <addr>    interface to bind (default 127.0.0.1, this machine only)
  --site <dir>     built site to serve (default dist/)
  --log <level>    silent | error | info | debug (default info)
  -h, --help       show this help
`;

export type CliResult =
  | { kind: 'run'; config: ServerConfig }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** argv → config, without side effects, so every bad flag has a test. */
export function parseCli(argv: readonly string[]): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        site: { type: 'string' },
        log: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  const result = configSchema.safeParse({
    port: values.port,
    host: values.host,
    siteDir: values.site,
    logLevel: values.log,
  });
  if (!result.success) {
    const flagOf: Record<string, string> = { siteDir: 'site', logLevel: 'log' };
    const message = result.error.issues
      .map((issue) => {
        const key = String(issue.path[0] ?? '');
        const flag = flagOf[key] ?? key;
        const given = (values as Record<string, unknown>)[flag];
        return `--${flag} ${JSON.stringify(given)}: ${issue.message}`;
      })
      .join('\n');
    return { kind: 'error', message };
  }
  return { kind: 'run', config: result.data };
}

/** Prints what parseCli decided and exits where the process must end. */
export function configFromArgvOrExit(argv: readonly string[]): ServerConfig {
  const cli = parseCli(argv);
  if (cli.kind === 'help') {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (cli.kind === 'error') {
    process.stderr.write(`Error: ${cli.message}\n\n${USAGE}`);
    process.exit(2);
  }
  return cli.config;
}

