import { defineConfig } from 'vitest/config';
import LongestFirst from './scripts/test-order.ts';

/**
 * Three projects, tuned for a 2-core machine (figures in scripts/test.ts).
 * `npm test` runs unit and integration beside the build, and e2e beside them
 * once the site is built; a plain `vitest run` runs the projects one after
 * another (`sequence.groupOrder`).
 */
export default defineConfig({
  test: {
    // The longest files start first on a clean clone too (scripts/test-order.ts).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Pure code: the files share one thread and its module cache, so the
          // project takes seconds, not a minute of re-importing per file.
          pool: 'threads',
          isolate: false,
          maxWorkers: 1,
          // A bound for busy cores (e2e and integration run beside these),
          // not a budget: the Lua VM and TypeScript tests took over 5 s then.
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // expect.poll waits for what it polls; its default of giving up after 1 s is a
          // wall-clock budget, which a busy machine overran (a quiz tap, a diagram's
          // detail, each in a full run with both cores busy). A bound, not a budget:
          expect: { poll: { timeout: 15_000 } },
          testTimeout: 20_000,
          // Starting a server child, nginx or redis can take more than the
          // default 10 s when both cores are busy; the hooks wait for events.
          hookTimeout: 60_000,
          // Two files at a time. The files wait more than they compute (lab checks
          // run on timers: a feed ticks once a second, a heartbeat pings every
          // second), so one at a time left a core idle: on 2026-12-02 a full run
          // used 594 CPU-s in 607 s on two cores, integration alone the whole 607 s.
          // Two at a time: 342 s, 588 CPU-s. Three at a time beside e2e failed
          // checks that judge a server within a window (a frame within 2 s) on the
          // slower machine of 2026-12-01, where a run needed 1,664 CPU-s.
          fileParallelism: true,
          maxWorkers: 2,
          // A worker process runs its files one after another and keeps its module cache:
          // a fresh process per file (vitest's default) re-imported the server for each of
          // the 59 files. Alone, 134 -> 114 CPU-s. Every file starts and stops its own
          // servers, children and nginx; none mocks a module or stubs a global.
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // expect.poll waits for what it polls; its default of giving up after 1 s is a
          // wall-clock budget, which a busy machine overran (a quiz tap, a diagram's
          // detail, each in a full run with both cores busy). A bound, not a budget:
          expect: { poll: { timeout: 15_000 } },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium for the project, launched once; files connect to it.
          globalSetup: ['test/e2e/global-setup.ts'],
          // Three files at a time, sharing the one Chromium (a context each). One
          // at a time e2e took 487 s, mostly waiting on the companion's labs and
          // timers. Two at a time it was the run's critical path (fresh runs of
          // 2026-12-02: 361–374 s, the two cores 86–89% busy); three keeps them
          // 96–100% busy (346–353 s). More only adds contention: the run is
          // CPU-bound now (about 670 CPU-s, 58% of it Chromium).
          fileParallelism: true,
          maxWorkers: 3,
          // As in integration: a worker keeps its module cache (playwright's client, the
          // server) from file to file. 20 e2e files alone: 229 -> 216 CPU-s.
          isolate: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
