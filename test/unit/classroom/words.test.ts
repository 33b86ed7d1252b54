import { describe, expect, it } from 'vitest';
import type { RosterLearner } from '../../../protocol/classroom.ts';
import { ago, connectionsLine, INSPECTOR_UNREACHABLE, inspectorProblem, latestRun, learnerLine, meLine, NOT_A_CLASS, NOT_RUNNING, problem, watchingLine } from '../../../src/runtime/classroom/words.ts';

const learner = (over: Partial<RosterLearner> = {}): RosterLearner => ({ id: 'a', name: 'Ada', signedInAt: 0, lastSeen: 0, connections: {}, runs: [], labs: [], ...over });

describe('the classroom pages\' words', () => {
  it('a learner\'s line: connections by endpoint, the newest run, the labs', () => {
    expect(learnerLine(learner(), 0)).toBe('not connected · no run yet · no lab');
    const busy = learner({
      connections: { echo: 2, chat: 1, feed: 0 },
      runs: [{ tag: 'r2', lastSeen: 10_000, open: 2 }, { tag: 'r1', lastSeen: 0, open: 0 }],
      labs: [{ id: 'l', lab: 'echo', engine: 'lua' }, { id: 'm', lab: null, engine: 'ts' }],
    });
    expect(learnerLine(busy, 15_000)).toBe('3 connections (chat 1, echo 2) · last run 5 s ago, running · 2 labs (echo, free code)');
    expect(latestRun(busy)).toBe('r2');
    expect(latestRun(learner())).toBeNull();
    expect(connectionsLine({ inspect: 1 })).toBe('1 connection (inspect 1)');
  });

  it('a live diagram whose inspector failed: in a class without a sign-in, where to sign in; else, start the server', () => {
    const url = 'http://192.168.1.5:8080/classroom/';
    expect(inspectorProblem({ classroom: true, learner: null, teacher: false }, url)).toBe(
      'This course is served to a class: sign in at http://192.168.1.5:8080/classroom/ (in this browser), then run again.',
    );
    expect(inspectorProblem({ classroom: true, learner: { id: 'a', name: 'A' }, teacher: false }, url)).toBe(INSPECTOR_UNREACHABLE);
    expect(inspectorProblem({ classroom: false, learner: null, teacher: false }, url)).toBe(INSPECTOR_UNREACHABLE);
    expect(inspectorProblem(null, url)).toBe(INSPECTOR_UNREACHABLE);
  });

  it('times: just now, seconds, minutes', () => {
    expect([ago(0), ago(1_400), ago(59_000), ago(180_000)]).toEqual(['just now', 'just now', '59 s ago', '3 min ago']);
  });

  it('what the teacher watches, and what a learner is told', () => {
    expect(watchingLine('Ada', null)).toBe('Watching Ada: no run yet. Their next run appears below as it happens.');
    expect(watchingLine('Ada', 'r2')).toBe("Watching Ada's newest run (r2). When they run again, the diagram follows.");
    expect(meLine({ classroom: false, learner: null, teacher: false })).toBe(NOT_A_CLASS);
    expect(meLine({ classroom: true, learner: { id: 'a', name: 'Ada' }, teacher: false })).toMatch(/^Signed in as Ada\. /);
    expect(problem(0, null)).toBe(NOT_RUNNING);
    expect(problem(409, { error: 'name_taken', message: 'Someone has it.' })).toBe('Someone has it.');
    expect(problem(500, {})).toBe('The companion answered 500; reload the page and try again.');
  });
});
