import { describe, expect, it } from 'vitest';
import { NGINX_WATCH, WorkerWatchdog, type WorkerSeen } from '../../../server/labs/openresty/watchdog.ts';

/**
 * The watch on an nginx lab's worker, with a fake worker: a clock, a CPU
 * counter, probes the test answers (or not) by hand, and where the worker
 * last ran the learner's code (`seen`; 'fails' rejects, 'later' waits for `tellWhere`).
 */
function fakeWorker(pid: number | null = 100) {
  const state = {
    t: 0,
    pid,
    rss: 10 * 1024 * 1024,
    cpu: 0,
    killed: [] as number[],
    reports: [] as string[],
    lines: [] as (number | null)[],
    asked: 0,
    seen: null as WorkerSeen | null | 'fails' | 'later',
    whereAsked: [] as number[],
  };
  const pending: (() => void)[] = [];
  const later: ((seen: WorkerSeen | null) => void)[] = [];
  const dog = new WorkerWatchdog({
    now: () => state.t,
    worker: () => state.pid,
    cpuMs: () => state.cpu,
    residentBytes: () => state.rss,
    probe: () => {
      state.asked += 1;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    kill: (pid) => void state.killed.push(pid),
    where: (pid) => {
      state.whereAsked.push(pid);
      if (state.seen === 'fails') return Promise.reject(new Error('no /proc'));
      if (state.seen === 'later') return new Promise((resolve) => later.push(resolve));
      return Promise.resolve(state.seen);
    },
    report: (text, line) => {
      state.reports.push(text);
      state.lines.push(line);
    },
  });
  // The server's first tick, at 0: the watch has seen the worker, and its silence counts from here.
  dog.tick();
  return {
    state,
    /** `ms` of time in ticks, the worker using `cpuShare` of it; it answers every probe at once when `answers`. */
    async run(ms: number, cpuShare: number, answers: boolean): Promise<void> {
      for (let done = 0; done < ms; done += NGINX_WATCH.tickMs) {
        state.t += NGINX_WATCH.tickMs;
        state.cpu += NGINX_WATCH.tickMs * cpuShare;
        dog.tick();
        if (answers) for (const answer of pending.splice(0)) answer();
        await settle();
      }
    },
    tellWhere: async (seen: WorkerSeen | null) => {
      for (const tell of later.splice(0)) tell(seen);
      await settle();
    },
    answerAll: async () => {
      for (const answer of pending.splice(0)) answer();
      await settle();
    },
  };
}

/** Lets every promise the watch is waiting on go on. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const BUSY_AT_LINE_7 =
  "your handler kept nginx's worker busy for 3 s without yielding (an endless loop?) at line 7, so no other connection was served. " +
  'The lab killed that worker and nginx started a new one; a real nginx would stay stuck. Lua in nginx must give the worker back: end the loop, or wait in it (a socket read, ngx.sleep).';
const BUSY_NO_LINE =
  "your handler kept nginx's worker busy for 3 s without yielding (an endless loop?), so no other connection was served. " +
  'The lab killed that worker and nginx started a new one; a real nginx would stay stuck. Lua in nginx must give the worker back: end the loop, or wait in it (a socket read, ngx.sleep).';

describe('the watch on an nginx lab worker', () => {
  it('kills a worker that burns CPU without answering for more than 2 s, once, and says why', async () => {
    const w = fakeWorker();
    await w.run(2000, 1, false);
    expect(w.state.killed).toEqual([]);
    await w.run(500, 1, false);
    expect(w.state.killed).toEqual([100]);
    expect(w.state.reports).toEqual([BUSY_NO_LINE]);
    expect(w.state.lines).toEqual([null]);
    // The master starts a new worker: its time starts now, and it is not killed for the old one's silence.
    w.state.pid = 101;
    await w.run(2000, 0, true);
    expect(w.state.killed).toEqual([100]);
  });

  it('leaves a busy worker alone while it answers, however long it is busy', async () => {
    const w = fakeWorker();
    await w.run(60_000, 1, true);
    expect(w.state.killed).toEqual([]);
    // One probe at a time: one per tick, each answered before the next.
    expect(w.state.asked).toBe(60_000 / NGINX_WATCH.tickMs);
  });

  it('gives an idle, silent worker 15 s (a starved worker on a loaded machine), then kills it as blocked', async () => {
    const w = fakeWorker();
    await w.run(15_000, 0.1, false);
    expect(w.state.killed).toEqual([]);
    await w.run(500, 0.1, false);
    expect(w.state.killed).toEqual([100]);
    expect(w.state.reports[0]).toMatch(/^nginx's worker did not answer for 16 s \(a call that blocks the whole process/);
    // Not a loop: the line it was at says nothing of the call that holds it, and is not asked for.
    expect([w.state.lines, w.state.whereAsked]).toEqual([[null], []]);
  });

  it('a worker on a quarter of a core counts as busy: one sharing two cores with a loaded machine is still caught', async () => {
    const w = fakeWorker();
    await w.run(2500, 0.25, false);
    expect(w.state.killed).toEqual([100]);
    const under = fakeWorker();
    await under.run(2500, 0.2, false);
    expect(under.state.killed).toEqual([]);
  });

  it('restarts every clock when its own tick came late: the companion was held up, not the worker', async () => {
    const w = fakeWorker();
    await w.run(2000, 1, false);
    w.state.t += NGINX_WATCH.tickMs + NGINX_WATCH.lateMs + 1;
    w.state.cpu += 10_000;
    // The late tick is the new start: 2 s from it is not yet more than 2 s, the tick after is.
    await w.run(2500, 1, false);
    expect(w.state.killed).toEqual([]);
    await w.run(500, 1, false);
    expect(w.state.killed).toEqual([100]);
  });

  it('does nothing while nginx has no worker; the next one starts with a clock of its own', async () => {
    const w = fakeWorker(null);
    await w.run(20_000, 1, false);
    expect([w.state.killed, w.state.asked]).toEqual([[], 0]);
    w.state.pid = 100;
    await w.run(2500, 1, false);
    expect(w.state.killed).toEqual([]);
    await w.run(500, 1, false);
    expect(w.state.killed).toEqual([100]);
  });

  it('a late answer to a probe of a killed worker does not count for the next', async () => {
    const w = fakeWorker();
    await w.run(2500, 1, false);
    expect(w.state.killed).toEqual([100]);
    w.state.pid = 101;
    await w.run(1500, 1, false);
    await w.answerAll();
    await w.run(1000, 1, false);
    expect(w.state.killed).toEqual([100]);
    await w.run(500, 1, false);
    expect(w.state.killed).toEqual([100, 101]);
  });

  it('kills a worker whose memory passes 256 MiB, however well it answers', async () => {
    const w = fakeWorker();
    w.state.rss = NGINX_WATCH.rssBytes;
    await w.run(5000, 0.1, true);
    expect(w.state.killed).toEqual([]);
    w.state.rss = NGINX_WATCH.rssBytes + 1;
    await w.run(500, 0.1, true);
    expect(w.state.killed).toEqual([100]);
    expect([w.state.lines, w.state.whereAsked]).toEqual([[null], []]);
    expect(w.state.reports).toEqual([
      "your handler's nginx worker grew to 256 MiB of memory (a lab's limit is 256 MiB: something that only grows, such as a table of every message?). " +
        'The lab killed that worker and nginx started a new one; the connections it held dropped.',
    ]);
  });

  it('a killed worker still listed while it goes away (256 MiB take a while to free) is killed and reported once', async () => {
    const w = fakeWorker();
    w.state.rss = NGINX_WATCH.rssBytes + 1;
    await w.run(1500, 0.1, true);
    expect([w.state.killed, w.state.reports.length]).toEqual([[100], 1]);
    // The master starts the next worker; its memory is watched as any worker's is.
    w.state.pid = 101;
    w.state.rss = 10 * 1024 * 1024;
    await w.run(1000, 0.1, true);
    expect(w.state.killed).toEqual([100]);
    w.state.rss = NGINX_WATCH.rssBytes + 1;
    await w.run(500, 0.1, true);
    expect([w.state.killed, w.state.reports.length]).toEqual([[100, 101], 2]);
  });

  it('a busy worker still listed after its kill is not killed again, nor timed as a new worker', async () => {
    const w = fakeWorker();
    await w.run(2500, 1, false);
    expect(w.state.killed).toEqual([100]);
    await w.run(5000, 1, false);
    expect([w.state.killed, w.state.reports.length]).toEqual([[100], 1]);
  });
});

describe('the line a killed busy worker was at', () => {
  it('names the line the worker wrote just before the kill, in the text and as the log line\'s line', async () => {
    const w = fakeWorker();
    // Killed at 2500 ms; it last wrote line 7 at 2490.
    w.state.seen = { line: 7, at: 2490 };
    await w.run(2500, 1, false);
    expect(w.state.killed).toEqual([100]);
    expect(w.state.whereAsked).toEqual([100]);
    expect(w.state.reports).toEqual([BUSY_AT_LINE_7]);
    expect(w.state.lines).toEqual([7]);
  });

  it('a line written up to 1 s before the kill still names the loop (a worker starved on a loaded machine writes less often)', async () => {
    const w = fakeWorker();
    w.state.seen = { line: 7, at: 2500 - NGINX_WATCH.seenMs };
    await w.run(2500, 1, false);
    expect(w.state.lines).toEqual([7]);
    expect(w.state.reports).toEqual([BUSY_AT_LINE_7]);
  });

  it('a line written after the kill was decided (the worker ran on until the signal landed) names the loop too', async () => {
    const w = fakeWorker();
    w.state.seen = { line: 7, at: 2504 };
    await w.run(2500, 1, false);
    expect(w.state.lines).toEqual([7]);
  });

  it('an older line is where a C call began, not a loop: the message names no line', async () => {
    const w = fakeWorker();
    w.state.seen = { line: 3, at: 2500 - NGINX_WATCH.seenMs - 1 };
    await w.run(2500, 1, false);
    expect(w.state.reports).toEqual([BUSY_NO_LINE]);
    expect(w.state.lines).toEqual([null]);
  });

  it('no line known, or the question failed: today\'s message, with no line', async () => {
    const none = fakeWorker();
    await none.run(2500, 1, false);
    expect([none.state.reports, none.state.lines]).toEqual([[BUSY_NO_LINE], [null]]);
    const fails = fakeWorker();
    fails.state.seen = 'fails';
    await fails.run(2500, 1, false);
    expect([fails.state.reports, fails.state.lines]).toEqual([[BUSY_NO_LINE], [null]]);
  });

  it('reports once the answer comes, judged against the time of the kill; the watch goes on meanwhile', async () => {
    const w = fakeWorker();
    w.state.seen = 'later';
    await w.run(2500, 1, false);
    expect(w.state.killed).toEqual([100]);
    expect(w.state.reports).toEqual([]);
    // The next worker is watched while the answer is on its way, and the answer comes long after the kill.
    w.state.pid = 101;
    await w.run(1500, 0, true);
    await w.tellWhere({ line: 7, at: 2400 });
    expect(w.state.reports).toEqual([BUSY_AT_LINE_7]);
    expect(w.state.lines).toEqual([7]);
    expect(w.state.killed).toEqual([100]);
  });
});
