import { afterAll, beforeAll, expect, it } from 'vitest';
import { feedScenario } from '../samples/feed-scenario.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';

describeOpenResty('OpenResty live feed (lessons/live-feeds)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({ locations: { '/feed': 'samples/lua/feed.lua', '/sub-ms-wait': 'test/fixtures/lua/sub-ms-wait.lua' } });
  });
  afterAll(() => nginx?.stop());

  it('pushes the subscribed topics every second, follows subscribe/unsubscribe, answers bad JSON with an error', async () => {
    await feedScenario((query) => nginx.url(`/feed?${query}`), 1000);
  });

  // feed.lua's writer waits "until the next tick"; with under 1 ms to go that wait returned at once
  // and the loop spun with the worker frozen (an adversarial run saw no answer for 5 s, and the
  // stopped nginx left that worker spinning). What nginx does, pinned:
  it('a semaphore wait under 1 ms returns "timeout" at once without yielding; 1 ms yields', async () => {
    const res = await fetch(nginx.url('/sub-ms-wait').replace('ws:', 'http:'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('0.4 ms waits: 1000 of 1000 returned nil, timeout (the first: nil, timeout); ngx.now() moved: false\na 1 ms wait: false timeout; ngx.now() moved: true\n');
    expect(nginx.errorLog()).not.toMatch(/\[(error|crit|alert|emerg)\]/);
  });
});
