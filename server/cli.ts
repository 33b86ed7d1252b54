import { parseArgs } from 'node:util';
import { AUTH_MODES } from '../protocol/chat.ts';
import { LIMITS } from '../protocol/constants.ts';
import { configSchema, type ServerConfig } from './config.ts';

export const USAGE = `Usage: npm start -- [options]
       npm run server -- [options]

Starts the Full Duplex companion server: the built course site and its
WebSocket endpoints on one port.

Options:
  --port <n>              TCP port (default 8080; 0 picks a free port)
  --host <addr>           interface to bind (default 127.0.0.1, this machine only;
                          0.0.0.0 lets other machines in: read the warning)
  --allow-origin <origin> also accept WebSockets from pages of this origin,
                          e.g. http://example.test:3000 (repeatable)
  --allow-host <name>     also accept requests whose Host names this, e.g.
                          my-laptop.lan (repeatable)
  --remote-inspect        with --host beyond loopback, let other machines use
                          /inspect (off by default)
  --remote-token          with --host beyond loopback, let other machines use
                          POST /api/token (off by default)
  --max-payload <bytes>   largest message; bigger closes with 1009 (default ${LIMITS.maxPayload})
  --heartbeat <seconds>   ping interval; a client that misses a pong is
                          terminated; 0 turns it off (default ${LIMITS.heartbeatMs / 1000})
  --auth <mode>           /chat sign-in: ${AUTH_MODES.join(' | ')} (default optional);
                          "required" admits only clients with a token from
                          POST /api/token
  --max-connections <n>   open WebSockets allowed; more get 503 (default ${LIMITS.maxConnections})
  --redis <url>           share broadcast, chat and the feed with the other
                          processes on this Redis, e.g. redis://127.0.0.1:6379
                          (several processes behind a load balancer)
  --site <dir>            built site to serve (default dist/)
  --log <level>           silent | error | info | debug (default info)
  --labs                  allow the lab API (it runs learners' server code)
                          when --host is not loopback; on loopback it is on
  --lua-engine <engine>   embedded | openresty: where Lua labs run (default
                          embedded; openresty needs nginx + lua-nginx-module)
  --classroom             one server for a class (needs --host): learners sign
                          in at /classroom/, each one's runs and labs are theirs,
                          per-learner limits; prints a teacher key for /teacher/
                          (FD_TEACHER_KEY sets it, the same for every process)

Environment:
  FD_TEACHER_KEY          the teacher key (--classroom); 16+ letters, digits, _ or -
  FD_TOKEN_SECRET         the key that signs sign-ins and chat tokens (16+
                          characters): the same for every process of a class
  -h, --help              show this help
`;

export type CliResult =
  | { kind: 'run'; config: ServerConfig }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** Config keys whose flag is spelled differently. */
const flagOf: Record<string, string> = {
  siteDir: 'site',
  logLevel: 'log',
  allowOrigins: 'allow-origin',
  allowHosts: 'allow-host',
  remoteInspect: 'remote-inspect',
  remoteToken: 'remote-token',
  maxPayload: 'max-payload',
  maxConnections: 'max-connections',
  luaEngine: 'lua-engine',
};

/** What --classroom cannot be combined with, said so the teacher knows what to type instead; null when fine. */
export function classroomProblem(values: Record<string, unknown>): string | null {
  if (!values['classroom']) return null;
  if (values['host'] === undefined) {
    return '--classroom serves other machines: add --host 0.0.0.0 (learners connect to this machine directly), or --host 127.0.0.1 --allow-host <the name learners type> behind a TLS proxy (samples/nginx/classroom.conf).';
  }
  if (values['auth'] !== undefined && values['auth'] !== 'required') {
    return `--classroom requires sign-in: drop --auth ${String(values['auth'])} (a class runs as --auth required).`;
  }
  const opened = ['remote-inspect', 'remote-token', 'labs'].filter((flag) => values[flag]);
  if (opened.length > 0) {
    return `--classroom already opens /inspect, POST /api/token and the labs to signed-in learners, each to their own: drop ${opened.map((f) => `--${f}`).join(' and ')}, which would open them to anyone.`;
  }
  return null;
}

