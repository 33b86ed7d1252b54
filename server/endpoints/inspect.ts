import { timingSafeEqual } from 'node:crypto';
import { LIMITS } from '../../protocol/constants.ts';
import { INSPECT_KEY_PARAM, INSPECT_TAG_PARAM } from '../../protocol/endpoints.ts';
import type { InspectHub } from '../core/inspect-hub.ts';
import { featureAllowed } from '../config.ts';
import type { Endpoint, EndpointContext } from './types.ts';

/** How often pending `coalesced` counts are flushed to subscribers. */
const FLUSH_MS = 250;

function sameKey(given: string | null, key: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `/inspect`: subscribes the connection to the hub. With `?fd-tag=` it sees
 * that playground's connections (after a replay of their recent events):
 * the tag is an unguessable per-run id the page made, so knowing it is the
 * permission. Without a tag it sees every connection, which takes the
 * inspector key the server printed at start-up (`?fd-key=`). It sends, never reads.
 * Subscribers are capped in all and per peer address: each costs a send per event.
 */
export function inspectEndpoint(ctx: EndpointContext, hub: InspectHub, key: string): Endpoint & { stop(): void } {
  let flusher: NodeJS.Timeout | null = null;
  const perAddress = new Map<string, number>();
  const stop = (): void => {
    if (flusher) clearInterval(flusher);
    flusher = null;
  };
  return {
    kind: 'inspect',
    stop,
    admit: (params, tag, peer) => {
      if (!featureAllowed(ctx.config, 'inspect', peer.address)) {
        return { ok: false, status: 403, error: 'not_local', message: 'The inspector serves this machine only (start the server with --remote-inspect to allow others).' };
      }
      if (tag === null && !sameKey(params.get(INSPECT_KEY_PARAM), key)) {
        return {
          ok: false,
          status: 403,
          error: 'inspector_key_required',
          message: `Name the connections to watch with ?${INSPECT_TAG_PARAM}=<tag>, or watch every connection with ?${INSPECT_KEY_PARAM}=<the inspector key the server printed at start-up>.`,
        };
      }
      if (hub.size >= LIMITS.inspectSubscribers) {
        return { ok: false, status: 503, error: 'too_many_inspectors', message: `The server already streams to ${LIMITS.inspectSubscribers} inspectors; close one and try again.` };
      }
      const mine = perAddress.get(peer.address) ?? 0;
      if (mine >= LIMITS.inspectSubscribersPerAddress) {
        return { ok: false, status: 429, error: 'too_many_inspectors', message: `${LIMITS.inspectSubscribersPerAddress} inspectors are open from your address; close one and try again.` };
      }
      return {
        ok: true,
        open: (conn) => {
          perAddress.set(peer.address, (perAddress.get(peer.address) ?? 0) + 1);
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
              const left = (perAddress.get(peer.address) ?? 1) - 1;
              if (left > 0) perAddress.set(peer.address, left);
              else perAddress.delete(peer.address);
              if (hub.size === 0) stop();
            },
          };
        },
      };
    },
  };
}
