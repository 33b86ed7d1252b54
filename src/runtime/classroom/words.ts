import type { MeResponse, RosterLearner } from '../../../protocol/classroom.ts';

/**
 * What the classroom pages say: the sign-in page's states, the teacher's
 * roster lines, and the errors either can meet, each saying what to do next.
 * No DOM: the elements in src/components/sign-in/ and teacher/ show these.
 */

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "2 connections (echo 1, chat 1)", or "not connected". */
export function connectionsLine(connections: Readonly<Record<string, number>>): string {
  const parts = Object.entries(connections).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
  const total = parts.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return 'not connected';
  return `${plural(total, 'connection')} (${parts.map(([endpoint, n]) => `${endpoint} ${n}`).join(', ')})`;
}

/** "12 s ago", "3 min ago", "just now". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 2) return 'just now';
  if (s < 120) return `${s} s ago`;
  return `${Math.round(s / 60)} min ago`;
}

/** One learner as the teacher's list shows them, in words a screen reader reads as one line. */
export function learnerLine(learner: RosterLearner, now: number): string {
  const run = learner.runs[0];
  const labs = learner.labs.length === 0 ? 'no lab' : `${plural(learner.labs.length, 'lab')} (${learner.labs.map((l) => l.lab ?? 'free code').join(', ')})`;
  const runs = run ? `last run ${ago(now - run.lastSeen)}${run.open > 0 ? ', running' : ''}` : 'no run yet';
  return `${connectionsLine(learner.connections)} · ${runs} · ${labs}`;
}

/** The run the teacher follows for a learner: their newest. */
export function latestRun(learner: RosterLearner): string | null {
  return learner.runs[0]?.tag ?? null;
}

/** The line above the teacher's diagram. */
export function watchingLine(name: string, run: string | null): string {
  return run === null
    ? `Watching ${name}: no run yet. Their next run appears below as it happens.`
    : `Watching ${name}'s newest run (${run}). When they run again, the diagram follows.`;
}

export const NOT_A_CLASS =
  'This companion is not running a class. To teach one, start it with: npm start -- --classroom --host 0.0.0.0';
export const NOT_RUNNING = 'The companion server is not reachable: start it (npm start -- --classroom --host 0.0.0.0), then reload this page.';

/** The sign-in page's line for who this browser is. */
export function meLine(me: MeResponse): string {
  if (!me.classroom) return NOT_A_CLASS;
  if (me.learner) return `Signed in as ${me.learner.name}. Your runs, labs and live diagrams are yours alone; the teacher can watch your runs.`;
  return 'Sign in with the name your teacher will see. Your runs and labs stay yours; your progress stays in this browser.';
}

/** An error from the classroom API, said so the reader knows what to do. */
export function problem(status: number, body: { error?: unknown; message?: unknown } | null): string {
  const message = typeof body?.message === 'string' ? body.message : null;
  if (status === 0) return NOT_RUNNING;
  if (message) return message;
  if (status === 404) return NOT_A_CLASS;
  return `The companion answered ${status}; reload the page and try again.`;
}

export const INSPECTOR_UNREACHABLE = "The companion server's inspector is not reachable: start it with npm start.";

/**
 * Why a live diagram's /inspect failed, once the page has asked /api/classroom/me:
 * in a class, a learner who is not signed in (or whose sign-in expired) is told where to sign in.
 */
export function inspectorProblem(me: MeResponse | null, signInUrl: string): string {
  if (me?.classroom && !me.learner && !me.teacher) return `This course is served to a class: sign in at ${signInUrl} (in this browser), then run again.`;
  return INSPECTOR_UNREACHABLE;
}
