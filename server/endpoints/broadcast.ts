import { MemoryBus, redisChannel } from '../scale/bus.ts';
import { Outlet } from './outlet.ts';
import { rateGate } from './limits.ts';
import type { Endpoint, EndpointContext } from './types.ts';

const TEXT = Buffer.from([0]);
const BINARY = Buffer.from([1]);
const CHANNEL = 'broadcast';

/**
 * `/broadcast`: each data message to every open /broadcast client, sender included, same type.
 * Messages go out through the bus and are delivered from it (first byte: 1 binary, 0 text),
 * so with several processes every client of every process gets each one once.
 * With --redis, a watched connection's inspector also sees each hop through Redis: the
 * publish of its message, and each delivery just before the frame it causes (none for a
 * client that is closing, or too slow to be sent to: no frame follows).
 */
export function broadcastEndpoint(ctx: EndpointContext): Endpoint {
  const outlets = new Set<Outlet>();
  const bus = ctx.bus ?? new MemoryBus();
  bus.onBytes(CHANNEL, (payload, viaRedis) => {
    const isBinary = payload[0] === 1;
    const data = payload.subarray(1);
    for (const outlet of outlets) {
      const hop = viaRedis
        ? () => outlet.conn.hop?.(() => ({ kind: 'hop', conn: outlet.conn.id, t: ctx.now(), via: 'redis', dir: 'deliver', channel: redisChannel(CHANNEL), bytes: payload.length }))
        : undefined;
      outlet.offer(data, isBinary, hop);
    }
  });
  return {
    kind: 'broadcast',
    admit: () => ({
      ok: true,
      open: (conn) => {
        const outlet = new Outlet(conn, ctx);
        const allowed = rateGate(conn, ctx);
        outlets.add(outlet);
        return {
          message: (data, isBinary) => {
            if (!allowed()) return;
            const payload = Buffer.concat([isBinary ? BINARY : TEXT, data]);
            if (bus.publish(CHANNEL, payload)) {
              conn.hop?.(() => ({ kind: 'hop', conn: conn.id, t: ctx.now(), via: 'redis', dir: 'publish', channel: redisChannel(CHANNEL), bytes: payload.length }));
            }
          },
          closed: () => outlets.delete(outlet),
        };
      },
    }),
  };
}
