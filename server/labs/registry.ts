import type { Clock } from '../core/clock.ts';
import type { LabServer } from './engine.ts';

export interface LabEntry {
  id: string;
  server: LabServer;
  /** The lab definition it was started for, if any. */
  lab: string | null;
  lastActive: number;
  /** It ended by itself (crash, watchdog): kept, so its log still says why, until deleted or reaped. */
  ended: boolean;
}

/**
 * The running lab servers: a cap on how many, and the idle reaper's rule.
 * No timers or I/O here: the API calls sweep() on its own schedule, with the
 * clock it was given, so a test moves time by hand.
 */
export class LabRegistry {
  private readonly entries = new Map<string, LabEntry>();
  private readonly now: Clock;
  private readonly max: number;
  private readonly idleMs: number;

  constructor(options: { now: Clock; max: number; idleMs: number }) {
    this.now = options.now;
    this.max = options.max;
    this.idleMs = options.idleMs;
  }

  /** Servers still running: the ones the cap counts. */
  get size(): number {
    let n = 0;
    for (const entry of this.entries.values()) if (!entry.ended) n += 1;
    return n;
  }

  get full(): boolean {
    return this.size >= this.max;
  }

  add(id: string, server: LabServer, lab: string | null): LabEntry {
    const entry: LabEntry = { id, server, lab, lastActive: this.now(), ended: false };
    this.entries.set(id, entry);
    void server.ended.then(() => {
      entry.ended = true;
    });
    return entry;
  }

  get(id: string): LabEntry | undefined {
    const entry = this.entries.get(id);
    if (entry) entry.lastActive = this.now();
    return entry;
  }

  remove(id: string): LabEntry | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  /** Removes and returns the servers idle for idleMs: no connection, no API call. Open connections count as activity. */
  sweep(): LabEntry[] {
    const now = this.now();
    const idle: LabEntry[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.ended && entry.server.connections > 0) entry.lastActive = now;
      else if (now - entry.lastActive >= this.idleMs) idle.push(entry);
    }
    for (const entry of idle) this.entries.delete(entry.id);
    return idle;
  }

  all(): LabEntry[] {
    return [...this.entries.values()];
  }
}
