import { describe, expect, it } from 'vitest';
import { LAB_LANGUAGE_KEY, LabStore, LOG_POLL_MS, NOT_RUNNING, OUTPUT_LINES, type LabEnv, type LabLogLine, type LabState, type Verdict } from '../../../src/runtime/lab/store.ts';
import { progressKeys } from '../../../src/runtime/progress/playground.ts';
import { memoryStorage } from '../memory-storage.ts';

interface Call {
  method: string;
  url: string;
  body: unknown;
  keepalive: boolean;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'offline';

/** A companion that answers from a table keyed "METHOD /path", and records every request. */
function fakeCompanion(answers: Record<string, Answer | Answer[]>) {
  const calls: Call[] = [];
  const fetch = (async (input: string, init: RequestInit = {}): Promise<Response> => {
    const method = init.method ?? 'GET';
    const path = new URL(input).pathname;
    calls.push({ method, url: path, body: init.body ? JSON.parse(String(init.body)) : null, keepalive: init.keepalive === true });
    const entry = answers[`${method} ${path}`];
    const answer = Array.isArray(entry) ? (entry.length > 1 ? entry.shift() : entry[0]) : entry;
    if (answer === undefined) return new Response(JSON.stringify({ error: 'no_such_lab' }), { status: 404 });
    if (answer === 'offline') throw new TypeError('Failed to fetch');
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(answer.status === 204 ? null : text, { status: answer.status, ...(answer.headers ? { headers: answer.headers } : {}) });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function fakeClock() {
  const timers = new Set<() => void>();
  return {
    every: (ms: number, fn: () => void) => {
      expect(ms).toBe(LOG_POLL_MS);
      timers.add(fn);
      return () => timers.delete(fn);
    },
    tick: () => [...timers].forEach((fn) => fn()),
    get active() {
      return timers.size;
    },
  };
}

const content = { lab: 'echo', key: 'lab-echo', starter: 'STARTER', solution: 'SOLUTION', hints: ['one', 'two'] };
const ID = '0123456789abcdef';
const failing: Verdict = {
  passed: false,
  cases: [{ name: 'echo', hidden: false, passed: false, failure: { client: 'alice', step: 3, action: 'expect text', expected: 'text "hello"', arrived: 'nothing within 2000 ms' } }],
};
const passing: Verdict = { passed: true, cases: [{ name: 'echo', hidden: false, passed: true, failure: null }] };
const logLines = `${JSON.stringify({ time: 1, level: 'notice', text: 'hello from line 3', line: 3, seq: 1 })}\n${JSON.stringify({ time: 2, level: 'error', text: 'oops', line: null, seq: 2 })}\n`;

function setup(answers: Record<string, Answer | Answer[]>, storage = memoryStorage()) {
  const companion = fakeCompanion(answers);
  const clock = fakeClock();
  let tags = 0;
  const passes: string[] = [];
  const env: LabEnv = {
    fetch: companion.fetch,
    origin: 'http://127.0.0.1:8080',
    storage,
    progress: { passed: (key) => passes.includes(key), pass: (key) => void passes.push(key) },
    now: () => new Date('2026-12-01T06:00:00Z'),
    every: clock.every,
    newTag: () => `lab-echo-t${++tags}`,
  };
  return { store: new LabStore(content, env), companion, clock, storage, passes };
}

/**
 * The store's requests from now on go to `companion`, and those of `method` wait until `release()`.
 * `seen` notes each request as it is sent and as it is answered ("GET sent", "GET 200").
 */
function holdRequests(store: LabStore, companion: ReturnType<typeof fakeCompanion>, method: string) {
  let release = (): void => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const seen: string[] = [];
  store.env.fetch = (async (input: string, init?: RequestInit) => {
    const sent = init?.method ?? 'GET';
    seen.push(`${sent} sent`);
    if (sent === method) await held;
    const response = await companion.fetch(input, init);
    seen.push(`${sent} ${response.status}`);
    return response;
  }) as typeof globalThis.fetch;
  return { seen, release: () => release() };
}

/** A companion that starts three lab servers, one after another, and deletes any of them. */
const THREE_LABS = ['1111111111111111', '2222222222222222'] as const;
function threeLabs(): Record<string, Answer | Answer[]> {
  const ids = [ID, ...THREE_LABS];
  return {
    'POST /api/labs': ids.map((id) => ({ status: 201, body: { id, url: '', engine: 'e', lab: 'echo' } })),
    ...Object.fromEntries(ids.map((id) => [`DELETE /api/labs/${id}`, { status: 204, body: null }])),
  };
}

describe('LabStore', () => {
  it('Run starts the lab, checks it with the run tag, and shows the verdict and the log', async () => {
    const { store, companion, clock } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: `ws://127.0.0.1:8080/labs/${ID}`, engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`POST /api/labs/${ID}/check`]: { status: 200, body: failing },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: logLines },
    });
    await store.run();
    expect(companion.calls.slice(0, 2)).toEqual([
      { method: 'POST', url: '/api/labs', body: { language: 'lua', code: 'STARTER', lab: 'echo' }, keepalive: false },
      { method: 'POST', url: `/api/labs/${ID}/check`, body: { tag: 'lab-echo-t1' }, keepalive: false },
    ]);
    expect(store.state.phase).toBe('running');
    expect(store.state.engine).toBe('Lua 5.4, embedded');
    expect(store.state.tag).toBe('lab-echo-t1');
    expect(store.state.verdict).toEqual(failing);
    expect(store.state.passed).toBe(false);
    expect(store.state.log).toEqual([
      { time: 1, level: 'notice', text: 'hello from line 3', line: 3, seq: 1 },
      { time: 2, level: 'error', text: 'oops', line: null, seq: 2 },
    ]);
    // The log keeps being polled while the lab server runs; Stop deletes it and stops polling.
    expect(clock.active).toBe(1);
    clock.tick();
    await store.stop();
    expect(companion.calls.at(-2)).toEqual({ method: 'GET', url: `/api/labs/${ID}/log`, body: null, keepalive: false });
    expect(companion.calls.at(-1)).toEqual({ method: 'DELETE', url: `/api/labs/${ID}`, body: null, keepalive: false });
    expect(clock.active).toBe(0);
    expect(store.state.phase).toBe('stopped');
    expect(store.state.labId).toBe(null);
  });

  it('a syntax error names the line and starts nothing', async () => {
    const { store, companion, clock } = setup({
      'POST /api/labs': { status: 400, body: { error: 'syntax', line: 7, message: "'end' expected near <eof>" } },
    });
    await store.run();
    expect(store.state.syntax).toEqual({ line: 7, message: "'end' expected near <eof>" });
    expect(store.state.phase).toBe('idle');
    expect(companion.calls).toHaveLength(1);
    expect(clock.active).toBe(0);
  });

  it('says how to start the companion when it is not running', async () => {
    const { store } = setup({ 'POST /api/labs': 'offline' });
    await store.run();
    expect(store.state.problem).toBe(NOT_RUNNING);
    expect(NOT_RUNNING).toContain('npm start');
  });

  it('a passing check is recorded once, with the lab named', async () => {
    const { store, passes } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`POST /api/labs/${ID}/check`]: { status: 200, body: passing },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
      [`DELETE /api/labs/${ID}`]: { status: 204, body: '' },
    });
    store.edit('MY FIX');
    await store.run();
    expect(store.state.passed).toBe(true);
    expect(passes).toEqual(['lab-echo']);
  });

  it('running the shown solution unchanged passes the check but gives no credit', async () => {
    const { store, passes } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`POST /api/labs/${ID}/check`]: { status: 200, body: passing },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
    });
    store.edit('MINE');
    store.solve();
    expect(store.state.code).toBe('SOLUTION');
    expect(store.state.showingSolution).toBe(true);
    store.edit('typed while read-only'); // ignored: the solution is read-only
    await store.run();
    expect(store.state.verdict?.passed).toBe(true);
    expect(store.state.passed).toBe(false);
    expect(passes).toEqual([]);
    store.solve();
    expect(store.state.code).toBe('MINE');
  });

  it('code persists across stores, Reset forgets it, hints come one at a time', () => {
    const storage = memoryStorage();
    const first = setup({}, storage).store;
    first.edit('local x = 1');
    expect(storage.data.get(progressKeys.code('lab-echo', 'server'))).toBe('local x = 1');
    const second = setup({}, storage).store;
    expect(second.state.code).toBe('local x = 1');
    expect(second.changed).toBe(true);
    second.reset();
    expect(second.state.code).toBe('STARTER');
    expect(storage.data.has(progressKeys.code('lab-echo', 'server'))).toBe(false);
    second.hint();
    second.hint();
    second.hint();
    expect(second.state.hints).toBe(2);
  });

  it('leaving the page deletes the lab server with keepalive', async () => {
    const { store, companion, clock } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`POST /api/labs/${ID}/check`]: { status: 200, body: failing },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
    });
    await store.run();
    const seen: LabState[] = [];
    store.subscribe((state) => seen.push(state));
    store.leave();
    expect(companion.calls.at(-1)).toEqual({ method: 'DELETE', url: `/api/labs/${ID}`, body: null, keepalive: true });
    expect(clock.active).toBe(0);
    // Published at once: a page kept in the back-forward cache comes back showing this, not "running".
    expect(seen.map((s) => [s.phase, s.labId, s.url])).toEqual([['left', null, null]]);
    expect(store.state.verdict).toEqual(failing);
  });

  it('leaving the page while the server starts or is checked says "left"; while it stops, "stopped"; with none, nothing changes', async () => {
    const starting = setup({ 'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'e', lab: 'echo' } } });
    const { seen: posts, release } = holdRequests(starting.store, starting.companion, 'POST');
    const run = starting.store.run();
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect([posts, starting.store.state.phase]).toEqual([['POST sent'], 'starting']);
    starting.store.leave();
    expect(starting.store.state.phase).toBe('left');
    release();
    await run;
    // The server that was on its way when the page left is deleted as it arrives (a stale Run).
    expect(starting.companion.calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual([`/api/labs/${ID}`]);
    expect(starting.store.state.phase).toBe('left');

    const stopping = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'e', lab: 'echo' } },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
      [`DELETE /api/labs/${ID}`]: { status: 204, body: null },
    });
    await stopping.store.run({ check: false });
    holdRequests(stopping.store, stopping.companion, 'DELETE');
    void stopping.store.stop();
    expect(stopping.store.state.phase).toBe('stopping');
    stopping.store.leave();
    expect(stopping.store.state.phase).toBe('stopped');

    const idle = setup({});
    const seen: string[] = [];
    idle.store.subscribe((state) => seen.push(state.phase));
    idle.store.leave();
    expect(seen).toEqual(['idle']);
    expect(idle.companion.calls).toEqual([]);
  });

  it('Stop lets a log poll under way answer before it deletes the lab server', async () => {
    const { store, companion, clock } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: logLines },
      [`DELETE /api/labs/${ID}`]: { status: 204, body: null },
    });
    await store.run({ check: false });
    // The companion holds the poll's answer until the test lets it go.
    const { seen, release } = holdRequests(store, companion, 'GET');
    clock.tick();
    const stopping = store.stop();
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual(['GET sent']);
    release();
    await stopping;
    expect(seen).toEqual(['GET sent', 'GET 200', 'DELETE sent', 'DELETE 204']);
    expect(store.state.phase).toBe('stopped');
  });

  it('Stop says "stopping" until the companion has answered the DELETE, then "stopped"', async () => {
    const { store, companion } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
      [`DELETE /api/labs/${ID}`]: { status: 204, body: null },
    });
    await store.run({ check: false });
    const { release } = holdRequests(store, companion, 'DELETE');
    const phases: string[] = [];
    store.subscribe((state) => phases.push(state.phase));
    const stopping = store.stop();
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect([store.state.phase, store.state.labId]).toEqual(['stopping', null]);
    release();
    await stopping;
    expect(phases.filter((phase, i) => phase !== phases[i - 1])).toEqual(['stopping', 'stopped']);
  });

  it('Run twice while the running lab is being deleted (Ctrl+Enter held down): one lab server is left, the one shown', async () => {
    const [second, third] = THREE_LABS;
    const { store, companion } = setup(threeLabs());
    await store.run({ check: false });
    const { release } = holdRequests(store, companion, 'DELETE');
    // The first waits for the DELETE of the running lab; the second finds no lab and starts at once.
    const first = store.run({ check: false });
    const next = store.run({ check: false });
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await Promise.all([first, next]);
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    const started = companion.calls.filter((c) => c.method === 'POST' && c.url === '/api/labs').length;
    const deleted = companion.calls.filter((c) => c.method === 'DELETE').map((c) => c.url);
    expect(started).toBe(3);
    expect(deleted.length).toBe(2);
    const alive = [ID, second, third].filter((id) => !deleted.includes(`/api/labs/${id}`));
    expect(alive).toEqual([store.state.labId]);
    expect(store.state.phase).toBe('running');
  });

  it('Run twice while the first lab is still starting: the stale one deletes the server it started', async () => {
    const [second, third] = THREE_LABS;
    const { store, companion } = setup(threeLabs());
    await store.run({ check: false });
    // Both Runs' POSTs wait: the first's DELETE goes meanwhile, so both are under way at once.
    const { seen, release } = holdRequests(store, companion, 'POST');
    const first = store.run({ check: false });
    const next = store.run({ check: false });
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen.filter((s) => s === 'POST sent').length).toBe(2);
    release();
    await Promise.all([first, next]);
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    const deleted = companion.calls.filter((c) => c.method === 'DELETE').map((c) => c.url);
    const alive = [ID, second, third].filter((id) => !deleted.includes(`/api/labs/${id}`));
    expect(alive).toEqual([store.state.labId]);
    expect(store.state.phase).toBe('running');
  });

  it('a second Run deletes the first lab server before starting another', async () => {
    const other = 'fedcba9876543210';
    const { store, companion } = setup({
      'POST /api/labs': [
        { status: 201, body: { id: ID, url: '', engine: 'e', lab: 'echo' } },
        { status: 201, body: { id: other, url: '', engine: 'e', lab: 'echo' } },
      ],
      [`POST /api/labs/${ID}/check`]: { status: 200, body: failing },
      [`POST /api/labs/${other}/check`]: { status: 200, body: failing },
    });
    await store.run();
    await store.run();
    const deletes = companion.calls.filter((c) => c.method === 'DELETE').map((c) => c.url);
    expect(deletes).toEqual([`/api/labs/${ID}`]);
    expect(store.state.labId).toBe(other);
    expect(store.state.tag).toBe('lab-echo-t2');
  });
});

