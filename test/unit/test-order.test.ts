import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestSpecification, Vitest } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import LongestFirst, { LONGEST_FIRST } from '../../scripts/test-order.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A file of a project as the sequencer sees it (the fields BaseSequencer reads). */
function spec(project: string, groupOrder: number, file: string): TestSpecification {
  return { moduleId: `${root}${file}`, project: { name: project, config: { isolate: true, sequence: { groupOrder } } } } as unknown as TestSpecification;
}

/** The sequencer with vitest's cache replaced: `timed` files have a duration from an earlier run. */
function sequencer(timed: Record<string, number>): LongestFirst {
  const ctx = {
    config: { root: root.replace(/\/$/, '') },
    cache: {
      getTestSpecificationResult: (s: TestSpecification) => {
        const duration = timed[s.moduleId.slice(root.length)];
        return duration === undefined ? undefined : { duration, failed: false };
      },
    },
  };
  return new LongestFirst(ctx as unknown as Vitest);
}

const names = (specs: TestSpecification[]): string[] => specs.map((s) => `${s.project.name} ${s.moduleId.slice(root.length)}`);

describe('the order test files start in (scripts/test-order.ts)', () => {
  it('names only files that exist: a renamed file would silently lose its place', () => {
    expect(LONGEST_FIRST.filter((file) => !existsSync(`${root}${file}`))).toEqual([]);
  });

  const files = [
    spec('e2e', 2, 'test/e2e/quiz.test.ts'),
    spec('e2e', 2, 'test/e2e/site.test.ts'),
    spec('e2e', 2, 'test/e2e/pages-laptop.test.ts'),
    spec('integration', 1, 'test/integration/cli.test.ts'),
    spec('integration', 1, 'test/integration/labs/ts-labs.test.ts'),
    spec('unit', 0, 'test/unit/cli.test.ts'),
  ];

  it('on a clean clone, starts the listed files first in the listed order, projects in vitest\'s order', async () => {
    await expect(sequencer({}).sort(files).then(names)).resolves.toEqual([
      'unit test/unit/cli.test.ts',
      'integration test/integration/labs/ts-labs.test.ts',
      'integration test/integration/cli.test.ts',
      'e2e test/e2e/pages-laptop.test.ts',
      'e2e test/e2e/quiz.test.ts',
      // vitest's own order after the list: the bigger file first.
      'e2e test/e2e/site.test.ts',
    ]);
  });

  it('with every file timed by an earlier run, keeps vitest\'s order: longest first by those timings', async () => {
    const timed = {
      'test/e2e/quiz.test.ts': 30,
      'test/e2e/site.test.ts': 90,
      'test/e2e/pages-laptop.test.ts': 10,
      'test/integration/cli.test.ts': 50,
      'test/integration/labs/ts-labs.test.ts': 5,
      'test/unit/cli.test.ts': 1,
    };
    await expect(sequencer(timed).sort(files).then(names)).resolves.toEqual([
      'unit test/unit/cli.test.ts',
      'integration test/integration/cli.test.ts',
      'integration test/integration/labs/ts-labs.test.ts',
      'e2e test/e2e/site.test.ts',
      'e2e test/e2e/quiz.test.ts',
      'e2e test/e2e/pages-laptop.test.ts',
    ]);
  });
});
