import { timingSafeEqual } from 'node:crypto';
import { ownerOf } from '../../protocol/classroom.ts';
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
 * In classroom mode a learner's subscription sees that learner's connections
 * only (whatever tag it names), and watching without a tag is the teacher's.
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
      const identity = peer.identity;
      const teacher = identity?.kind === 'teacher';
      if (!featureAllowed(ctx.config, 'inspect', peer.address)) {
        return { ok: false, status: 403, error: 'not_local', message: 'The inspector serves this machine only (start the server with --remote-inspect to allow others).' };
      }
      if (tag === null && !teacher && !sameKey(params.get(INSPECT_KEY_PARAM), key)) {
        return {
          ok: false,
          status: 403,
          error: 'inspector_key_required',
          message: `Name the connections to watch with ?${INSPECT_TAG_PARAM}=<tag>, or watch every connection with ?${INSPECT_KEY_PARAM}=<the inspector key the server printed at start-up>.`,
        };
      }
      const most = ctx.config.classroom ? ctx.config.classroomLimits.inspectors : LIMITS.inspectSubscribers;
      if (hub.size >= most) {
        return { ok: false, status: 503, error: 'too_many_inspectors', message: `The server already streams to ${most} inspectors; close one and try again.` };
      }
      const limitKey = peer.limitKey ?? peer.address;
      const mine = perAddress.get(limitKey) ?? 0;
      if (mine >= LIMITS.inspectSubscribersPerAddress) {
        return { ok: false, status: 429, error: 'too_many_inspectors', message: `${LIMITS.inspectSubscribersPerAddress} inspectors are open from your address; close one and try again.` };
      }
      return {
        ok: true,
        open: (conn) => {
          perAddress.set(limitKey, (perAddress.get(limitKey) ?? 0) + 1);
          const owner = identity && !teacher ? ownerOf(identity) : null;
          const unsubscribe = hub.subscribe(
            tag,
            (json) => {
              if (!conn.open || conn.bufferedAmount > ctx.config.slowConsumerBytes) return false;
              conn.send(json, false);
              return true;
            },
            owner,
          );
          if (!flusher) {
            flusher = setInterval(() => hub.flush(), FLUSH_MS);
            flusher.unref();
          }
          return {
            message: () => {},
            closed: () => {
              unsubscribe();
              const left = (perAddress.get(limitKey) ?? 1) - 1;
              if (left > 0) perAddress.set(limitKey, left);
              else perAddress.delete(limitKey);
              if (hub.size === 0) stop();
            },
          };
        },
      };
    },
  };
}
