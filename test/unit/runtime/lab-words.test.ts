import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../protocol/labs.ts';
import { caseText, checkingText, codeSpans, verdictHeading } from '../../../src/runtime/lab/words.ts';

const failure = { client: 'alice', step: 3, action: 'expect', expected: 'text "hello"', arrived: 'nothing' };
const passed = (name: string): CaseResult => ({ name, hidden: false, passed: true, failure: null });
const failed = (name: string): CaseResult => ({ name, hidden: false, passed: false, failure });

describe('the server lab verdict heading', () => {
  it('says how many cases failed, not a bare "2 of 3"', () => {
    expect(verdictHeading({ passed: false, cases: [failed('a'), failed('b'), passed('c')] }, false)).toBe('Check failed: 2 of 3 cases failed.');
    expect(verdictHeading({ passed: false, cases: [passed('a'), failed('b'), passed('c')] }, false)).toBe('Check failed: 1 of 3 cases failed.');
    expect(verdictHeading({ passed: false, cases: [failed('a'), failed('b')] }, false)).toBe('Check failed: 2 of 2 cases failed.');
  });

  it('a check of one case says "case"', () => {
    expect(verdictHeading({ passed: false, cases: [failed('a')] }, false)).toBe('Check failed: 1 of 1 case failed.');
  });

  it('a passed check is worded as before, and with the solution shown it says the credit needs the learner\'s own code', () => {
    expect(verdictHeading({ passed: true, cases: [passed('a'), passed('b')] }, false)).toBe('Check passed: well done!');
    expect(verdictHeading({ passed: true, cases: [passed('a')] }, true)).toBe(
      'Check passed with the solution. Write it yourself (Solution again brings your code back) to get the credit.',
    );
  });
});

describe('the status line while the check runs', () => {
  it('names the case under way, of how many, and how the ones before it went', () => {
    expect(checkingText({ index: 1, of: 3, name: 'a text comes back', done: [] })).toBe('Checking case 1 of 3: a text comes back…');
    expect(checkingText({ index: 2, of: 3, name: 'a ping gets a pong', done: [passed('a')] })).toBe('Checking case 2 of 3: a ping gets a pong… So far 1 passed.');
    expect(checkingText({ index: 3, of: 3, name: 'two clients', done: [passed('a'), failed('b')] })).toBe('Checking case 3 of 3: two clients… So far 1 passed, 1 failed.');
    // The case under way has ended: the line waits for the verdict as it was.
    expect(checkingText({ index: 3, of: 3, name: 'two clients', done: [passed('a'), failed('b'), passed('c')] })).toBe('Checking case 3 of 3: two clients… So far 1 passed, 1 failed.');
  });
});

describe('one case of the verdict', () => {
  it('a passed case, hidden or not', () => {
    expect(caseText(passed('echo'))).toBe('Passed: echo');
    expect(caseText({ ...passed('two clients'), hidden: true })).toBe('Passed: two clients (hidden case)');
  });

  it('a failed expectation is said once; another step keeps its action; a case-wide failure names no client', () => {
    const expecting = { client: 'bob', step: 7, action: 'expect text JSON with {"type":"message"} within 2000 ms', expected: 'text JSON with {"type":"message"} within 2000 ms', arrived: 'nothing' };
    expect(caseText({ name: 'a message reaches the others', hidden: false, passed: false, failure: expecting })).toBe(
      'Failed: a message reaches the others. bob, step 7: expected text JSON with {"type":"message"} within 2000 ms; arrived: nothing.',
    );
    const connecting = { client: 'bob', step: 1, action: 'connect', expected: 'the WebSocket handshake', arrived: 'HTTP 503' };
    expect(caseText({ name: 'bob joins', hidden: true, passed: false, failure: connecting })).toBe(
      'Failed: bob joins (hidden case). bob, step 1 (connect): expected the WebSocket handshake; arrived: HTTP 503.',
    );
    expect(caseText({ name: 'logs', hidden: false, passed: false, failure: { ...connecting, client: null, action: 'expect a server log line with "hi"' } })).toBe(
      'Failed: logs. step 1: expected the WebSocket handshake; arrived: HTTP 503.',
    );
  });
});

describe('codeSpans', () => {
  it('cuts a lab text at its backticks: the parts between them are code, empty ends kept', () => {
    expect(codeSpans('Turn `lua_socket_log_errors off;` in `http` to quiet it')).toEqual([
      { code: false, text: 'Turn ' },
      { code: true, text: 'lua_socket_log_errors off;' },
      { code: false, text: ' in ' },
      { code: true, text: 'http' },
      { code: false, text: ' to quiet it' },
    ]);
    expect(codeSpans('`ws`')).toEqual([
      { code: false, text: '' },
      { code: true, text: 'ws' },
      { code: false, text: '' },
    ]);
    expect(codeSpans('no code')).toEqual([{ code: false, text: 'no code' }]);
  });
});
