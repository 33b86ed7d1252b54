import { defineConfig } from 'vitest/config';

/**
 * Three projects, tuned for a 2-core machine (figures in scripts/test.ts).
 * `npm test` runs unit and integration side by side and e2e once the site is
 * built; a plain `vitest run` runs the projects one after another
 * (`sequence.groupOrder`), since each has its own worker count.
 */
export default defineConfig({
  test: {
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
          testTimeout: 20_000,
          // Starting a server child, nginx or redis can take more than the
          // default 10 s when both cores are busy; the hooks wait for events.
          hookTimeout: 60_000,
          // These files mostly wait (on servers, nginx, redis, child
          // processes), so more run at once than there are cores. Each file
          // keeps its own process and its own servers on port 0.
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium for the project, launched once; files connect to it.
          globalSetup: ['test/e2e/global-setup.ts'],
          // One file at a time: the machine has two cores.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
