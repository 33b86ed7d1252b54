import { afterAll, beforeAll, it } from 'vitest';
import { feedScenario } from '../samples/feed-scenario.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';

describeOpenResty('OpenResty live feed (lessons/live-feeds)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({ locations: { '/feed': 'samples/lua/feed.lua' } });
  });
  afterAll(() => nginx?.stop());

  it('pushes the subscribed topics every second, follows subscribe/unsubscribe, answers bad JSON with an error', async () => {
    await feedScenario((query) => nginx.url(`/feed?${query}`), 1000);
  });
});
