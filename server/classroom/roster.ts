import { randomBytes } from 'node:crypto';
import { CLASSROOM_LIMITS, ROSTER_RUNS, type Identity, type Roster as RosterJson, type RosterLearner } from '../../protocol/classroom.ts';
import type { Clock } from '../core/clock.ts';
import { TokenBucket } from '../core/token-bucket.ts';

export interface RosterLimits {
  connectionsPerLearner: number;
  labsPerLearner: number;
  messagesPerSecond: number;
  messagesBurst: number;
  /** Learners remembered at most (CLASSROOM_LIMITS.learners when not given). */
  learners?: number;
}

interface Entry {
  id: string;
  name: string;
  signedInAt: number;
  lastSeen: number;
  /** Open connections: id → endpoint. */
  connections: Map<string, string>;
  /** Run tag → last seen and open connections; newest last. */
  runs: Map<string, { lastSeen: number; open: number }>;
  labs: Map<string, { lab: string | null; engine: string }>;
  /** Labs admitted and still starting (compiling, booting): they count against the limit too. */
  starting: number;
  messages: TokenBucket;
}

/** A connection's run: the tag's first part (`<run>.<client>` → `<run>`). */
export function runOf(tag: string): string {
  const dot = tag.indexOf('.');
  return dot === -1 ? tag : tag.slice(0, dot);
}

export type Refusal = { status: number; error: string; message: string };

/**
 * Who is in the class and what each learner holds: connections, runs, labs,
 * and their message budget. No I/O: the transport and the lab API call it as
 * things open and close, with the clock they were given, so tests move time by hand.
 * The teacher's own connections are limited like a learner's but not listed.
 */
export class Roster {
  private readonly learners = new Map<string, Entry>();
  private readonly teacher: Entry;
  private readonly now: Clock;
  private readonly limits: RosterLimits;
  private readonly newId: () => string;

  constructor(options: { now: Clock; limits: RosterLimits; newId?: () => string }) {
    this.now = options.now;
    this.limits = options.limits;
    this.newId = options.newId ?? (() => randomBytes(8).toString('hex'));
    this.teacher = this.entry('teacher', 'teacher');
  }

  private entry(id: string, name: string): Entry {
    const at = this.now();
    return {
      id,
      name,
      signedInAt: at,
      lastSeen: at,
      connections: new Map(),
      runs: new Map(),
      labs: new Map(),
      starting: 0,
      messages: new TokenBucket(this.limits.messagesBurst, this.limits.messagesPerSecond, this.now),
    };
  }

  /**
   * Signs a learner in by name. The same browser signing in again (its old
   * id still valid) keeps its id, so its runs and labs stay its own. A name
   * another learner holds while connected is refused: the teacher must be able
   * to tell learners apart.
   */
  signIn(name: string, current: { id: string; name: string } | null): { ok: true; id: string; name: string } | { ok: false } & Refusal {
    if (current && this.learners.has(current.id)) {
      const mine = this.learners.get(current.id) as Entry;
      if (mine.name === name) return { ok: true, id: mine.id, name };
    }
    const lower = name.toLowerCase();
    for (const other of this.learners.values()) {
      if (other.id !== current?.id && other.name.toLowerCase() === lower && other.connections.size > 0) {
        return { ok: false, status: 409, error: 'name_taken', message: `Someone in this class is already signed in as "${name}": add an initial or a number, e.g. "${name} B".` };
      }
    }
    const id = current && this.learners.has(current.id) ? current.id : this.newId();
    const existing = this.learners.get(id);
    if (existing) existing.name = name;
    else {
      if (!this.makeRoom()) {
        return { ok: false, status: 503, error: 'class_full', message: `This class's server already holds ${this.capacity} learners, all with something open: ask your teacher.` };
      }
      this.learners.set(id, this.entry(id, name));
    }
    return { ok: true, id, name };
  }

  private get capacity(): number {
    return this.limits.learners ?? CLASSROOM_LIMITS.learners;
  }

  /** Room for one more learner: forgets the longest-unseen learner with nothing open if the roster is full. */
  private makeRoom(): boolean {
    if (this.learners.size < this.capacity) return true;
    let idlest: Entry | null = null;
    for (const entry of this.learners.values()) {
      if (entry.connections.size > 0 || entry.labs.size > 0) continue;
      if (!idlest || entry.lastSeen < idlest.lastSeen) idlest = entry;
    }
    if (!idlest) return false;
    this.learners.delete(idlest.id);
    return true;
  }

