import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { signInRequestSchema } from '../../../protocol/classroom.ts';
import { classroomProblem, parseCli } from '../../../server/cli.ts';
import { resolveConfig } from '../../../server/config.ts';
import { learnerOrigins } from '../../../server/classroom/banner.ts';
import { cookieHeader, createIdentifier, learnerSecret, learnerToken, parseCookies, teacherSecret, teacherToken } from '../../../server/classroom/identity.ts';
import { Roster, runOf } from '../../../server/classroom/roster.ts';
import { InspectHub } from '../../../server/core/inspect-hub.ts';
import { AccessPolicy } from '../../../server/core/origin.ts';
import { signToken } from '../../../server/core/token.ts';
import { banner } from '../../../server/main.ts';

const limits = { connectionsPerLearner: 2, labsPerLearner: 1, messagesPerSecond: 1, messagesBurst: 3 };
const KEY = 'k'.repeat(24);

function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe('the roster', () => {
  it('signs learners in with fresh ids; the same browser keeps its id; a connected learner\'s name is 409', () => {
    const clock = fakeClock();
    let n = 0;
    const roster = new Roster({ now: clock.now, limits, newId: () => `id${++n}` });
    const ada = roster.signIn('Ada', null);
    expect(ada).toEqual({ ok: true, id: 'id1', name: 'Ada' });
    expect(roster.signIn('Ada', { id: 'id1', name: 'Ada' })).toEqual({ ok: true, id: 'id1', name: 'Ada' });
    // Not connected: another browser may take the name, as a new learner.
    expect(roster.signIn('ada', null)).toEqual({ ok: true, id: 'id2', name: 'ada' });
    roster.opened({ kind: 'learner', id: 'id1', name: 'Ada' }, 'c1', 'echo', null);
    expect(roster.signIn('ADA', null)).toMatchObject({ ok: false, status: 409, error: 'name_taken' });
  });

  it('holds at most its capacity of learners: the longest-unseen with nothing open make room, else a sign-in is 503', () => {
    const clock = fakeClock();
    let n = 0;
    const roster = new Roster({ now: clock.now, limits: { ...limits, learners: 2 }, newId: () => `id${++n}` });
    expect(roster.signIn('A', null)).toMatchObject({ ok: true, id: 'id1' });
    clock.advance(1_000);
    expect(roster.signIn('B', null)).toMatchObject({ ok: true, id: 'id2' });
    roster.opened({ kind: 'learner', id: 'id2', name: 'B' }, 'c1', 'echo', null);
    // Full: A (nothing open) makes room for C.
    expect(roster.signIn('C', null)).toMatchObject({ ok: true, id: 'id3' });
    expect(roster.snapshot().learners.map((l) => l.name).sort()).toEqual(['B', 'C']);
    roster.opened({ kind: 'learner', id: 'id3', name: 'C' }, 'c2', 'echo', null);
    // Full, and both hold a connection: nobody can be forgotten.
    expect(roster.signIn('D', null)).toEqual({
      ok: false,
      status: 503,
      error: 'class_full',
      message: "This class's server already holds 2 learners, all with something open: ask your teacher.",
    });
    // A thousand sign-ins by a script leave the roster at its capacity.
    roster.closed({ kind: 'learner', id: 'id3', name: 'C' }, 'c2', null);
    for (let i = 0; i < 1_000; i++) roster.signIn(`bot${i}`, null);
    expect(roster.snapshot().learners).toHaveLength(2);
  });

  it('counts connections per learner: the limit is 429 for that learner only, and frees on close', () => {
    const roster = new Roster({ now: fakeClock().now, limits });
    const a = { kind: 'learner', id: 'a', name: 'A' } as const;
    const b = { kind: 'learner', id: 'b', name: 'B' } as const;
    roster.opened(a, 'c1', 'echo', 'run1.c1');
    roster.opened(a, 'c2', 'echo', 'run1.c2');
    expect(roster.admitConnection(a)).toMatchObject({ status: 429, error: 'learner_connection_limit' });
    expect(roster.admitConnection(b)).toBeNull();
    roster.closed(a, 'c1', 'run1.c1');
    expect(roster.admitConnection(a)).toBeNull();
  });

  it('message budget: the burst, then one per second of the clock it was given', () => {
    const clock = fakeClock();
    const roster = new Roster({ now: clock.now, limits });
    const a = { kind: 'learner', id: 'a', name: 'A' } as const;
    expect([1, 2, 3, 4].map(() => roster.messageAllowed(a))).toEqual([true, true, true, false]);
    clock.advance(1000);
    expect([roster.messageAllowed(a), roster.messageAllowed(a)]).toEqual([true, false]);
  });

  it('labs per learner, and the snapshot: runs newest first (at most 5), connections per endpoint, labs', () => {
    const clock = fakeClock();
    const roster = new Roster({ now: clock.now, limits, newId: () => 'x' });
    const a = { kind: 'learner', id: 'x', name: 'Ann' } as const;
    roster.signIn('Ann', null);
    for (let i = 1; i <= 7; i++) {
      clock.advance(10);
      roster.opened(a, `c${i}`, i % 2 ? 'echo' : 'chat', `run${i}.client`);
    }
    roster.labStarted(a, 'lab1', 'echo', 'lua');
    expect(roster.admitLab(a)).toMatchObject({ status: 429, error: 'learner_lab_limit' });
    const [entry] = roster.snapshot().learners;
    expect(entry?.connections).toEqual({ echo: 4, chat: 3 });
    expect(entry?.runs.map((r) => r.tag)).toEqual(['run7', 'run6', 'run5', 'run4', 'run3']);
    expect(entry?.labs).toEqual([{ id: 'lab1', lab: 'echo', engine: 'lua' }]);
    roster.labStopped('x', 'lab1');
    expect(roster.admitLab(a)).toBeNull();
  });

  it('a lab still starting counts against the limit until it is released, once', () => {
    const roster = new Roster({ now: fakeClock().now, limits, newId: () => 'x' });
    const a = { kind: 'learner', id: 'x', name: 'Ann' } as const;
    roster.signIn('Ann', null);
    const release = roster.labStarting(a);
    expect(roster.admitLab(a)).toMatchObject({ status: 429, error: 'learner_lab_limit' });
    release();
    release();
    expect(roster.admitLab(a)).toBeNull();
    // Started: the lab itself counts now, the start no longer.
    roster.labStarting(a)();
    roster.labStarted(a, 'lab1', 'echo', 'lua');
    expect(roster.admitLab(a)).toMatchObject({ status: 429, error: 'learner_lab_limit' });
  });

  it('a page\'s live diagram (/inspect with the run\'s tag) is a connection, not part of the run', () => {
    const roster = new Roster({ now: fakeClock().now, limits, newId: () => 'x' });
    const a = { kind: 'learner', id: 'x', name: 'Ann' } as const;
    roster.signIn('Ann', null);
    roster.opened(a, 'c1', 'inspect', 'run1');
    roster.opened(a, 'c2', 'echo', 'run1.client');
    roster.closed(a, 'c2', 'run1.client');
    const [entry] = roster.snapshot().learners;
    expect(entry?.connections).toEqual({ inspect: 1 });
    expect(entry?.runs).toEqual([{ tag: 'run1', lastSeen: expect.any(Number), open: 0 }]);
  });

  it('the run of a tag is its part before the first dot', () => {
    expect([runOf('r1.alice'), runOf('r1'), runOf('r1.a.b')]).toEqual(['r1', 'r1', 'r1']);
  });
});

