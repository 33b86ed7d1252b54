import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../server/config.ts';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeRedis, RedisServer } from '../integration/redis-server.ts';
import { findTestChromium, load, useBrowser } from './harness.ts';
import { sayGo, speakOnGo } from './speak-on-go.ts';

/**
 * The Redis lane of the live diagram (issue 19): the scaling-out lesson's
 * two-client broadcast playground against a companion started with --redis,
 * at 1280 px. Each line is published to Redis once and delivered once per
 * client, each delivery drawn just above the frame it causes.
 *
 * The clients speak on "go" (speak-on-go.ts), so every run draws the same rows.
 */

/** What the line of `bytes` on Redis (a kind byte, then the message) says. */
const SAID: Record<string, string> = { '3': 'go', '15': 'bob says hello', '17': 'alice says hello' };

const suite = findTestChromium() ? describeRedis('Redis lane e2e tests') : describe.skip;

suite('the live diagram\'s Redis lane', () => {
  let redis: RedisServer | undefined;
  const options: ServerOptions = {};
  // Registered before the harness's hooks: Redis is up before the companion starts, and stops after it.
  beforeAll(async () => {
    redis = await RedisServer.start();
    options.redis = redis.url;
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });
  const env = useBrowser(options);

  it('draws a publish and a delivery per client through a Redis lane right of the server, fitting 1280 px', async () => {
    const { page, consoleErrors, foreignRequests } = await env.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.addInitScript(([key, code]) => localStorage.setItem(key as string, code as string), [progressKeys.code('scaling-redis-hop', 'shared'), speakOnGo(2)]);
    await load(page, `${env.origin}/lessons/scaling-out/`);
    await page.locator('#scaling-redis-hop').getByRole('button', { name: 'Run', exact: true }).click();
    await sayGo(page, env.origin, 'scaling-redis-hop', 2);
    const diagram = page.locator('#scaling-redis-hop-diagram');
    const frames = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
    const words = async (): Promise<string[]> => (await frames.allTextContents()).map((t) => t.replace(/^\+[\d.]+ m?s: /, '').split(/\+[\d.]+ m?s/)[0] ?? t);
    // Each client closes once it has heard both lines; every row is drawn once both closing handshakes are.
    await expect.poll(async () => (await words()).filter((r) => /^server → (alice|bob): close 1000/.test(r)).length, { timeout: 30_000 }).toBe(2);
    const rows = await words();
    const hops = rows.filter((r) => r.includes('Redis'));
    expect([...hops].sort()).toEqual([
      'Redis → server: Redis delivers a message on channel fd:broadcast that goes to alice, 15 bytes',
      'Redis → server: Redis delivers a message on channel fd:broadcast that goes to alice, 17 bytes',
      'Redis → server: Redis delivers a message on channel fd:broadcast that goes to alice, 3 bytes',
      'Redis → server: Redis delivers a message on channel fd:broadcast that goes to bob, 15 bytes',
      'Redis → server: Redis delivers a message on channel fd:broadcast that goes to bob, 17 bytes',
      'Redis → server: Redis delivers a message on channel fd:broadcast that goes to bob, 3 bytes',
      "server → Redis: publishes alice's message to Redis, channel fd:broadcast, 17 bytes",
      "server → Redis: publishes bob's message to Redis, channel fd:broadcast, 15 bytes",
    ]);
    // Cause before effect: each delivery's next row is its frame to that client.
    rows.forEach((row, i) => {
      const to = /goes to (\w+), (\d+) bytes$/.exec(row);
      if (to) expect(rows[i + 1]).toBe(`server → ${to[1]}: text "${SAID[to[2] as string]}" (${Number(to[2]) - 1} bytes)`);
    });
    // The rows are found by role and name, and a Redis row opens its fields.
    const publish = frames.filter({ hasText: "server → Redis: publishes alice's message" });
    await publish.click();
    const detail = diagram.getByRole('region', { name: 'Frame detail' });
    await expect.poll(async () => (await detail.textContent()) ?? '').toMatch(/directionpublish[\s\S]*channelfd:broadcast[\s\S]*bytes17/);

    // The lane heads read the two clients (in the order their handshakes arrived, which the two
    // sockets race for), then server, then Redis, all inside the viewport with nothing to scroll.
    const viewport = diagram.locator('[data-viewport]');
    const names = diagram.locator('[data-lanes] text.sd-name');
    const heads = await names.allTextContents();
    expect(heads.slice(2)).toEqual(['server', 'Redis']);
    expect(heads.slice(0, 2).sort()).toEqual(['alice', 'bob']);
    const box = await viewport.boundingBox();
    const server = await names.nth(2).boundingBox();
    const lane = await names.nth(3).boundingBox();
    if (!box || !server || !lane) throw new Error('diagram not laid out');
    expect(lane.x).toBeGreaterThan(server.x + server.width);
    expect(lane.x + lane.width).toBeLessThanOrEqual(box.x + box.width);
    expect(await viewport.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await viewport.scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('../../reports/diagram-redis-1280.png', import.meta.url).pathname, fullPage: false });
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 120_000);
});
