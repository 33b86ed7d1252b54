import { z } from 'zod';

/**
 * Classroom mode (`npm start -- --classroom`): one companion for a class.
 * Learners sign in with a name and get a cookie that names them to every
 * request; the teacher holds a key printed at start-up. Paths, cookie names,
 * limits and the shapes the teacher's page and the sign-in page read are here.
 */

export const CLASSROOM_PATHS = {
  /** POST {"name"}: signs a learner in (sets the learner cookie); DELETE signs out. */
  signIn: '/api/classroom/sign-in',
  /** GET: is this a classroom, and who am I? */
  me: '/api/classroom/me',
  /** POST {"key"}: the teacher key, checked, is traded for the teacher cookie (a signed session that expires, never the key); DELETE forgets it. */
  teacherSession: '/api/teacher/session',
  /** GET: who is connected (teacher only). */
  learners: '/api/teacher/learners',
  /** The pages: where learners sign in, and the teacher's. */
  signInPage: '/classroom/',
  teacherPage: '/teacher/',
} as const;

/** Cookies: HttpOnly (page scripts and learner code cannot read them), SameSite=Strict (other sites cannot use them). */
export const CLASSROOM_COOKIES = { learner: 'fd-learner', teacher: 'fd-teacher' } as const;

/** Who made a request, as the server decided from its cookie or Authorization header. */
export type Identity = { kind: 'teacher' } | { kind: 'learner'; id: string; name: string };

/** The owner of a teacher's connections in the inspector and the roster. */
export const TEACHER_OWNER = 'teacher';

/** The key an identity's runs, labs and limits are filed under. */
export function ownerOf(identity: Identity): string {
  return identity.kind === 'teacher' ? TEACHER_OWNER : identity.id;
}

/**
 * Per-learner limits, so one learner cannot starve the room, and the room's
 * totals, which are larger than a one-person companion's.
 */
export const CLASSROOM_LIMITS = {
  /** Open WebSockets (companion endpoints and /inspect) per learner; one more gets 429. */
  connectionsPerLearner: 32,
  /** Running lab servers per learner; one more gets 429. */
  labsPerLearner: 2,
  /** Running lab servers in the whole class. */
  labsTotal: 64,
  /** Messages per second one learner may send over all their connections, sustained… */
  messagesPerSecond: 200,
  /** …and in a burst; past it the connection that sent is closed with 1008. */
  messagesBurst: 1_000,
  /** /inspect subscribers in the whole class (each learner's diagrams, the teacher's). */
  inspectors: 1_024,
  /** How long a sign-in lasts: a whole teaching day. */
  sessionSeconds: 12 * 3600,
  /**
   * Learners one process remembers. Past it, the longest-unseen learners with
   * nothing open make room; when none can, a sign-in gets 503. (A script that
   * signs in again and again must not grow the server without end.)
   */
  learners: 1_000,
} as const;

/** A learner's name as the teacher will read it: letters, digits, spaces, `.`, `'`, `-`, `_`. */
export const LEARNER_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,39}$/u;

export const signInRequestSchema = z.object({
  name: z
    .string()
    .transform((s) => s.trim().replace(/\s+/g, ' '))
    .pipe(z.string().regex(LEARNER_NAME_PATTERN, 'a name of 1 to 40 letters, digits, spaces, ".", "\'", "-" or "_", starting with a letter or digit')),
});

export const learnerSchema = z.object({ id: z.string(), name: z.string() });
export type Learner = z.infer<typeof learnerSchema>;

export const meResponseSchema = z.object({
  classroom: z.boolean().describe('True when the companion runs with --classroom.'),
  learner: learnerSchema.nullable().describe('Who this browser is signed in as, or null.'),
  teacher: z.boolean().describe('True when this browser holds a teacher session (or the request sent the teacher key).'),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

export const rosterRunSchema = z.object({
  tag: z.string().describe('The run\'s inspector tag (a playground run, a lab\'s clients).'),
  lastSeen: z.number().describe('Server time of its last connection, ms since the epoch.'),
  open: z.number().int().describe('Its connections open now.'),
});

export const rosterLearnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  signedInAt: z.number(),
  lastSeen: z.number(),
  connections: z.record(z.string(), z.number().int()).describe('Open WebSockets per endpoint.'),
  runs: z.array(rosterRunSchema).describe('Newest first, at most 5.'),
  labs: z.array(z.object({ id: z.string(), lab: z.string().nullable(), engine: z.string() })),
});
export type RosterLearner = z.infer<typeof rosterLearnerSchema>;

export const rosterSchema = z.object({
  now: z.number(),
  learners: z.array(rosterLearnerSchema).describe('Every learner signed in since the server started, connected ones first.'),
});
export type Roster = z.infer<typeof rosterSchema>;

/** Runs the roster keeps per learner. */
export const ROSTER_RUNS = 5;