describe('identity', () => {
  const secret = learnerSecret(Buffer.from('s'.repeat(32)));
  const clock = fakeClock();
  const ofTeacher = teacherSecret(Buffer.from('s'.repeat(32)), KEY);
  const who = createIdentifier({ teacherKey: KEY, teacherSecret: ofTeacher, learnerSecret: secret, now: clock.now });

  it('a learner cookie names its learner; a teacher session cookie or the key as Bearer is the teacher; the key as a cookie is nobody', () => {
    const token = learnerToken({ id: 'abc', name: 'Ada L.' }, secret, clock.now, 60_000);
    expect(who.identify({ cookie: `other=1; fd-learner=${token}` })).toEqual({ kind: 'learner', id: 'abc', name: 'Ada L.' });
    expect(who.identify({ cookie: `fd-teacher=${teacherToken(ofTeacher, clock.now, 60_000)}` })).toEqual({ kind: 'teacher' });
    expect(who.identify({ cookie: `fd-teacher=${KEY}` })).toBeNull();
    expect(who.identify({ authorization: `Bearer ${KEY}` })).toEqual({ kind: 'teacher' });
    expect(who.identify({ authorization: `Bearer ${'x'.repeat(24)}` })).toBeNull();
    expect(who.identify({})).toBeNull();
  });

  it('a chat token (any name, from POST /api/token) is not a sign-in, and an expired sign-in is nobody', () => {
    const chat = signToken('abc:Ada', Buffer.from('s'.repeat(32)), clock.now, 60_000).token;
    expect(who.identify({ cookie: `fd-learner=${chat}` })).toBeNull();
    const token = learnerToken({ id: 'abc', name: 'Ada' }, secret, clock.now, 1000);
    clock.advance(1000);
    expect(who.identify({ cookie: `fd-learner=${token}` })).toBeNull();
  });

  it('parses cookies as browsers send them, and writes them HttpOnly, SameSite=Strict, Secure over TLS', () => {
    expect([...parseCookies(' a=1; b = 2 ;junk; a=3')]).toEqual([['a', '1'], ['b', '2']]);
    expect(cookieHeader('fd-learner', 'v', 60, false)).toBe('fd-learner=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60');
    expect(cookieHeader('fd-learner', 'v', 60, true)).toBe('fd-learner=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
  });

  it('learner names: trimmed, spaces folded, letters of any script; markup refused', () => {
    expect(signInRequestSchema.parse({ name: '  Zoë   Ng ' })).toEqual({ name: 'Zoë Ng' });
    expect(signInRequestSchema.safeParse({ name: '<b>' }).success).toBe(false);
    expect(signInRequestSchema.safeParse({ name: '' }).success).toBe(false);
    expect(signInRequestSchema.safeParse({ name: 'x'.repeat(41) }).success).toBe(false);
  });
});

describe('the inspector hub with owners', () => {
  it('a learner\'s subscription sees only that learner\'s events, live and replayed; an unlimited one sees all', () => {
    const clock = fakeClock();
    const hub = new InspectHub({ now: clock.now, replayEvents: 100, replayMs: 60_000, perSecond: 100, burst: 100 });
    const event = (conn: string) => () => ({ kind: 'end' as const, conn, t: 0, code: 1000, reason: '', how: 'clean' as const });
    hub.publish('run.c1', 'end', event('alice-early'), 'alice');
    const alice: string[] = [];
    const bob: string[] = [];
    const teacher: string[] = [];
    hub.subscribe('run', (json) => alice.push(JSON.parse(json).conn) > 0, 'alice');
    hub.subscribe('run', (json) => bob.push(JSON.parse(json).conn) > 0, 'bob');
    hub.subscribe('run', (json) => teacher.push(JSON.parse(json).conn) > 0);
    hub.publish('run.c1', 'end', event('alice-live'), 'alice');
    hub.publish('run.c1', 'end', event('bob-live'), 'bob');
    expect(alice).toEqual(['alice-early', 'alice-live']);
    expect(bob).toEqual(['bob-live']);
    expect(teacher).toEqual(['alice-early', 'alice-live', 'bob-live']);
    expect(hub.watches('run.c2', 'carol')).toBe(true);
  });

  it('watches(tag, owner): only an owner\'s own subscription keeps its tap', () => {
    const hub = new InspectHub({ now: () => 0, replayEvents: 10, replayMs: 1000, perSecond: 1, burst: 1 });
    hub.subscribe('run', () => true, 'alice');
    expect(hub.watches('run.c1', 'alice')).toBe(true);
    expect(hub.watches('run.c1', 'bob')).toBe(false);
  });
});

describe('--classroom on the command line', () => {
  it('turns on sign-in and takes the teacher key from FD_TEACHER_KEY', () => {
    const cli = parseCli(['--classroom', '--host', '0.0.0.0'], { FD_TEACHER_KEY: KEY });
    if (cli.kind !== 'run') throw new Error(JSON.stringify(cli));
    expect(cli.config).toMatchObject({ classroom: true, auth: 'required', host: '0.0.0.0', teacherKey: KEY, remoteInspect: false });
    expect(parseCli(['--host', '0.0.0.0'], { FD_TEACHER_KEY: KEY })).toMatchObject({ kind: 'run', config: { teacherKey: undefined } });
  });

  it.each([
    [['--classroom'], /^--classroom serves other machines: add --host 0\.0\.0\.0/],
    [['--classroom', '--host', '0.0.0.0', '--auth', 'optional'], /^--classroom requires sign-in: drop --auth optional/],
    [['--classroom', '--host', '0.0.0.0', '--labs', '--remote-inspect'], /drop --remote-inspect and --labs, which would open them to anyone\.$/],
  ])('refuses %j with a message that says what to type', (argv, message) => {
    const cli = parseCli(argv);
    expect(cli.kind).toBe('error');
    expect(cli.kind === 'error' ? cli.message : '').toMatch(message);
  });

  it('a short FD_TEACHER_KEY is an error naming the variable', () => {
    expect(parseCli(['--classroom', '--host', '0.0.0.0'], { FD_TEACHER_KEY: 'short' })).toEqual({
      kind: 'error',
      message: 'FD_TEACHER_KEY: must be 16 to 128 letters, digits, "_" or "-"',
    });
  });

  it('FD_TOKEN_SECRET is shared by every process of a class; a short one is an error naming it', () => {
    expect(parseCli(['--classroom', '--host', '0.0.0.0'], { FD_TOKEN_SECRET: 's'.repeat(32) })).toMatchObject({ kind: 'run', config: { tokenSecret: 's'.repeat(32) } });
    expect(parseCli([], { FD_TOKEN_SECRET: 'short' })).toEqual({ kind: 'error', message: 'FD_TOKEN_SECRET: must be at least 16 characters' });
  });

  it('classroomProblem is null without --classroom', () => {
    expect(classroomProblem({ labs: true })).toBeNull();
  });
});

describe('the classroom banner', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
  const interfaces = { lo: [nic('127.0.0.1', 'IPv4', true)], eth0: [nic('192.168.1.5', 'IPv4', false), nic('fe80::1', 'IPv6', false)], wlan0: [nic('10.0.0.7', 'IPv4', false)] };

  it('lists every non-internal IPv4 address for a wildcard bind; the proxy\'s names behind one', () => {
    expect(learnerOrigins('0.0.0.0', 8080, interfaces, [])).toEqual(['http://192.168.1.5:8080', 'http://10.0.0.7:8080']);
    expect(learnerOrigins('192.168.1.5', 8080, interfaces, [])).toEqual(['http://192.168.1.5:8080']);
    expect(learnerOrigins('127.0.0.1', 8081, interfaces, ['class.example.lan'])).toEqual(['https://class.example.lan']);
  });

  it('prints the sign-in URLs, the teacher page and the key once, and no inspector key line', () => {
    const config = resolveConfig({ host: '0.0.0.0', classroom: true });
    const text = banner({ url: 'http://0.0.0.0:8080', urls: [], port: 8080, inspectorKey: KEY, teacherKey: KEY, config }, interfaces);
    expect(text).toContain('    http://192.168.1.5:8080/classroom/\n    http://10.0.0.7:8080/classroom/\n');
    expect(text).toContain('Your page (list who is connected, watch a run): http://localhost:8080/teacher/');
    expect(text.split(KEY).length - 1).toBe(1);
    expect(text).not.toContain('fd-key');
  });
});

describe('Origin through a TLS proxy', () => {
  it('https://<the Host> is the page\'s own origin; https on another host is not', () => {
    const policy = new AccessPolicy({ boundHost: '127.0.0.1', port: 8081, machineNames: [], allowHosts: ['class.example.lan'], allowOrigins: [], devPort: 4321 });
    expect(policy.originAllowed('https://class.example.lan', 'class.example.lan')).toBe(true);
    expect(policy.originAllowed('https://class.example.lan:8443', 'class.example.lan:8443')).toBe(true);
    expect(policy.originAllowed('https://evil.test', 'class.example.lan')).toBe(false);
    expect(policy.originAllowed('https://evil.test', 'evil.test')).toBe(false);
  });
});
