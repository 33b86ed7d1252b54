import { afterAll, beforeAll, it } from 'vitest';
import { chatScenario } from '../samples/chat-scenario.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';

describeOpenResty('OpenResty chat (lessons/chat)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({ locations: { '/chat': 'samples/lua/chat.lua' } });
  });
  afterAll(() => nginx?.stop());

  it('welcomes, announces joins and leaves, relays to everyone but the sender, refuses bad and taken names', async () => {
    await chatScenario((name) => nginx.url(`/chat?name=${encodeURIComponent(name)}`));
  });
});
