import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { AUTH_MODES } from '../protocol/chat.ts';
import { CLASSROOM_LIMITS } from '../protocol/classroom.ts';
import { LIMITS } from '../protocol/constants.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../protocol/endpoints.ts';
import { canonicalHostname, isLoopbackAddress, isLoopbackName, normalizeOrigin } from './core/origin.ts';

const defaultSiteDir = fileURLToPath(new URL('../dist/', import.meta.url));

const count = (what: string) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, `must be at least 1 ${what}`);

/**
 * Every option of the companion server with its default. The CLI, the tests and
 * `npm start` all build a config through this schema, so a default lives here only.
 */
export const configSchema = z
  .object({
    port: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 to 65535')
      .max(65535, 'must be 0 to 65535')
      .default(DEFAULT_PORT)
      .describe('TCP port to listen on; 0 picks a free one.'),
    host: z
      .string()
      .min(1)
      .default(DEFAULT_HOST)
      .describe('Interface to bind. Loopback by default: the server is for this machine only.'),
    siteDir: z
      .string()
      .default(defaultSiteDir)
      .describe('Folder of the built site to serve (the output of `astro build`).'),
    logLevel: z
      .enum(['silent', 'error', 'info', 'debug'])
      .default('info')
      .describe('Least severe log line to print.'),
    allowOrigins: z
      .array(
        z.string().refine((o) => normalizeOrigin(o) === o.replace(/\/$/, ''), {
          error: 'must be an origin such as http://example.test:3000 (scheme, host, optional port, nothing else)',
        }),
      )
      .default([])
      .describe('Origins allowed besides no Origin, the server\'s own and the dev server\'s (http://localhost:4321).'),
    allowHosts: z
      .array(
        z.string().refine((h) => canonicalHostname(h) !== null && !/[:/]/.test(h.replace(/^\[.*\]$/, '')), {
          error: 'must be a host name or address such as my-laptop.lan or 192.168.1.5 (no scheme, no port)',
        }),
      )
      .default([])
      .describe('Host names a request may use besides loopback and, when bound beyond loopback, this machine\'s own names and addresses.'),
    remoteInspect: z
      .boolean()
      .default(false)
      .describe('Bound beyond loopback: let other machines use /inspect (off: 403 for them).'),
    remoteToken: z
      .boolean()
      .default(false)
      .describe('Bound beyond loopback: let other machines use POST /api/token (off: 403 for them).'),
    labs: z
      .boolean()
      .default(false)
      .describe('Bound beyond loopback: let other machines use the Lua labs (/labs/…, /api/labs); on loopback they are always on.'),
    inspectorKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16 to 128 letters, digits, "_" or "-"')
      .optional()
      .describe('Key that lets /inspect watch untagged connections; by default a random one per process, printed at start-up.'),
    maxPayload: count('byte')
      .max(16 * 1024 * 1024, 'must be at most 16777216 (16 MiB)')
      .default(LIMITS.maxPayload)
      .describe('Largest message in bytes; a bigger one closes the connection with 1009.'),
    heartbeat: z.coerce
      .number({ error: 'must be a number' })
      .min(0, 'must be 0 (off) or more seconds')
      .max(3600, 'must be at most 3600 seconds')
      .default(LIMITS.heartbeatMs / 1000)
      .describe('Seconds between pings; a client that has not answered the previous ping is terminated. 0 turns it off.'),
    auth: z
      .enum(AUTH_MODES, { error: `must be one of ${AUTH_MODES.join(', ')}` })
      .default('optional')
      .describe('/chat: "optional" admits anyone by name; "required" only clients with a valid token.'),
    maxConnections: count('connection')
      .default(LIMITS.maxConnections)
      .describe('Open WebSocket connections allowed; one more is refused with 503.'),
    slowConsumerBytes: count('byte')
      .default(LIMITS.slowConsumerBytes)
      .describe('Unsent bytes on one connection past which it is a slow consumer.'),
    slowConsumerGrace: z.coerce
      .number()
      .min(0)
      .default(LIMITS.slowConsumerGraceSeconds)
      .describe('Seconds a slow consumer may stay slow before it is closed with 1013.'),
    rateLimit: z
      .object({
        perSecond: z.number().positive().default(LIMITS.rateLimitPerSecond).describe('Sustained messages per second.'),
        burst: z.number().int().positive().default(LIMITS.rateLimitBurst).describe('Messages allowed in a burst.'),
        abuse: z.number().int().positive().default(LIMITS.rateLimitAbuse).describe('Refusals tolerated before 1008.'),
      })
      .prefault({})
      .describe('Per-connection rate limit on /chat and /broadcast.'),
    chatJoins: z
      .object({
        perSecond: z.number().positive().default(LIMITS.chatJoinsPerSecond).describe('Sustained /chat joins per second from one address.'),
        burst: z.number().int().positive().default(LIMITS.chatJoinsBurst).describe('/chat joins allowed in a burst from one address.'),
      })
      .prefault({})
      .describe('Per-address limit on /chat joins (each join sends history and tells every member); over it the handshake gets 429.'),
    tokenTtl: z.number().positive().default(LIMITS.tokenTtlSeconds).describe('Seconds a chat token stays valid.'),
    tokenSecret: z
      .string()
      .min(16)
      .optional()
      .describe('HMAC key for chat tokens; by default a random one per process, so restarts invalidate tokens.'),
    classroom: z
      .boolean()
      .default(false)
      .describe('One companion for a class: sign-in required everywhere, each learner\'s runs and labs their own, a teacher key, per-learner limits.'),
    teacherKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16 to 128 letters, digits, "_" or "-"')
      .optional()
      .describe('Classroom mode: the teacher key; by default a random one per process, printed once at start-up. Give the same one (FD_TEACHER_KEY) to every process of a class.'),
    classroomLimits: z
      .object({
        connectionsPerLearner: count('connection').default(CLASSROOM_LIMITS.connectionsPerLearner),
        labsPerLearner: count('lab').default(CLASSROOM_LIMITS.labsPerLearner),
        labsTotal: count('lab').default(CLASSROOM_LIMITS.labsTotal),
        messagesPerSecond: z.number().positive().default(CLASSROOM_LIMITS.messagesPerSecond),
        messagesBurst: count('message').default(CLASSROOM_LIMITS.messagesBurst),
        inspectors: count('inspector').default(CLASSROOM_LIMITS.inspectors),
        sessionSeconds: z.number().positive().default(CLASSROOM_LIMITS.sessionSeconds),
        learners: count('learner').default(CLASSROOM_LIMITS.learners),
      })
      .prefault({})
      .describe('Classroom mode: what one learner may hold and send, and the class\'s totals.'),
    redis: z
      .string()
      .refine((url) => URL.canParse(url) && /^rediss?:$/.test(new URL(url).protocol), {
        error: 'must be a Redis URL such as redis://127.0.0.1:6379 (redis:// or rediss://)',
      })
      .optional()
      .describe('Share broadcast, chat and the feed with the other companion processes on this Redis (several processes behind a load balancer).'),
    luaEngine: z
      .enum(['embedded', 'openresty'], { error: 'must be embedded or openresty' })
      .default('embedded')
      .describe('Runs Lua labs on the embedded Lua 5.4 (WebAssembly) or on Debian\'s nginx with lua-nginx-module.'),
  })
  .strict()
  // A class signs in: /chat takes tokens only, whatever --auth said (the CLI refuses --auth optional with it).
  .transform((config) => (config.classroom ? { ...config, auth: 'required' as const } : config));

