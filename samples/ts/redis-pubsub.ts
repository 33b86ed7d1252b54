// PubSub over Redis with node-redis. A connection that has subscribed can
// only do pub/sub, so publishing needs a second connection.
import { createClient } from 'redis';
import type { PubSub, Unsubscribe } from './pubsub.ts';

export async function redisPubSub(url: string): Promise<PubSub & { close(): Promise<void> }> {
  const publisher = createClient({ url });
  const subscriber = publisher.duplicate();
  for (const client of [publisher, subscriber]) client.on('error', (error) => console.error(`redis: ${error}`));
  await Promise.all([publisher.connect(), subscriber.connect()]);

  return {
    async publish(channel, message) {
      await publisher.publish(channel, message);
    },
    async subscribe(channel, onMessage): Promise<Unsubscribe> {
      await subscriber.subscribe(channel, onMessage);
      return () => subscriber.unsubscribe(channel, onMessage);
    },
    async close() {
      await Promise.all([publisher.close(), subscriber.close()]);
    },
  };
}
