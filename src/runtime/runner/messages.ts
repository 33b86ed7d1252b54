import type { ClientEvent } from '../recorder/events.ts';

/** Page → sandbox: the one message a sandbox ever gets. */
export interface RunMessage {
  type: 'run';
  /** The playground client this sandbox plays, e.g. "alice"; the code sees it as `clientName`. */
  client: string;
  /** JavaScript, already wrapped by wrapLearnerCode. */
  code: string;
  /** HTTP origin of the companion server. */
  companion: string;
  tag: string;
  /** performance.timeOrigin + performance.now() on the page when the run started. */
  startedAt: number;
  /** Read-only globals the code sees besides `clientName`, e.g. a server lab's `LAB_URL`. */
  globals?: Readonly<Record<string, string>>;
}

/**
 * Sandbox → page. `uncaught` events carry positions in the wrapped code
 * (see errors.ts); the page maps them to the learner's lines.
 */
export type SandboxMessage = { type: 'event'; event: ClientEvent } | { type: 'idle' };