describe('LabStore languages', () => {
  const twin = {
    ...content,
    variants: {
      lua: { starter: 'STARTER', solution: 'SOLUTION', hints: ['one', 'two'], note: null },
      ts: { starter: 'TS STARTER', solution: 'TS SOLUTION', hints: ['ts one'], note: 'Node: error listeners' },
    },
  };
  function make(storage = memoryStorage(), answers: Record<string, Answer | Answer[]> = {}) {
    const companion = fakeCompanion(answers);
    const env: LabEnv = {
      fetch: companion.fetch,
      origin: 'http://127.0.0.1:8080',
      storage,
      progress: null,
      now: () => new Date('2026-12-01T06:00:00Z'),
      every: fakeClock().every,
      newTag: () => 'lab-echo-t1',
    };
    return { store: new LabStore(twin, env), companion, storage };
  }

  it('starts in Lua, switches to TypeScript site-wide, and keeps each language’s code apart', async () => {
    const { store, storage, companion } = make(memoryStorage(), {
      'POST /api/labs': { status: 400, body: { error: 'import', line: 2, message: '"node:fs" cannot be imported in a lab' } },
    });
    expect(store.languages).toEqual(['lua', 'ts']);
    expect(store.state.language).toBe('lua');
    store.edit('MY LUA');
    await store.setLanguage('ts');
    expect(storage.data.get(LAB_LANGUAGE_KEY)).toBe('ts');
    expect(store.state).toMatchObject({ language: 'ts', code: 'TS STARTER', hints: 0, verdict: null });
    expect(store.variant).toEqual(twin.variants.ts);
    store.hint();
    store.hint();
    expect(store.state.hints).toBe(1);
    store.edit('MY TS');
    expect(storage.data.get(progressKeys.code('lab-echo', 'server.ts'))).toBe('MY TS');
    expect(storage.data.get(progressKeys.code('lab-echo', 'server'))).toBe('MY LUA');
    await store.run();
    expect(companion.calls[0]?.body).toEqual({ language: 'ts', code: 'MY TS', lab: 'echo' });
    // A refused import is shown like a syntax error: at its line, nothing started.
    expect(store.state.syntax).toEqual({ line: 2, message: '"node:fs" cannot be imported in a lab' });
    store.solve();
    expect(store.state.code).toBe('TS SOLUTION');
    store.solve();
    await store.setLanguage('lua');
    expect(store.state.code).toBe('MY LUA');
    // Another lab on the site opens in the language chosen last.
    expect(make(storage).store.state.language).toBe('lua');
    await make(storage).store.setLanguage('ts');
    const next = make(storage).store;
    expect(next.state).toMatchObject({ language: 'ts', code: 'MY TS' });
  });

  it('a lab without a TypeScript twin stays in Lua whatever was chosen elsewhere', () => {
    const storage = memoryStorage();
    storage.setItem(LAB_LANGUAGE_KEY, 'ts');
    const { store } = setup({}, storage);
    expect(store.languages).toEqual(['lua']);
    expect(store.state.language).toBe('lua');
    expect(store.state.code).toBe('STARTER');
  });
});