export type ServerConfig = z.infer<typeof configSchema>;
export type ServerOptions = z.input<typeof configSchema>;

export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  return configSchema.parse(options);
}

/** What a server bound beyond loopback keeps from other machines unless a flag opens it. */
export type LocalFeature = 'inspect' | 'token' | 'labs';

const featureFlag: Record<LocalFeature, 'remoteInspect' | 'remoteToken' | 'labs'> = {
  inspect: 'remoteInspect',
  token: 'remoteToken',
  labs: 'labs',
};

/** True when the server listens on a loopback address: only this machine can reach it. */
export function isLoopbackOnly(config: Pick<ServerConfig, 'host'>): boolean {
  return isLoopbackName(config.host);
}

/**
 * May a request from `remoteAddress` (req.socket.remoteAddress) use `feature`?
 * Always from this machine; from another only when its flag (`--remote-inspect`,
 * `--remote-token`, `--labs`) is on. A caller answers false with 403.
 */
export function featureAllowed(
  config: Pick<ServerConfig, 'remoteInspect' | 'remoteToken' | 'labs'> & { classroom?: boolean },
  feature: LocalFeature,
  remoteAddress: string | undefined,
): boolean {
  // Classroom mode opens them to everyone signed in: the callers check who (server/classroom/).
  if (config.classroom) return true;
  return isLoopbackAddress(remoteAddress) || config[featureFlag[feature]];
}
