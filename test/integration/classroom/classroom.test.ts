import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLASSROOM_PATHS, rosterSchema, type Roster } from '../../../protocol/classroom.ts';
import { CLOSE } from '../../../protocol/constants.ts';
import { inspectEventSchema, type InspectEvent } from '../../../protocol/inspect.ts';
import { open, refused, useServer, withTimeout, type Client } from '../server/helpers.ts';

/**
 * Classroom mode on a real server: two learners who cannot see each other's
 * runs or labs, the teacher key, the per-learner limits with their exact
 * statuses and close codes, and cross-origin refusals.
 */
const TEACHER_KEY = 'teacher-key-for-the-tests-0123456789';
const t = await useServer({
  classroom: true,
  teacherKey: TEACHER_KEY,
  heartbeat: 0,
  // Tiny limits, so each is reached in a few steps; messages refill (almost) never, so the count is exact.
  classroomLimits: { connectionsPerLearner: 4, labsPerLearner: 1, messagesBurst: 20, messagesPerSecond: 0.001 },
});
const solution = readFileSync(new URL('../../../labs/echo/solution.lua', import.meta.url), 'utf8');

interface Learner {
  name: string;
  id: string;
  cookie: string;
}

async function signIn(name: string, cookie?: string): Promise<Learner> {
  const res = await fetch(`${t.base}${CLASSROOM_PATHS.signIn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^fd-learner=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  const body = (await res.json()) as { id: string; name: string };
  return { name: body.name, id: body.id, cookie: setCookie.split(';')[0] as string };
}

const as = (who: Learner | string): Record<string, string> => ({ cookie: typeof who === 'string' ? who : who.cookie });

/** The teacher's page trades the key for a session cookie; the Set-Cookie line. */
async function teacherSession(): Promise<string> {
  const res = await fetch(`${t.base}${CLASSROOM_PATHS.teacherSession}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: TEACHER_KEY }) });
  expect(res.status).toBe(204);
  return res.headers.get('set-cookie') ?? '';
}
const teacherCookie = (await teacherSession()).split(';')[0] as string;

async function events(inspector: Client, until: (e: InspectEvent) => boolean): Promise<InspectEvent[]> {
  const seen: InspectEvent[] = [];
  for (let i = 0; i < 200; i++) {
    const event = inspectEventSchema.parse(await inspector.json());
    seen.push(event);
    if (until(event)) return seen;
  }
  throw new Error('event not seen');
}

