import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { REDIS_SERVER } from '../../tools/redis-server.ts';

export { RedisServer } from '../../tools/redis-server.ts';

/** `describe` when redis-server is installed; otherwise a loud skip, or a failure under CI=true. */
export function describeRedis(what: string): typeof describe | typeof describe.skip {
  if (existsSync(REDIS_SERVER)) return describe;
  const message = `${what}: missing ${REDIS_SERVER}. Install with: sudo apt-get install -y redis-server`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${message}`);
  process.stderr.write(`\n!! SKIPPING ${message}\n\n`);
  return describe.skip;
}
