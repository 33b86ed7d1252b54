// A broadcast server that can run as many copies as you like: each copy
// sends only to its own clients, and copies learn about each other's
// messages through a PubSub channel. `REDIS_URL=redis://127.0.0.1:6379 node
// fanout-server.ts` uses Redis; without REDIS_URL it runs alone, in memory.
import { WebSocket, WebSocketServer } from 'ws';
import { MemoryPubSub, type PubSub } from './pubsub.ts';
import { redisPubSub } from './redis-pubsub.ts';

const CHANNEL = 'room';

export async function startNode(port: number, pubsub: PubSub): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port, maxPayload: 4 * 1024 });
  const listening = new Promise((resolve) => wss.once('listening', resolve));

  // Messages from every copy, this one included, reach this copy's clients here.
  const unsubscribe = await pubsub.subscribe(CHANNEL, (message) => {
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(message);
    }
  });

  wss.on('connection', (socket) => {
    // Never send to other clients directly: publish, and let the
    // subscription above deliver it everywhere, here too.
    socket.on('message', (data, isBinary) => {
      if (!isBinary) void pubsub.publish(CHANNEL, data.toString());
    });
    socket.on('error', (error) => console.error(`error: ${error.message}`));
  });

  await listening;
  const address = wss.address();
  return {
    // With port 0 the system picks a free one; report which.
    port: typeof address === 'object' && address !== null ? address.port : port,
    async close() {
      await unsubscribe();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

if (import.meta.main) {
  const url = process.env.REDIS_URL;
  const pubsub = url ? await redisPubSub(url) : new MemoryPubSub();
  const node = await startNode(Number(process.env.PORT ?? 8080), pubsub);
  console.log(`fan-out node on ws://localhost:${node.port} (${url ? 'redis' : 'memory'})`);
}
