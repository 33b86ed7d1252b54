import { describe, expect, it } from 'vitest';
import { checks, feedbackFor, isCheckName } from '../../../src/runtime/checks.ts';
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

const create = (client: string, t: number, url: string, sock = 0): ClientEvent => ({ kind: 'create', t, client, sock, url, protocols: [] });
const send = (client: string, t: number, preview: string): ClientEvent => ({ kind: 'send', t, client, sock: 0, ...text(preview) });
const got = (client: string, t: number, preview: string, sock = 0): ClientEvent => ({ kind: 'message', t, client, sock, ...text(preview) });

describe('broadcast-all', () => {
  const check = checks['broadcast-all'];
  const run: ClientEvent[] = [
    create('alice', 0, 'ws://localhost:8080/broadcast'),
    create('bob', 0, 'ws://localhost:8080/broadcast'),
    send('alice', 5, 'a'),
    send('bob', 6, 'b'),
    got('alice', 7, 'a'),
    got('alice', 7, 'b'),
    got('bob', 7, 'a'),
    got('bob', 8, 'b'),
    { kind: 'console', t: 9, client: 'alice', level: 'log', text: 'received: a' },
    { kind: 'console', t: 9, client: 'alice', level: 'log', text: 'received: b' },
    { kind: 'console', t: 9, client: 'bob', level: 'log', text: 'received: a' },
    { kind: 'console', t: 9, client: 'bob', level: 'log', text: 'received: b' },
  ];

  it('passes when everyone got every message, their own included, and printed it', () => {
    expect(check(run)).toEqual({ passed: true, missing: [] });
  });

  it('names the client that missed its own message', () => {
    expect(check(run.filter((e) => !(e.client === 'bob' && ((e.kind === 'message' && e.preview === 'b') || (e.kind === 'console' && e.text.endsWith(' b')))))).missing).toEqual([
      'bob should receive every message, its own too (missing: bob).',
    ]);
  });

  it('asks for each client to send, and to print what arrives', () => {
    const unprinted = run.filter((e) => e.kind !== 'console' || e.client !== 'bob');
    expect(check(unprinted).missing).toEqual(['bob should print every message it receives with console.log.']);
    // The starter: everyone connects, nobody speaks.
    expect(check(run.slice(0, 2)).missing).toEqual([
      'Let alice send a message once it is connected.',
      'alice should receive every message, its own too.',
      'alice should print every message it receives with console.log.',
      'Let bob send a message once it is connected.',
      'bob should receive every message, its own too.',
      'bob should print every message it receives with console.log.',
    ]);
  });
});

describe('feedbackFor', () => {
  const check = checks['broadcast-all'];
  it('puts a thrown error first and alone, with its line', () => {
    const thrown: ClientEvent[] = [
      { kind: 'uncaught', t: 1, client: 'alice', message: 'ReferenceError: sockt is not defined', line: 7, column: 3 },
    ];
    expect(feedbackFor(thrown, check(thrown))).toEqual({
      state: 'error',
      headline: 'Not yet: your code stopped with an error. Fix line 7 first: ReferenceError: sockt is not defined',
      items: [],
    });
  });
  it('lists what is missing as items, and says passed when passed', () => {
    const empty: ClientEvent[] = [];
    expect(feedbackFor(empty, check(empty))).toEqual({ state: 'missing', headline: 'Not yet. Still missing:', items: ['Run the code in at least two clients.'] });
    expect(feedbackFor(empty, { passed: true, missing: [] })).toEqual({ state: 'passed', headline: 'Check passed: well done!', items: [] });
  });
});

