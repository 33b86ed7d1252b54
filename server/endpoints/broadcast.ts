import { Outlet } from './outlet.ts';
import { rateGate } from './limits.ts';
import type { Endpoint, EndpointContext } from './types.ts';

/** `/broadcast`: each data message to every open /broadcast client, sender included, same type. */
export function broadcastEndpoint(ctx: EndpointContext): Endpoint {
  const outlets = new Set<Outlet>();
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
            for (const other of outlets) other.offer(data, isBinary);
          },
          closed: () => outlets.delete(outlet),
        };
      },
    }),
  };
}
