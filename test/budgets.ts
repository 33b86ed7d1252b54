/**
 * The quality budgets in one place: what the page-weight test, the audit and
 * the benchmarks hold the site to. Change a number here, nowhere else.
 */

/** Pages `npm run audit` runs Lighthouse on (only those that exist are built). */
export const AUDIT_PAGES = ['/', '/lessons/why-websockets/', '/references/'];

/** Lighthouse category targets, 0–100. */
export const AUDIT_TARGETS = {
  performance: 95,
  accessibility: 100,
  bestPractices: 100,
  seo: 95,
} as const;