async function startLab(who: Learner, lab?: string): Promise<Response> {
  return fetch(`${t.base}/api/labs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as(who) },
    body: JSON.stringify({ language: 'lua', code: solution, ...(lab ? { lab } : {}) }),
  });
}

const alice = await signIn('Alice');
const bob = await signIn('Bob');

describe('signing in', () => {
  it('GET /me says who the cookie names; without one, nobody', async () => {
    const me = await (await fetch(`${t.base}${CLASSROOM_PATHS.me}`, { headers: as(alice) })).json();
    expect(me).toEqual({ classroom: true, learner: { id: alice.id, name: 'Alice' }, teacher: false });
    const nobody = await (await fetch(`${t.base}${CLASSROOM_PATHS.me}`)).json();
    expect(nobody).toEqual({ classroom: true, learner: null, teacher: false });
  });

  it('signing in again from the same browser keeps the id; a bad name is 400; a forged cookie is nobody', async () => {
    const again = await signIn('Alice', alice.cookie);
    expect(again.id).toBe(alice.id);
    const bad = await fetch(`${t.base}${CLASSROOM_PATHS.signIn}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"<script>"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('bad_name');
    const forged = alice.cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await refused(`${t.ws}/echo`, { headers: as(forged) })).status).toBe(401);
  });

  it('without a sign-in, every WebSocket, the labs, tokens and the inspector answer 401 sign_in_required', async () => {
    for (const path of ['/echo', '/chat', '/broadcast', '/feed', '/inspect?fd-tag=x']) {
      const answer = await refused(`${t.ws}${path}`);
      expect([path, answer.status, answer.body['error']]).toEqual([path, 401, 'sign_in_required']);
    }
    const lab = await fetch(`${t.base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"language":"lua","code":""}' });
    expect([lab.status, ((await lab.json()) as { error: string }).error]).toEqual([401, 'sign_in_required']);
    const token = await fetch(`${t.base}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(token.status).toBe(401);
    // Signed in, the learner's code gets chat tokens as on a one-person server.
    const mine = await fetch(`${t.base}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...as(alice) }, body: '{"name":"ada"}' });
    expect(mine.status).toBe(200);
  });

  it('/chat without a token: each learner\'s own room, where a name is theirs to take; a token joins the class\'s room', async () => {
    const json = async (c: Client): Promise<unknown> => JSON.parse((await c.next()).data.toString()) as unknown;
    const [aliceZed, bobZed] = await Promise.all([open(`${t.ws}/chat?name=zed`, { headers: as(alice) }), open(`${t.ws}/chat?name=zed`, { headers: as(bob) })]);
    expect(await json(aliceZed)).toMatchObject({ type: 'welcome', you: 'zed', users: ['zed'] });
    expect(await json(bobZed)).toMatchObject({ type: 'welcome', you: 'zed', users: ['zed'] });
    const aliceAmy = await open(`${t.ws}/chat?name=amy`, { headers: as(alice) });
    expect(await json(aliceAmy)).toMatchObject({ type: 'welcome', you: 'amy', users: ['zed', 'amy'] });
    expect(await json(aliceZed)).toEqual({ type: 'join', name: 'amy' });
    // The class's room is joined with a token; the own rooms' names are not in it.
    const issued = await fetch(`${t.base}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...as(alice) }, body: '{"name":"ada"}' });
    const { token } = (await issued.json()) as { token: string };
    const aliceClass = await open(`${t.ws}/chat?token=${encodeURIComponent(token)}`, { headers: as(alice) });
    expect(await json(aliceClass)).toMatchObject({ type: 'welcome', you: 'ada', users: ['ada'] });
    expect([bobZed.pending, aliceZed.pending]).toEqual([0, 0]);
    for (const c of [aliceZed, bobZed, aliceAmy, aliceClass]) c.ws.close();
  });

  it('a cross-origin page can neither sign in nor open a socket with a learner\'s cookie', async () => {
    const res = await fetch(`${t.base}${CLASSROOM_PATHS.signIn}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.test' }, body: '{"name":"Eve"}' });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([403, 'origin_not_allowed']);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await refused(`${t.ws}/echo`, { headers: { ...as(alice), origin: 'http://evil.test' } })).status).toBe(403);
    // Nor join the learner's own chat room, which the cookie alone opens.
    expect((await refused(`${t.ws}/chat?name=zed`, { headers: { ...as(alice), origin: 'http://evil.test' } })).status).toBe(403);
  });
});

describe('each learner\'s runs and labs are theirs alone', () => {
  it('Bob watching Alice\'s tag sees nothing of hers; each sees their own run', async () => {
    const aliceWatch = await open(`${t.ws}/inspect?fd-tag=run-a`, { headers: as(alice) });
    const bobWatch = await open(`${t.ws}/inspect?fd-tag=run-a`, { headers: as(bob) });
    const aliceEcho = await open(`${t.ws}/echo?fd-tag=run-a.c1`, { headers: as(alice) });
    aliceEcho.send('for alice only');
    await aliceEcho.next();
    const hers = await events(aliceWatch, (e) => e.kind === 'frame' && e.dir === 'out');
    expect(hers[0]).toMatchObject({ kind: 'handshake', tag: 'run-a.c1' });
    aliceEcho.ws.close();
    // Bob runs the same tag: the first thing his inspector shows is his own handshake.
    const bobEcho = await open(`${t.ws}/echo?fd-tag=run-a.c1`, { headers: as(bob) });
    bobEcho.send('for bob');
    await bobEcho.next();
    const his = await events(bobWatch, (e) => e.kind === 'frame' && e.dir === 'out');
    const aliceConn = (hers[0] as { conn: string }).conn;
    expect(his[0]?.kind).toBe('handshake');
    expect(his.some((e) => 'conn' in e && e.conn === aliceConn)).toBe(false);
    expect(JSON.stringify(his)).not.toContain('for alice only');
    bobEcho.ws.close();
    aliceWatch.ws.close();
    bobWatch.ws.close();
  });

  it('/broadcast: each learner hears only their own connections, and a named room is shared by the class', async () => {
    const [alice1, alice2, bob1] = await Promise.all([
      open(`${t.ws}/broadcast?fd-tag=run-b.c1`, { headers: as(alice) }),
      open(`${t.ws}/broadcast?fd-tag=run-b.c2`, { headers: as(alice) }),
      open(`${t.ws}/broadcast?fd-tag=run-b.c1`, { headers: as(bob) }),
    ]);
    const [aliceClass, bobClass] = await Promise.all([open(`${t.ws}/broadcast?room=class`, { headers: as(alice) }), open(`${t.ws}/broadcast?room=class`, { headers: as(bob) })]);
    const said = async (c: Client): Promise<string> => (await c.next()).data.toString();
    bob1.send('bob alone');
    expect(await said(bob1)).toBe('bob alone');
    alice1.send('alice to herself');
    expect([await said(alice1), await said(alice2)]).toEqual(['alice to herself', 'alice to herself']);
    bobClass.send('to the class');
    expect([await said(aliceClass), await said(bobClass)]).toEqual(['to the class', 'to the class']);
    // A marker through each room: had anything crossed, it would come before the marker.
    bob1.send('marker');
    alice2.send('marker');
    expect([await said(bob1), await said(alice1), await said(alice2)]).toEqual(['marker', 'marker', 'marker']);
    expect([aliceClass.pending, bobClass.pending]).toEqual([0, 0]);
    for (const c of [alice1, alice2, bob1, aliceClass, bobClass]) c.ws.close();
  });

  it('a learner\'s credentials never reach an inspector: Cookie is redacted in the handshake', async () => {
    const watch = await open(`${t.ws}/inspect?fd-tag=run-c`, { headers: as(alice) });
    const echo = await open(`${t.ws}/echo?fd-tag=run-c`, { headers: as(alice) });
    const [handshake] = await events(watch, (e) => e.kind === 'handshake');
    if (handshake?.kind !== 'handshake') throw new Error('expected a handshake');
    const cookie = handshake.request.headers.find(([n]) => n.toLowerCase() === 'cookie')?.[1];
    expect(cookie).toMatch(/^\[redacted, \d+ bytes\]$/);
    echo.ws.close();
    watch.ws.close();
  });

  it('only the teacher watches without a tag', async () => {
    expect((await refused(`${t.ws}/inspect`, { headers: as(alice) })).body['error']).toBe('inspector_key_required');
    const all = await open(`${t.ws}/inspect`, { headers: { cookie: teacherCookie } });
    all.ws.close();
  });

  it('Bob cannot list, read the log of, check, connect to or delete Alice\'s lab: 404 as if it did not exist', async () => {
    const started = await startLab(alice, 'echo');
    expect(started.status).toBe(201);
    const lab = (await started.json()) as { id: string; url: string };
    const mine = (await (await fetch(`${t.base}/api/labs`, { headers: as(alice) })).json()) as { labs: { id: string }[] };
    expect(mine.labs.map((l) => l.id)).toEqual([lab.id]);
    const his = (await (await fetch(`${t.base}/api/labs`, { headers: as(bob) })).json()) as { labs: unknown[] };
    expect(his.labs).toEqual([]);
    expect((await fetch(`${t.base}/api/labs/${lab.id}/log`, { headers: as(bob) })).status).toBe(404);
    expect((await fetch(`${t.base}/api/labs/${lab.id}/check`, { method: 'POST', headers: as(bob) })).status).toBe(404);
    expect((await fetch(`${t.base}/api/labs/${lab.id}`, { method: 'DELETE', headers: as(bob) })).status).toBe(404);
    expect((await refused(lab.url, { headers: as(bob) })).status).toBe(404);
    expect((await refused(lab.url)).status).toBe(404);
    // Alice's own: her log, her socket, and the check, whose clients the server lets in with the lab's check key.
    expect((await fetch(`${t.base}/api/labs/${lab.id}/log`, { headers: as(alice) })).status).toBe(200);
    const socket = await open(lab.url, { headers: as(alice) });
    socket.ws.close();
    const verdict = (await (await fetch(`${t.base}/api/labs/${lab.id}/check`, { method: 'POST', headers: as(alice) })).json()) as { passed: boolean };
    expect(verdict.passed).toBe(true);
    // The teacher sees everyone's, with the owner.
    const all = (await (await fetch(`${t.base}/api/labs`, { headers: { cookie: teacherCookie } })).json()) as { labs: { id: string; owner: string }[] };
    expect(all.labs).toContainEqual(expect.objectContaining({ id: lab.id, owner: alice.id }));
    expect((await fetch(`${t.base}/api/labs/${lab.id}`, { method: 'DELETE', headers: as(alice) })).status).toBe(204);
  }, 30_000);
});

describe('the teacher', () => {
  it('the roster: 401 without the key, 403 for a learner, 403 for a wrong key, 403 cross-origin even with the key', async () => {
    const url = `${t.base}${CLASSROOM_PATHS.learners}`;
    const none = await fetch(url);
    expect([none.status, ((await none.json()) as { error: string }).error]).toEqual([401, 'teacher_key_required']);
    const learner = await fetch(url, { headers: as(alice) });
    expect([learner.status, ((await learner.json()) as { error: string }).error]).toEqual([403, 'teacher_only']);
    const wrong = await fetch(`${t.base}${CLASSROOM_PATHS.teacherSession}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"not-the-key-0123456789"}' });
    expect([wrong.status, ((await wrong.json()) as { error: string }).error]).toEqual([403, 'bad_teacher_key']);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const cross = await fetch(url, { headers: { authorization: `Bearer ${TEACHER_KEY}`, origin: 'http://evil.test' } });
    expect([cross.status, ((await cross.json()) as { error: string }).error]).toEqual([403, 'origin_not_allowed']);
  });

  it('trades the key for a session cookie, lists who is connected, and watches a learner\'s run live', async () => {
    const session = await teacherSession();
    expect(session).toMatch(/^fd-teacher=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(session).not.toContain(TEACHER_KEY);
    const echo = await open(`${t.ws}/echo?fd-tag=run-live.c1`, { headers: as(alice) });
    const roster = rosterSchema.parse(await (await fetch(`${t.base}${CLASSROOM_PATHS.learners}`, { headers: { cookie: teacherCookie } })).json()) as Roster;
    const entry = roster.learners.find((l) => l.id === alice.id);
    expect(entry).toMatchObject({ name: 'Alice', connections: { echo: 1 } });
    expect(entry?.runs[0]).toMatchObject({ tag: 'run-live', open: 1 });
    // Nothing about progress, answers or code: the roster holds these fields and no others.
    expect(Object.keys(entry ?? {}).sort()).toEqual(['connections', 'id', 'labs', 'lastSeen', 'name', 'runs', 'signedInAt']);
    const watch = await open(`${t.ws}/inspect?fd-tag=run-live`, { headers: { cookie: teacherCookie } });
    echo.send('teacher sees this');
    const seen = await events(watch, (e) => e.kind === 'frame' && e.dir === 'in');
    expect(seen[0]).toMatchObject({ kind: 'handshake', tag: 'run-live.c1' });
    expect(seen.at(-1)).toMatchObject({ kind: 'frame', dir: 'in', previewText: 'teacher sees this' });
    echo.ws.close();
    watch.ws.close();
  });

  it('the key is never sent to a learner', async () => {
    const bodies = await Promise.all([
      fetch(`${t.base}${CLASSROOM_PATHS.me}`, { headers: as(alice) }).then((r) => r.text()),
      fetch(`${t.base}${CLASSROOM_PATHS.learners}`, { headers: as(alice) }).then((r) => r.text()),
      fetch(`${t.base}/health`, { headers: as(alice) }).then((r) => r.text()),
      fetch(`${t.base}/api/labs`, { headers: as(alice) }).then((r) => r.text()),
      refused(`${t.ws}/inspect`, { headers: as(alice) }).then((r) => JSON.stringify(r.body)),
    ]);
    for (const body of bodies) expect(body).not.toContain(TEACHER_KEY);
  });
});

