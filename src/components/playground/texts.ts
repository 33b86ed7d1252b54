/**
 * Sentences the playground shows in its Output and check panel, in one
 * place so the e2e tests assert the very words a learner reads.
 */

/** Run, when the companion server is down (and the badge says "Server: not running"). */
export const COMPANION_DOWN_TEXT = 'The companion server is not running — start it with `npm start` in the course folder, then press Run again.';

/** A run that has gone quiet without ending: a socket left open, a timer pending. */
export const STILL_RUNNING_TEXT = 'Still running: a connection or a timer is still open. Press Stop to end the run and check it.';

/** First line of a TypeScript run, shown while the code is transpiled. */
export const PREPARING_TS_TEXT = 'Preparing TypeScript…';
