import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order test files start in, when vitest has no timings of its own.
 *
 * vitest starts the files that took longest last time first, so the last files to finish are short
 * ones and no core waits at the end. On a clean clone (CI, a newcomer's first `npm test`) it has no
 * timings and starts the biggest files first, and size says little here: pages.test.ts, then the
 * longest file (140–220 s; now pages-laptop and pages-phone), was the 14th biggest of 23 in e2e, and
 * ts-labs.test.ts (70–90 s) the 27th of 58 in integration. Started halfway, each ran on alone at the end: a fresh run took 357 s with vitest's
 * order. These files go first, in this order (file times from `npm test`'s report, 2026-12-02);
 * any file with a timing of its own from an earlier run is ordered by vitest as before.
 */
export const LONGEST_FIRST = [
  'test/e2e/pages-laptop.test.ts',
  'test/e2e/pages-phone.test.ts',
  'test/e2e/quiz.test.ts',
  'test/e2e/diagram-geometry.test.ts',
  'test/e2e/playground.test.ts',
  'test/e2e/collab.test.ts',
  'test/e2e/lab.test.ts',
  'test/integration/labs/differential.test.ts',
  'test/integration/labs/ts-labs.test.ts',
  'test/integration/labs/openresty.test.ts',
  'test/integration/playgrounds/checks-repeat.test.ts',
  'test/integration/labs/labs.test.ts',
  'test/integration/server/attacks.test.ts',
  'test/integration/playgrounds/shared-doc.test.ts',
  'test/integration/playgrounds/playgrounds.test.ts',
] as const;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    if (sorted.every((spec) => this.ctx.cache.getTestSpecificationResult(spec))) return sorted;
    const root = this.ctx.config.root.replace(/\/?$/, '/');
    const rank = (spec: TestSpecification): number => {
      const at = (LONGEST_FIRST as readonly string[]).indexOf(spec.moduleId.slice(root.length));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Projects keep the order vitest gave them (groupOrder, then name); within one, listed files first.
    const projectAt = new Map<string, number>();
    for (const spec of sorted) if (!projectAt.has(spec.project.name)) projectAt.set(spec.project.name, projectAt.size);
    return [...sorted].sort((a, b) => (projectAt.get(a.project.name) ?? 0) - (projectAt.get(b.project.name) ?? 0) || rank(a) - rank(b));
  }
}
