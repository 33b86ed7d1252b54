import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../protocol/labs.ts';
import { verdictHeading } from '../../../src/runtime/lab/words.ts';

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
