import type { ClientEvent } from '../recorder/events.ts';

type RunEnd = Extract<ClientEvent, { kind: 'run-end' }>['reason'];
type Close = Extract<ClientEvent, { kind: 'close' }>;

const ENDED: Record<RunEnd, string> = {
  finished: 'Run finished',
  stopped: 'Run stopped',
  timeout: 'Run stopped: it took too long',
  crashed: 'Run crashed',
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
    const reason = (['crashed', 'timeout', 'stopped', 'finished'] as const).find((r) => reasons.includes(r)) ?? 'finished';
    return endedStatus(reason, this.closes);
  }
}
