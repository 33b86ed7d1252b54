import type { InspectHub } from '../core/inspect-hub.ts';
import type { Endpoint, EndpointContext } from './types.ts';

/** How often pending `coalesced` counts are flushed to subscribers. */
const FLUSH_MS = 250;

/**
 * `/inspect`: subscribes the connection to the hub. With `?fd-tag=` it sees
 * that playground's connections (after a replay of their recent events);
 * without, every connection opened while it listens. It sends, never reads.
 */
export function inspectEndpoint(ctx: EndpointContext, hub: InspectHub): Endpoint & { stop(): void } {
  let flusher: NodeJS.Timeout | null = null;
  const stop = (): void => {
    if (flusher) clearInterval(flusher);
    flusher = null;
  };
  return {
    kind: 'inspect',
    stop,
    admit: (_params, tag) => ({
      ok: true,
      open: (conn) => {
        const unsubscribe = hub.subscribe(tag, (json) => {
          if (!conn.open || conn.bufferedAmount > ctx.config.slowConsumerBytes) return false;
          conn.send(json, false);
          return true;
        });
        if (!flusher) {
          flusher = setInterval(() => hub.flush(), FLUSH_MS);
          flusher.unref();
        }
        return {
          message: () => {},
          closed: () => {
            unsubscribe();
            if (hub.size === 0) stop();
          },
        };
      },
    }),
  };
}
