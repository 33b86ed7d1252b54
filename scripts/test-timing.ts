import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * A vitest reporter that writes how long each test file took, so `npm test`
 * can say where the time goes: `--reporter=./scripts/test-timing.ts` with
 * `FULL_DUPLEX_TIMING=<file.json>` set. A file's time is its import (with
 * every suite callback), its setup files, and its tests and hooks.
 */
export interface FileTiming {
  project: string;
  file: string;
  /** Milliseconds: import + setup + tests and hooks. */
  ms: number;
  tests: number;
}

export default class TimingReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const out = process.env['FULL_DUPLEX_TIMING'];
    if (!out) return;
    const rows: FileTiming[] = modules.map((module) => {
      const d = module.diagnostic();
      return {
        project: module.project.name,
        file: relative(process.cwd(), module.moduleId),
        ms: Math.round(d.prepareDuration + d.collectDuration + d.setupDuration + d.duration),
        tests: [...module.children.allTests()].length,
      };
    });
    writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
  }
}
