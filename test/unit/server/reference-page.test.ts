import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAT_COMMAND_TYPES } from '../../../protocol/chat.ts';
import { CLOSE, LIMITS } from '../../../protocol/constants.ts';
import { ENDPOINTS, HTTP_PATHS } from '../../../protocol/endpoints.ts';
import { ERROR_CODES } from '../../../protocol/errors.ts';
import { FEED_TOPIC_NAMES } from '../../../protocol/feed.ts';
import { USAGE } from '../../../server/cli.ts';

/** The "Companion server" page is the contract; a new code, path or flag must appear on it. */
const page = readFileSync(new URL('../../../src/content/docs/reference/server.mdx', import.meta.url), 'utf8');

describe('reference/server.mdx', () => {
  it.each(Object.values(ERROR_CODES))('documents error code %s', (code) => {
    expect(page).toContain(`\`${code}\``);
  });

  it.each([...Object.values(ENDPOINTS), ...Object.values(HTTP_PATHS)])('documents path %s', (path) => {
    expect(page).toMatch(new RegExp(`\`(GET |POST )?${path.replace(/[/]/g, '\\/')}[\`?]`));
  });

  it.each([...USAGE.matchAll(/^\s+(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1] as string))('documents flag %s', (flag) => {
    expect(page).toContain(`\`${flag}`);
  });

  it.each(FEED_TOPIC_NAMES)('documents feed topic %s', (topic) => {
    expect(page).toContain(`\`${topic}\``);
  });

  it.each(CHAT_COMMAND_TYPES)('documents chat command %s', (type) => {
    expect(page).toContain(`{"type":"${type}"`);
  });

  it.each(Object.entries(CLOSE).filter(([name]) => name !== 'mandatoryExtension'))('documents close code %s (%i)', (_name, code) => {
    expect(page).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('states the limits as the code has them', () => {
    expect(page).toContain(`| Message size | 64 KiB`);
    expect(LIMITS.maxPayload).toBe(64 * 1024);
    expect(page).toContain(`${LIMITS.rateLimitPerSecond} messages/s per connection, bursts of ${LIMITS.rateLimitBurst}`);
    expect(page).toContain(`After ${LIMITS.rateLimitAbuse} refusals in a burst (forgiven at ${LIMITS.rateLimitPerSecond / 4} per second)`);
    expect(page).toContain(`| Chat history | ${LIMITS.chatHistory} messages`);
    expect(page).toContain(`| Inspector preview | ${LIMITS.inspectPreviewBytes} bytes`);
    expect(page).toContain(`${LIMITS.inspectEventsPerSecond} frame events/s, bursts of ${LIMITS.inspectEventsBurst}`);
    expect(page).toContain(`Still over the bound ${LIMITS.slowConsumerGraceSeconds} seconds later`);
  });
});