describe('per-learner limits', () => {
  it('a fifth connection is 429 learner_connection_limit for that learner only; the next learner connects', async () => {
    const carol = await signIn('Carol');
    const dave = await signIn('Dave');
    const held = await Promise.all([1, 2, 3, 4].map(() => open(`${t.ws}/echo`, { headers: as(carol) })));
    const over = await refused(`${t.ws}/echo`, { headers: as(carol) });
    expect([over.status, over.body['error']]).toEqual([429, 'learner_connection_limit']);
    const other = await open(`${t.ws}/echo`, { headers: as(dave) });
    other.send('still served');
    expect((await other.next()).data.toString()).toBe('still served');
    // One closes: the learner may open one again.
    held[0]?.ws.close();
    await held[0]?.closeCode();
    const again = await open(`${t.ws}/echo`, { headers: as(carol) });
    for (const c of [...held.slice(1), other, again]) c.ws.close();
  });

  it('a second lab is 429 learner_lab_limit', async () => {
    const erin = await signIn('Erin');
    const first = await startLab(erin);
    expect(first.status).toBe(201);
    const second = await startLab(erin);
    expect([second.status, ((await second.json()) as { error: string }).error]).toEqual([429, 'learner_lab_limit']);
    const { id } = (await first.json()) as { id: string };
    expect((await fetch(`${t.base}/api/labs/${id}`, { method: 'DELETE', headers: as(erin) })).status).toBe(204);
    expect((await startLab(erin)).status).toBe(201);
  }, 30_000);

  it('Runs sent at once cannot start more labs than the limit: the ones past it are 429 while the first still starts', async () => {
    const hal = await signIn('Hal');
    const answers = await Promise.all([startLab(hal), startLab(hal), startLab(hal)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 429, 429]);
    const started = answers.find((a) => a.status === 201) as Response;
    const { id } = (await started.json()) as { id: string };
    const mine = (await (await fetch(`${t.base}/api/labs`, { headers: as(hal) })).json()) as { labs: { id: string }[] };
    expect(mine.labs.map((l) => l.id)).toEqual([id]);
    expect((await fetch(`${t.base}/api/labs/${id}`, { method: 'DELETE', headers: as(hal) })).status).toBe(204);
  }, 30_000);

  it('past the message burst (over all a learner\'s connections) the sending socket closes with 1008; others are served', async () => {
    const frank = await signIn('Frank');
    const gina = await signIn('Gina');
    const one = await open(`${t.ws}/echo`, { headers: as(frank) });
    const two = await open(`${t.ws}/echo`, { headers: as(frank) });
    for (let i = 0; i < 10; i++) one.send(`a${i}`);
    for (let i = 0; i < 10; i++) await one.next();
    for (let i = 0; i < 15; i++) two.send(`b${i}`);
    const echoed: string[] = [];
    const closed = await withTimeout(
      (async () => {
        for (;;) {
          try {
            echoed.push((await two.next()).data.toString());
          } catch {
            return two.closeCode();
          }
        }
      })(),
      'the 1008',
    );
    expect(closed).toEqual({ code: CLOSE.policyViolation, reason: 'over your message rate in this class' });
    expect(echoed).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9']);
    const other = await open(`${t.ws}/echo`, { headers: as(gina) });
    other.send('served');
    expect((await other.next()).data.toString()).toBe('served');
    one.ws.close();
    other.ws.close();
  });

  it('a name another connected learner holds is 409 name_taken', async () => {
    const held = await open(`${t.ws}/echo`, { headers: as(alice) });
    const res = await fetch(`${t.base}${CLASSROOM_PATHS.signIn}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"alice"}' });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([409, 'name_taken']);
    held.ws.close();
  });
});

