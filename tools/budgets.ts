/**
 * The quality budgets in one place: what the page-weight test, the audit and
 * the benchmarks hold the site to. Change a number here, nowhere else.
 */

/** Pages `npm run audit` runs Lighthouse on (only those that exist are built). */
export const AUDIT_PAGES = ['/', '/lessons/first-client/', '/lessons/handshake-and-frames/', '/quiz/', '/projects/dashboard/', '/projects/collaborative-editor/'];

/** Lighthouse category targets, 0–100. */
export const AUDIT_TARGETS = {
  performance: 95,
  accessibility: 100,
  bestPractices: 100,
  seo: 95,
} as const;

/** Page weight before any interaction, gzip bytes (issue: quality gates). */
export const PAGE_WEIGHT = {
  /** JavaScript a page loads before interaction, Monaco excluded. */
  jsGzipBytes: 100 * 1024,
  /** Everything a lesson page transfers before interaction. */
  lessonTotalGzipBytes: 300 * 1024,
} as const;

/** Requests that belong to the Monaco editor (its chunks and workers). */
export const MONACO_REQUEST = /monaco|editor\.(?:main|api|worker)|(?:ts|json|css|html)\.worker|tsMode|codicon/i;

/** The lesson the e2e run photographs at 375 and 1280 px (one with a playground). */
export const SCREENSHOT_PAGE = '/lessons/echo-server/';
