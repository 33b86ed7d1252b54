import { describe, expect, it } from 'vitest';
import { DIAGRAM_STATUS, labEndedStatus, labRunEnd, LEFT_STATUS, settledStatus, type LabProgress } from '../../../src/runtime/diagram/status.ts';

describe('live diagram status lines', () => {
  it('name what the diagram draws: a playground run, or a server lab check', () => {
    expect(DIAGRAM_STATUS.playground).toEqual({
      waiting: 'Run the playground above: every frame between it and the server appears here.',
      running: 'Drawing this run as it happens.',
    });
    expect(DIAGRAM_STATUS.lab).toEqual({
      waiting: "Run the lab above: its check's clients connect to your server, and every frame between them appears here.",
      running: "Drawing as it happens: the check's clients, or your own client, are talking to your server.",
    });
    expect(LEFT_STATUS).toEqual({
      playground: 'You left the page, which stopped this run: the diagram shows it up to then.',
      lab: 'You left the page, which stopped your server: the diagram shows what happened up to then.',
    });
  });

  it("say how a lab's check ended", () => {
    expect(labEndedStatus('finished')).toBe('Check finished: every frame between its clients and your server is drawn below; the verdict is in the lab above.');
    expect(labEndedStatus('stopped')).toBe('Check stopped: your server was stopped before the check finished.');
    expect(labEndedStatus('crashed')).toBe("Check ended early: your server did not run it through (the lab's status above says why).");
    expect(labEndedStatus('left')).toBe('Check stopped: you left the page, which stopped your server. Press Run to check it again.');
  });
});

describe('labRunEnd', () => {
  const base: LabProgress = { phase: 'idle', verdict: null, syntax: null, problem: null };

  it('is null before a check and while it runs', () => {
    expect(labRunEnd(base)).toBeNull();
    expect(labRunEnd({ ...base, phase: 'starting' })).toBeNull();
    expect(labRunEnd({ ...base, phase: 'checking' })).toBeNull();
  });

  it('finishes with a verdict, passed or not, and stays finished after a Stop', () => {
    expect(labRunEnd({ ...base, phase: 'running', verdict: { passed: false } })).toBe('finished');
    expect(labRunEnd({ ...base, phase: 'stopped', verdict: { passed: true } })).toBe('finished');
  });

  it('ends early on a Stop, a syntax error or a problem before the verdict', () => {
    expect(labRunEnd({ ...base, phase: 'stopping' })).toBe('stopped');
    expect(labRunEnd({ ...base, phase: 'stopped' })).toBe('stopped');
    expect(labRunEnd({ ...base, phase: 'left' })).toBe('left');
    expect(labRunEnd({ ...base, phase: 'left', verdict: { passed: true } })).toBe('finished');
    expect(labRunEnd({ ...base, syntax: { line: 3, message: 'unexpected symbol' } })).toBe('crashed');
    expect(labRunEnd({ ...base, phase: 'running', problem: 'The check could not run: timeout' })).toBe('crashed');
  });

  it('a server run for the learner\'s own client that ended by itself has crashed; with a verdict, the check finished', () => {
    expect(labRunEnd({ ...base, phase: 'running', ended: true })).toBe('crashed');
    expect(labRunEnd({ ...base, phase: 'running', ended: true, verdict: { passed: false } })).toBe('finished');
    expect(labRunEnd({ ...base, phase: 'running', ended: false })).toBeNull();
  });
});

describe('the status line once the run is known', () => {
  const signIn = 'This course is served to a class: sign in at http://127.0.0.1:8080/classroom/ (in this browser), then run again.';
  const ended = 'Run finished: 1 connection closed with 1006 (not clean).';
  const running = DIAGRAM_STATUS.playground.running;

  it('keeps why the inspector failed when the refused run then ends, and the other way round', () => {
    expect(settledStatus({ inspectorProblem: signIn, ended, running })).toBe(signIn);
    expect(settledStatus({ inspectorProblem: signIn, ended: null, running })).toBe(signIn);
  });

  it('says how the run ended, or that it is being drawn, while the inspector works', () => {
    expect(settledStatus({ inspectorProblem: null, ended, running })).toBe(ended);
    expect(settledStatus({ inspectorProblem: null, ended: null, running })).toBe(running);
  });
});
