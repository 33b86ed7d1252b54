import type { ClientEvent } from '../recorder/events.ts';

type RunEnd = Extract<ClientEvent, { kind: 'run-end' }>['reason'];
type Close = Extract<ClientEvent, { kind: 'close' }>;

const ENDED: Record<RunEnd, string> = {
  finished: 'Run finished',
  stopped: 'Run stopped',
  timeout: 'Run stopped: it took too long',
  crashed: 'Run crashed',
  left: 'Run stopped when you left the page',
};

/**
 * The live diagram's status line once a run has ended: how it ended, and how
 * its connections closed as the browser reported them, counted by code, e.g.
 * "Run finished: 3 connections closed with 1000 (clean)."
 */
export function endedStatus(reason: RunEnd, closes: readonly Pick<Close, 'code' | 'wasClean'>[]): string {
  const groups = new Map<string, number>();
  for (const c of closes) {
    const key = `${c.code} (${c.wasClean ? 'clean' : 'not clean'})`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  if (groups.size === 0) return `${ENDED[reason]}: no connection closed during the run.`;
  const parts = [...groups].map(([how, n]) => `${n} connection${n === 1 ? '' : 's'} closed with ${how}`);
  return `${ENDED[reason]}: ${parts.join(', ')}.`;
}

/** What a live diagram draws: a playground's run, or a server lab's check (its clients against the learner's server). */
export type DiagramSource = 'playground' | 'lab' | 'learner';

/**
 * The status line once something is known about the run. Why the inspector failed (in a class:
 * "sign in at …") says what to do, so it stays when the run then ends: the refused run's own
 * end ("closed with 1006") says only what happened, and whichever of the two came last used to
 * win, which depended on how fast the page fetched the reason.
 */
export function settledStatus(state: { inspectorProblem: string | null; ended: string | null; running: string }): string {
  return state.inspectorProblem ?? state.ended ?? state.running;
}

/** The status line before the first run, and while one is drawn. */
export const DIAGRAM_STATUS: Record<DiagramSource, { waiting: string; running: string }> = {
  playground: {
    waiting: 'Run the playground above: every frame between it and the server appears here.',
    running: 'Drawing this run as it happens.',
  },
  learner: {
    waiting: 'Press Watch beside a learner: their newest run appears here, and each run after it.',
    running: "Drawing the learner's run: what their browser and the server said, as it happened.",
  },
  lab: {
    waiting: "Run the lab above: its check's clients connect to your server, and every frame between them appears here.",
    running: "Drawing as it happens: the check's clients, or your own client, are talking to your server.",
  },
};

/**
 * The status line when the page came back from the back-forward cache with a run that had not
 * ended: leaving the page ended it. (The teacher's diagram watches the learner's run again instead.)
 */
export const LEFT_STATUS: Record<Exclude<DiagramSource, 'learner'>, string> = {
  playground: 'You left the page, which stopped this run: the diagram shows it up to then.',
  lab: 'You left the page, which stopped your server: the diagram shows what happened up to then.',
};

const LAB_ENDED: Record<RunEnd, string> = {
  finished: 'Check finished: every frame between its clients and your server is drawn below; the verdict is in the lab above.',
  stopped: 'Check stopped: your server was stopped before the check finished.',
  timeout: 'Check stopped: it took too long.',
  crashed: "Check ended early: your server did not run it through (the lab's status above says why).",
  left: 'Check stopped: you left the page, which stopped your server. Press Run to check it again.',
};

/** A server lab's status line once its check has ended (the lab reports one run-end per check). */
export function labEndedStatus(reason: RunEnd): string {
  return LAB_ENDED[reason];
}

/** The parts of a server lab's state that tell whether its check has ended. */
export interface LabProgress {
  phase: 'idle' | 'starting' | 'checking' | 'running' | 'stopping' | 'stopped' | 'left';
  verdict: unknown;
  syntax: unknown;
  problem: string | null;
  /** The lab server ended by itself (a crash, a watchdog). */
  ended?: boolean;
}

/**
 * How a lab's check ended, or null while it has not: a verdict is the end of
 * a check; a stop, a syntax error or a problem before one ends it early.
 */
export function labRunEnd(state: LabProgress): RunEnd | null {
  if (state.verdict !== null) return 'finished';
  if (state.phase === 'starting' || state.phase === 'checking') return null;
  // Stop pressed: the check's clients are over whether or not the companion has answered the DELETE yet.
  if (state.phase === 'stopping' || state.phase === 'stopped') return 'stopped';
  if (state.phase === 'left') return 'left';
  if (state.syntax !== null || state.problem !== null || state.ended === true) return 'crashed';
  return null;
}

/**
 * Follows a run's client events to tell when every client has ended: a run
 * with several clients ends with one run-end per client.
 */
export class RunTracker {
  readonly #clients = new Set<string>();
  readonly #ended = new Map<string, RunEnd>();
  readonly closes: Close[] = [];

  /** Returns the status line when this event ends the run, else null. */
  add(event: ClientEvent): string | null {
    this.#clients.add(event.client);
    if (event.kind === 'close') this.closes.push(event);
    if (event.kind !== 'run-end') return null;
    this.#ended.set(event.client, event.reason);
    if ([...this.#clients].some((c) => !this.#ended.has(c))) return null;
    // The worst reason wins: a crash or a timeout in one client is the run's story.
    const reasons = [...this.#ended.values()];
    const reason = (['crashed', 'timeout', 'left', 'stopped', 'finished'] as const).find((r) => reasons.includes(r)) ?? 'finished';
    return endedStatus(reason, this.closes);
  }
}