describe('LabStore: following another lab\'s language', () => {
  const twoLanguages = { ...content, variants: { lua: { starter: 'LUA', solution: 'L', hints: [] }, ts: { starter: 'TS', solution: 'T', hints: [] } } };

  it('an idle lab follows and shows that language\'s code; a running one stays; a lab without it stays', async () => {
    const idle = new LabStore(twoLanguages, setup({}).store.env);
    await idle.follow('ts');
    expect([idle.state.language, idle.state.code]).toEqual(['ts', 'TS']);

    const { store, companion } = setup({
      'POST /api/labs': { status: 201, body: { id: ID, url: `ws://127.0.0.1:8080/labs/${ID}`, engine: 'Lua 5.4, embedded', lab: 'echo' } },
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
    });
    const running = new LabStore(twoLanguages, store.env);
    await running.serve();
    await running.follow('ts');
    expect([running.state.language, running.state.phase]).toEqual(['lua', 'running']);
    expect(companion.calls.map((c) => c.method)).toEqual(['POST']);

    const luaOnly = new LabStore(content, setup({}).store.env);
    await luaOnly.follow('ts');
    expect(luaOnly.state.language).toBe('lua');
  });
});

describe('LabStore: the learner\'s own client', () => {
  const started = { status: 201, body: { id: ID, url: `ws://127.0.0.1:8080/labs/${ID}`, engine: 'Lua 5.4, embedded', lab: 'echo' } };

  it('serve() starts the code shown without the check and gives its URL; a second serve() reuses that server', async () => {
    const { store, companion, clock } = setup({ 'POST /api/labs': started, [`GET /api/labs/${ID}/log`]: { status: 200, body: '' } });
    expect(await store.serve()).toBe(`ws://127.0.0.1:8080/labs/${ID}`);
    expect(store.state).toMatchObject({ phase: 'running', labId: ID, url: `ws://127.0.0.1:8080/labs/${ID}`, tag: 'lab-echo-t1', verdict: null });
    expect(clock.active).toBe(1);
    expect(await store.serve()).toBe(`ws://127.0.0.1:8080/labs/${ID}`);
    expect(companion.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/labs']);
  });

  it('serve() restarts the server once the code shown has changed, and answers null when it cannot start', async () => {
    const { store, companion } = setup({
      'POST /api/labs': [started, { status: 400, body: { error: 'syntax', line: 2, message: "'=' expected" } }],
      [`GET /api/labs/${ID}/log`]: { status: 200, body: '' },
    });
    await store.serve();
    store.edit('local x =');
    expect(await store.serve()).toBeNull();
    expect(store.state.syntax).toEqual({ line: 2, message: "'=' expected" });
    expect(companion.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/labs', `DELETE /api/labs/${ID}`, 'POST /api/labs']);
  });

  it('a server that ended by itself: the poll says so once and stops; serve() starts a new one', async () => {
    const crashed = `${JSON.stringify({ time: 3, level: 'error', text: 'your server ended (exit code 1).', line: null, seq: 1 })}\n`;
    const { store, companion, clock } = setup({
      'POST /api/labs': started,
      [`GET /api/labs/${ID}/log`]: { status: 200, body: crashed, headers: { 'x-lab-ended': 'true' } },
    });
    await store.serve();
    expect([store.state.ended, clock.active]).toEqual([false, 1]);
    const ended = new Promise<void>((resolve) => {
      const off = store.subscribe((state) => {
        if (!state.ended) return;
        off();
        resolve();
      });
    });
    clock.tick();
    await ended;
    expect(store.state).toMatchObject({ phase: 'running', ended: true, labId: ID });
    expect(store.state.log.map((l) => l.text)).toEqual(['your server ended (exit code 1).']);
    // Polling stopped: nothing more comes from an ended server.
    expect(clock.active).toBe(0);
    await store.serve();
    expect(store.state.ended).toBe(false);
    expect(companion.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/labs', `GET /api/labs/${ID}/log`, `DELETE /api/labs/${ID}`, 'POST /api/labs']);
  });

  it('the client starts from its starter, persists like the server code, and Reset client forgets it', () => {
    const storage = memoryStorage();
    const first = new LabStore({ ...content, client: 'CLIENT STARTER' }, setup({}, storage).store.env);
    expect(first.state.clientCode).toBe('CLIENT STARTER');
    expect(first.clientChanged).toBe(false);
    first.editClient('new WebSocket(LAB_URL)');
    expect(storage.getItem(progressKeys.code('lab-echo', 'client.js'))).toBe('new WebSocket(LAB_URL)');
    const second = new LabStore({ ...content, client: 'CLIENT STARTER' }, setup({}, storage).store.env);
    expect(second.state.clientCode).toBe('new WebSocket(LAB_URL)');
    expect(second.clientChanged).toBe(true);
    second.resetClient();
    expect(second.state.clientCode).toBe('CLIENT STARTER');
    expect(storage.getItem(progressKeys.code('lab-echo', 'client.js'))).toBeNull();
  });
});

/**
 * A lab server's log as the companion keeps it (server/labs/engine.ts LabLog): each line numbered
 * from 1 (`seq`), the newest 2,000 held; GET …/log?after=N answers the held lines numbered above N.
 */
function fakeLabLog(max = 2000) {
  const held: LabLogLine[] = [];
  let seq = 0;
  const asked: string[] = [];
  return {
    asked,
    write(n: number): void {
      for (let i = 0; i < n; i++) {
        seq += 1;
        held.push({ time: 1000 + seq, level: 'stdout', text: `line ${seq}`, line: 4, seq });
        if (held.length > max) held.shift();
      }
    },
    answer(url: URL): Response {
      asked.push(url.search);
      const after = Number(url.searchParams.get('after') ?? 0);
      return new Response(held.filter((l) => l.seq > after).map((l) => `${JSON.stringify(l)}\n`).join(''), { status: 200 });
    },
  };
}

describe('LabStore: the Output once the server\'s log is full', () => {
  function withLog(max?: number) {
    const log = fakeLabLog(max);
    const answers = fakeCompanion({
      'POST /api/labs': { status: 201, body: { id: ID, url: '', engine: 'TypeScript', lab: 'echo' } },
      [`POST /api/labs/${ID}/check`]: { status: 200, body: passing },
    });
    const clock = fakeClock();
    const env: LabEnv = {
      fetch: (async (input: string, init?: RequestInit) => {
        const url = new URL(input);
        return url.pathname === `/api/labs/${ID}/log` ? log.answer(url) : answers.fetch(input, init);
      }) as typeof fetch,
      origin: 'http://127.0.0.1:8080',
      storage: memoryStorage(),
      progress: null,
      now: () => new Date('2026-12-01T06:00:00Z'),
      every: clock.every,
      newTag: () => 'lab-echo-t1',
    };
    return { store: new LabStore(content, env), log, clock };
  }
  const texts = (lines: readonly LabLogLine[]): string[] => lines.map((l) => l.text);
  const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
  /** Lets the polls the fake clock started finish. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  };

  it('new lines keep coming after the log holds its 2,000, each once, asked for after the last one shown', async () => {
    const { store, log, clock } = withLog();
    // The log is full before the page first reads it: 2,000 lines held.
    log.write(2000);
    await store.run();
    expect(store.state.log.at(-1)?.text).toBe('line 2000');
    // It goes on, a few lines at a time, the oldest dropped to make room: every new line appears.
    for (const [n, last] of [[5, 2005], [1, 2006], [7, 2013]] as const) {
      log.write(n);
      clock.tick();
      await settle();
      expect(texts(store.state.log.slice(-n))).toEqual(range(last - n + 1, last));
    }
    expect(store.state.log).toHaveLength(OUTPUT_LINES);
    expect(texts(store.state.log)).toEqual(range(1014, 2013));
    expect(log.asked).toEqual(['?after=0', '?after=2000', '?after=2005', '?after=2006']);
    // Two polls under way at once (a slow companion) answer the same lines: they are shown once.
    log.write(3);
    clock.tick();
    clock.tick();
    await settle();
    expect(texts(store.state.log.slice(-4))).toEqual(range(2013, 2016));
    expect(new Set(store.state.log.map((l) => l.seq)).size).toBe(OUTPUT_LINES);
    expect(OUTPUT_LINES).toBe(1000);
    await store.stop();
  });

  it('lines the companion dropped before the page read them are counted in one line, the newest lines after it', async () => {
    const { store, log, clock } = withLog();
    log.write(3);
    await store.run();
    expect(texts(store.state.log)).toEqual(range(1, 3));
    // 2,500 lines between two polls: the companion keeps the newest 2,000, so 500 never reached the page.
    log.write(2500);
    clock.tick();
    await settle();
    const skipped = store.state.log.findIndex((l) => l.level === 'skipped');
    expect(store.state.log[skipped]).toEqual({
      time: 1000 + 1505,
      level: 'skipped',
      text: '… 1,501 lines skipped: your server logged faster than the Output can show.',
      line: null,
      seq: 1504,
    });
    // The newest 999 follow it; what was shown before it scrolled off the top.
    expect(skipped).toBe(0);
    expect(texts(store.state.log.slice(1))).toEqual(range(1505, 2503));
    log.write(1);
    clock.tick();
    await settle();
    expect(texts(store.state.log.slice(-2))).toEqual(['line 2503', 'line 2504']);
    expect(store.state.log.filter((l) => l.level === 'skipped')).toHaveLength(0);
    await store.stop();
  });

  it('lines dropped between two polls are counted in one line, between the lines shown before and after them', async () => {
    // Long lines: the companion's byte cap holds 250 of them.
    const { store, log, clock } = withLog(250);
    log.write(2);
    await store.run();
    log.write(300);
    clock.tick();
    await settle();
    expect(store.state.log.slice(0, 4)).toEqual([
      { time: 1001, level: 'stdout', text: 'line 1', line: 4, seq: 1 },
      { time: 1002, level: 'stdout', text: 'line 2', line: 4, seq: 2 },
      { time: 1053, level: 'skipped', text: '… 50 lines skipped: your server logged faster than the Output can show.', line: null, seq: 52 },
      { time: 1053, level: 'stdout', text: 'line 53', line: 4, seq: 53 },
    ]);
    expect(texts(store.state.log.slice(3))).toEqual(range(53, 302));
    log.write(251);
    clock.tick();
    await settle();
    expect(texts(store.state.log.slice(-251, -249))).toEqual(['… 1 line skipped: your server logged faster than the Output can show.', 'line 304']);
    expect(texts(store.state.log.slice(-250))).toEqual(range(304, 553));
    await store.stop();
  });
});

describe('LabStore: the check as it goes', () => {
  const names = ['a text message comes back', 'a ping gets a pong'];
  const results = [
    { name: names[0] as string, hidden: false, passed: true, failure: null },
    { name: names[1] as string, hidden: true, passed: false, failure: { client: 'alice', step: 2, action: 'expect a pong', expected: 'a pong', arrived: 'nothing within 2000 ms' } },
  ];

  /** A companion whose check answers line by line, each when the test says. */
  function streaming() {
    let send!: (line: unknown) => void;
    let end!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const encoder = new TextEncoder();
        send = (line) => controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        end = () => controller.close();
      },
    });
    const calls: { url: string; accept: string | null }[] = [];
    const fetch = (async (input: string, init: RequestInit = {}): Promise<Response> => {
      const path = new URL(input).pathname;
      calls.push({ url: `${init.method ?? 'GET'} ${path}`, accept: new Headers(init.headers).get('accept') });
      if (path === '/api/labs') return new Response(JSON.stringify({ id: ID, url: `ws://127.0.0.1:8080/labs/${ID}`, engine: 'Lua 5.4, embedded', lab: 'echo' }), { status: 201 });
      if (path.endsWith('/check')) return new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });
      return new Response('', { status: 200 });
    }) as typeof globalThis.fetch;
    const env: LabEnv = { fetch, origin: 'http://127.0.0.1:8080', storage: null, progress: null, now: () => new Date(0), every: () => () => {}, newTag: () => 'lab-echo-t1' };
    return { store: new LabStore(content, env), send, end, calls };
  }

  /** Resolves at the store's next state that `match` accepts. */
  const when = (store: LabStore, match: (state: LabStore['state']) => boolean): Promise<LabStore['state']> =>
    new Promise((resolve) => {
      const off = store.subscribe((state) => {
        if (!match(state)) return;
        off();
        resolve(state);
      });
    });

  it('shows each case as it starts with the results before it, then the verdict; asks for the progress by Accept', async () => {
    const { store, send, end, calls } = streaming();
    const running = store.run();
    await when(store, (s) => s.phase === 'checking');
    expect(store.state.checking).toBeNull();
    send({ t: 'case', index: 1, of: 2, name: names[0] });
    expect((await when(store, (s) => s.checking !== null)).checking).toEqual({ index: 1, of: 2, name: names[0], done: [] });
    send({ t: 'result', index: 1, result: results[0] });
    send({ t: 'case', index: 2, of: 2, name: names[1] });
    expect((await when(store, (s) => s.checking?.index === 2)).checking).toEqual({ index: 2, of: 2, name: names[1], done: [results[0]] });
    send({ t: 'result', index: 2, result: results[1] });
    send({ t: 'verdict', verdict: { passed: false, cases: results } });
    end();
    await running;
    expect([store.state.phase, store.state.checking, store.state.verdict]).toEqual(['running', null, { passed: false, cases: results }]);
    expect(calls.find((c) => c.url.endsWith('/check'))?.accept).toBe('application/x-ndjson');
  });

  it('reads the answer to its end before it shows the verdict, so the request is closed, not left open', async () => {
    const { store, send, end } = streaming();
    let settled = false;
    const running = store.run().then(() => (settled = true));
    await when(store, (s) => s.phase === 'checking');
    send({ t: 'case', index: 1, of: 1, name: names[0] });
    await when(store, (s) => s.checking !== null);
    send({ t: 'result', index: 1, result: results[0] });
    send({ t: 'verdict', verdict: { passed: true, cases: [results[0]] } });
    // Every line sent has been read once the result shows; the verdict line came in the same turn.
    await when(store, (s) => s.checking?.done.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([settled, store.state.phase, store.state.verdict]).toEqual([false, 'checking', null]);
    end();
    await running;
    expect([store.state.phase, store.state.verdict]).toEqual(['running', { passed: true, cases: [results[0]] }]);
  });

  it('an error line, or an answer cut before its verdict, says the check could not run', async () => {
    const first = streaming();
    const running = first.store.run();
    await when(first.store, (s) => s.phase === 'checking');
    first.send({ t: 'case', index: 1, of: 2, name: names[0] });
    first.send({ t: 'error', error: 'check_failed', message: 'The check could not run: boom' });
    first.end();
    await running;
    expect([first.store.state.phase, first.store.state.checking, first.store.state.problem]).toEqual(['running', null, 'The check could not run: boom']);

    const second = streaming();
    const cut = second.store.run();
    await when(second.store, (s) => s.phase === 'checking');
    second.send({ t: 'case', index: 1, of: 2, name: names[0] });
    second.end();
    await cut;
    expect(second.store.state.problem).toBe('The check could not run: the companion ended its answer before the verdict');
  });
});