  /** A valid sign-in the roster has not seen (the server restarted, or another process signed it): adopted as is. */
  private of(identity: Identity): Entry {
    if (identity.kind === 'teacher') return this.teacher;
    let entry = this.learners.get(identity.id);
    if (!entry) {
      // A signed token is a real learner: adopted even when nobody can make room.
      this.makeRoom();
      entry = this.entry(identity.id, identity.name);
      this.learners.set(identity.id, entry);
    }
    return entry;
  }

  /** Null when `identity` may open one more connection, else the 429 to answer. */
  admitConnection(identity: Identity): Refusal | null {
    const entry = this.of(identity);
    if (entry.connections.size < this.limits.connectionsPerLearner) return null;
    return {
      status: 429,
      error: 'learner_connection_limit',
      message: `You already have ${this.limits.connectionsPerLearner} connections open to this class's server: close some (or stop a run) and try again.`,
    };
  }

  opened(identity: Identity, conn: string, endpoint: string, tag: string | null): void {
    const entry = this.of(identity);
    entry.connections.set(conn, endpoint);
    entry.lastSeen = this.now();
    // A page's live diagram (/inspect) names the run it watches; it is not part of the run.
    if (tag !== null && endpoint !== 'inspect') this.sawRun(entry, runOf(tag), 1);
  }

  closed(identity: Identity, conn: string, tag: string | null): void {
    const entry = this.of(identity);
    const endpoint = entry.connections.get(conn);
    entry.connections.delete(conn);
    entry.lastSeen = this.now();
    const run = tag === null || endpoint === 'inspect' ? undefined : entry.runs.get(runOf(tag));
    if (run) run.open = Math.max(0, run.open - 1);
  }

  /** A connection to one of the learner's labs (its page's clients, the check's): counted as a run, not as a connection. */
  labRun(identity: Identity, tag: string): void {
    this.sawRun(this.of(identity), runOf(tag), 0);
  }

  private sawRun(entry: Entry, run: string, opened: number): void {
    const previous = entry.runs.get(run);
    entry.runs.delete(run);
    entry.runs.set(run, { lastSeen: this.now(), open: (previous?.open ?? 0) + opened });
    while (entry.runs.size > ROSTER_RUNS) {
      const oldest = entry.runs.keys().next().value as string;
      entry.runs.delete(oldest);
    }
  }

  /** True when `identity` may send one more message; false: it is over its rate and the sending connection is closed. */
  messageAllowed(identity: Identity): boolean {
    return this.of(identity).messages.take();
  }

  /** Null when `identity` may start one more lab, else the 429 to answer. */
  admitLab(identity: Identity): Refusal | null {
    const entry = this.of(identity);
    if (entry.labs.size + entry.starting < this.limits.labsPerLearner) return null;
    return {
      status: 429,
      error: 'learner_lab_limit',
      message: `You already run ${this.limits.labsPerLearner} lab servers: stop one (run the other lab again, or close its page) and try again.`,
    };
  }

  /**
   * A lab admitted by admitLab is starting: until the release is called it counts as one of the
   * learner's labs, so Runs sent at once cannot start more than the limit, nor queue compiles
   * that make the whole class wait.
   */
  labStarting(identity: Identity): () => void {
    const entry = this.of(identity);
    entry.starting += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.starting -= 1;
    };
  }

  labStarted(identity: Identity, id: string, lab: string | null, engine: string): void {
    this.of(identity).labs.set(id, { lab, engine });
  }

  labStopped(owner: string, id: string): void {
    (owner === this.teacher.id ? this.teacher : this.learners.get(owner))?.labs.delete(id);
  }

  /** What the teacher's page shows: every learner, connected ones first, then by name. */
  snapshot(): RosterJson {
    const learners: RosterLearner[] = [...this.learners.values()].map((e) => {
      const connections: Record<string, number> = {};
      for (const endpoint of e.connections.values()) connections[endpoint] = (connections[endpoint] ?? 0) + 1;
      return {
        id: e.id,
        name: e.name,
        signedInAt: e.signedInAt,
        lastSeen: e.lastSeen,
        connections,
        runs: [...e.runs.entries()].reverse().map(([tag, run]) => ({ tag, lastSeen: run.lastSeen, open: run.open })),
        labs: [...e.labs.entries()].map(([id, lab]) => ({ id, lab: lab.lab, engine: lab.engine })),
      };
    });
    const open = (l: RosterLearner): number => Object.values(l.connections).reduce((a, b) => a + b, 0);
    learners.sort((a, b) => Number(open(b) > 0) - Number(open(a) > 0) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { now: this.now(), learners };
  }
}