describe('chat-relay', () => {
  const check = checks['chat-relay'];
  const line = (from: string) => JSON.stringify({ type: 'message', id: 1, from, text: 'x', ts: 1 });
  const names = ['alice', 'bob', 'carol'];
  const run: ClientEvent[] = [
    ...names.map((n) => create(n, 0, `ws://localhost:8080/chat?name=${n}`)),
    ...names.flatMap((from) => names.filter((to) => to !== from).map((to) => got(to, 5, line(from)))),
  ];

  it('passes when each line reached the two others and not its sender', () => {
    expect(check(run)).toEqual({ passed: true, missing: [] });
  });

  it('fails when a sender gets its own line back', () => {
    expect(check([...run, got('alice', 9, line('alice'))])).toEqual({
      passed: false,
      missing: ['alice should not get its own line back.'],
    });
  });

  it('says to join under your own name when the lines came from guests', () => {
    const guests = { alice: 'guest-1', bob: 'guest-2', carol: 'guest-3' } as Record<string, string>;
    const unnamed: ClientEvent[] = [
      ...names.map((n) => create(n, 0, 'ws://localhost:8080/chat')),
      ...names.flatMap((from) => names.filter((to) => to !== from).map((to) => got(to, 5, line(guests[from] as string)))),
    ];
    expect(check(unnamed)).toEqual({
      passed: false,
      missing: [
        'Join under your own name: the room heard guest-1, guest-2, guest-3, not alice, bob, carol. Put the name in the URL: ws://localhost:8080/chat?name=${clientName}.',
        'Everyone else should receive a line from alice.',
        'Everyone else should receive a line from bob.',
        'Everyone else should receive a line from carol.',
      ],
    });
  });

  it('does not blame a stranger in the room when the three were heard', () => {
    expect(check([...run, got('bob', 7, line('dave'))])).toEqual({ passed: true, missing: [] });
  });
});

describe('feed-resume', () => {
  const check = checks['feed-resume'];
  const tick = (seq: number) => JSON.stringify({ type: 'tick', seq, ts: 1, topic: 'fast', value: 1 });
  const base = 'ws://localhost:8080/feed?topics=acme,globex,initech,server,fast';

  it('passes a reconnection with ?since= and no gap', () => {
    const run = [create('client', 0, base), got('client', 1, tick(41)), got('client', 2, tick(42)), create('client', 3, `${base}&since=42`, 1), got('client', 4, tick(43), 1)];
    expect(check(run)).toEqual({ passed: true, missing: [] });
  });

  it('fails a reconnection without since= that skipped ticks', () => {
    const run = [create('client', 0, base), got('client', 1, tick(41)), create('client', 3, base, 1), got('client', 4, tick(47), 1)];
    expect(check(run)).toEqual({
      passed: false,
      missing: [
        'Reconnect with ?since=<the last seq you saw>.',
        'Receive every tick exactly once: the sequence numbers must run on without a gap.',
      ],
    });
  });
});

describe('shared-doc-converges', () => {
  const check = checks['shared-doc-converges'];
  const printed = (client: string, t: number, line: string): ClientEvent => ({ kind: 'console', t, client, level: 'log', text: line });

  it('passes when both print the same document holding both edits', () => {
    const doc = 'document: Plan: alice brings snacks. bob brings snacks.';
    const run = [create('alice', 0, 'ws://localhost:8080/broadcast'), create('bob', 0, 'ws://localhost:8080/broadcast'), printed('alice', 9, doc), printed('bob', 9, doc)];
    expect(check(run)).toEqual({ passed: true, missing: [] });
  });

  it('fails the naive run where each took the other copy and lost its own edit', () => {
    const run = [
      create('alice', 0, 'ws://localhost:8080/broadcast'),
      create('bob', 0, 'ws://localhost:8080/broadcast'),
      printed('alice', 9, 'document: Plan: bob brings snacks.'),
      printed('bob', 9, 'document: Plan: alice brings snacks.'),
    ];
    expect(check(run)).toEqual({
      passed: false,
      missing: [
        'Every client should end with the same document.',
        "The shared document should keep alice's edit.",
        "The shared document should keep bob's edit.",
      ],
    });
  });

  it('fails agreement on a document that dropped an edit', () => {
    const run = [create('alice', 0, 'ws://localhost:8080/broadcast'), create('bob', 0, 'ws://localhost:8080/broadcast'), printed('alice', 9, 'document: Plan: bob.'), printed('bob', 9, 'document: Plan: bob.')];
    expect(check(run).missing).toEqual(["The shared document should keep alice's edit."]);
  });
});