/**
 * Lua on real nginx runs with all of LuaJIT (io, os.execute, ffi): fine for the learner's own code
 * on their own machine, not for code from others. So OpenResty is refused where others run labs
 * here; the embedded engine (no files, no processes, an instruction and memory budget) serves them.
 */
export function openRestyProblem(values: Record<string, unknown>): string | null {
  if (values['lua-engine'] !== 'openresty') return null;
  if (values['classroom']) {
    return "--classroom runs every learner's lab code on this machine, and --lua-engine openresty runs it in nginx with nothing kept from it (files, processes, other labs): drop --lua-engine openresty; a class uses the embedded engine.";
  }
  if (values['labs']) {
    return '--labs lets other machines run Lua labs here, and --lua-engine openresty runs their code in nginx with nothing kept from it (files, processes): drop one of the two; OpenResty labs are for this machine\'s own learner.';
  }
  return null;
}

/** argv → config, without side effects, so every bad flag has a test. `env` supplies secrets kept off the command line (FD_TEACHER_KEY). */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        'remote-inspect': { type: 'boolean' },
        'remote-token': { type: 'boolean' },
        labs: { type: 'boolean' },
        'max-payload': { type: 'string' },
        heartbeat: { type: 'string' },
        auth: { type: 'string' },
        'max-connections': { type: 'string' },
        site: { type: 'string' },
        log: { type: 'string' },
        'lua-engine': { type: 'string' },
        classroom: { type: 'boolean' },
        redis: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  // Empty strings would coerce to 0; say they are missing instead.
  const blank = Object.entries(values).find(([, v]) => v === '');
  if (blank) return { kind: 'error', message: `--${blank[0]} needs a value` };
  const problem = classroomProblem(values) ?? openRestyProblem(values);
  if (problem) return { kind: 'error', message: problem };
  const teacherKey = values.classroom ? env['FD_TEACHER_KEY'] || undefined : undefined;
  // Several processes of one class must verify each other's sign-ins and chat tokens.
  const tokenSecret = env['FD_TOKEN_SECRET'] || undefined;
  const result = configSchema.safeParse({
    port: values.port,
    host: values.host,
    siteDir: values.site,
    logLevel: values.log,
    allowOrigins: values['allow-origin'],
    allowHosts: values['allow-host'],
    remoteInspect: values['remote-inspect'],
    remoteToken: values['remote-token'],
    labs: values.labs,
    maxPayload: values['max-payload'],
    heartbeat: values.heartbeat,
    auth: values.auth,
    maxConnections: values['max-connections'],
    luaEngine: values['lua-engine'],
    classroom: values.classroom,
    teacherKey,
    tokenSecret,
    redis: values.redis,
  });
  if (!result.success) {
    const message = result.error.issues
      .map((issue) => {
        const key = String(issue.path[0] ?? '');
        if (key === 'teacherKey') return `FD_TEACHER_KEY: ${issue.message}`;
        if (key === 'tokenSecret') return 'FD_TOKEN_SECRET: must be at least 16 characters';
        const flag = flagOf[key] ?? key;
        let given = (values as Record<string, unknown>)[flag];
        if (Array.isArray(given) && typeof issue.path[1] === 'number') given = given[issue.path[1]];
        // A Redis URL's password is not repeated, not even in an error.
        if (key === 'redis' && typeof given === 'string') given = given.replace(/:[^:@/]*@/, ':***@');
        return `--${flag} ${JSON.stringify(given)}: ${issue.message}`;
      })
      .join('\n');
    return { kind: 'error', message };
  }
  return { kind: 'run', config: result.data };
}

/** Prints what parseCli decided and exits where the process must end. */
export function configFromArgvOrExit(argv: readonly string[]): ServerConfig {
  const cli = parseCli(argv, process.env);
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
