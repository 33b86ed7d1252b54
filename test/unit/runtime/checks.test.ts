import { describe, expect, it } from 'vitest';
import { checks, isCheckName } from '../../../src/runtime/checks.ts';
import type { ClientEvent } from '../../../src/runtime/recorder/events.ts';

const c = { client: 'client' };
const text = (preview: string) => ({ dataType: 'text' as const, size: new TextEncoder().encode(preview).length, preview });

const greetingRun: ClientEvent[] = [
  { kind: 'create', t: 0, ...c, sock: 0, url: 'ws://localhost:8080', protocols: [] },
  { kind: 'open', t: 5, ...c, sock: 0, protocol: '' },
  { kind: 'send', t: 6, ...c, sock: 0, ...text('Hi, I am Ada') },
  { kind: 'message', t: 8, ...c, sock: 0, ...text('Hi, I am Ada') },
  { kind: 'console', t: 8, ...c, level: 'log', text: 'Echo: Hi, I am Ada' },
  { kind: 'close', t: 10, ...c, sock: 0, code: 1000, reason: 'bye', wasClean: true },
];

describe('greet-echo-close', () => {
  const check = checks['greet-echo-close'];

  it('passes a run that greets, prints the echo and closes with 1000', () => {
    expect(check(greetingRun)).toEqual({ passed: true, missing: [] });
  });

  it('lists everything missing from an empty run, in order', () => {
    expect(check([])).toEqual({
      passed: false,
      missing: [
        'Open a connection to ws://localhost:8080.',
        'Send a text message once the connection is open.',
        'Receive your own message back from the echo server.',
        'Print the echoed text with console.log.',
        'Close the connection yourself with code 1000 after the echo arrives.',
      ],
    });
  });

  it('wants the echo printed and a clean 1000 close', () => {
    const silent = greetingRun.filter((e) => e.kind !== 'console');
    expect(check(silent).missing).toEqual(['Print the echoed text with console.log.']);
    const dropped = greetingRun.map((e) => (e.kind === 'close' ? { ...e, code: 1006, wasClean: false } : e));
    expect(check(dropped).missing).toEqual(['Close the connection yourself with code 1000 after the echo arrives.']);
  });

  it('does not take an unrelated message for the echo', () => {
    const other = greetingRun.map((e) => (e.kind === 'message' ? { ...e, ...text('something else') } : e));
    expect(check(other).passed).toBe(false);
    expect(check(other).missing).toContain('Receive your own message back from the echo server.');
  });
});

describe('message-too-big', () => {
  it('passes when the server closed with 1009 and the code was printed', () => {
    const run: ClientEvent[] = [
      { kind: 'send', t: 1, ...c, sock: 0, dataType: 'text', size: 70_000, preview: 'x' },
      { kind: 'close', t: 2, ...c, sock: 0, code: 1009, reason: '', wasClean: true },
      { kind: 'console', t: 3, ...c, level: 'log', text: 'closed with 1009' },
    ];
    expect(checks['message-too-big'](run)).toEqual({ passed: true, missing: [] });
    expect(checks['message-too-big'](run.slice(0, 2)).missing).toEqual(['Print the close code you received.']);
  });
});

describe('isCheckName', () => {
  it('knows the registry and nothing else', () => {
    expect(isCheckName('greet-echo-close')).toBe(true);
    expect(isCheckName('toString')).toBe(false);
  });
});
