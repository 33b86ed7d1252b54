import { ownerOf } from '../../protocol/classroom.ts';
import { BROADCAST_PARAMS, BROADCAST_ROOM_PATTERN } from '../../protocol/endpoints.ts';
import { MemoryBus, redisChannel } from '../scale/bus.ts';
import { Outlet } from './outlet.ts';
import { rateGate } from './limits.ts';
import type { Endpoint, EndpointContext, Peer } from './types.ts';

const CHANNEL = 'broadcast';

/**
 * What crosses the bus: first byte 0 text or 1 binary, then the message, for the
 * default room, so a plain broadcast costs one byte on Redis (the scaling-out
 * lesson counts it); 2 text or 3 binary, a length byte and the room's key, then
 * the message, for any other room.
 */
const KIND = { text: 0, binary: 1, roomText: 2, roomBinary: 3 } as const;
const DEFAULT_ROOM = '';

/** The room a client is in: named, its learner's own in a class, else the default one. */
function roomOf(named: string | null, peer: Peer): string {
  if (named !== null) return `room:${named}`;
  return peer.identity ? `own:${ownerOf(peer.identity)}` : DEFAULT_ROOM;
}

export function encodeBroadcast(room: string, data: Buffer, isBinary: boolean): Buffer {
  if (room === DEFAULT_ROOM) return Buffer.concat([Buffer.from([isBinary ? KIND.binary : KIND.text]), data]);
  const key = Buffer.from(room, 'utf8');
  if (key.length > 255) throw new RangeError('a room key is at most 255 bytes');
  return Buffer.concat([Buffer.from([isBinary ? KIND.roomBinary : KIND.roomText, key.length]), key, data]);
}

/** The room, type and message of bytes from the bus; null for bytes no broadcast endpoint wrote. */
export function decodeBroadcast(payload: Buffer): { room: string; isBinary: boolean; data: Buffer } | null {
  const kind = payload[0];
  if (kind === KIND.text || kind === KIND.binary) return { room: DEFAULT_ROOM, isBinary: kind === KIND.binary, data: payload.subarray(1) };
  if ((kind === KIND.roomText || kind === KIND.roomBinary) && payload.length >= 2) {
    const end = 2 + (payload[1] as number);
    if (payload.length < end) return null;
    return { room: payload.subarray(2, end).toString('utf8'), isBinary: kind === KIND.roomBinary, data: payload.subarray(end) };
  }
  return null;
}

/**
 * `/broadcast`: each data message to every open /broadcast client in the sender's room,
 * sender included, same type (rooms: BROADCAST_PARAMS). Messages go out through the bus
 * and are delivered from it, so with several processes every client of every process
 * gets each one once.
 * With --redis, a watched connection's inspector also sees each hop through Redis: the
 * publish of its message, and each delivery just before the frame it causes (none for a
 * client that is closing, or too slow to be sent to: no frame follows).
 */
export function broadcastEndpoint(ctx: EndpointContext): Endpoint & { roomCount(): number } {
  const rooms = new Map<string, Set<Outlet>>();
  const bus = ctx.bus ?? new MemoryBus();
  bus.onBytes(CHANNEL, (payload, viaRedis) => {
    const message = decodeBroadcast(payload);
    const outlets = message && rooms.get(message.room);
    if (!message || !outlets) return;
    for (const outlet of outlets) {
      const hop = viaRedis
        ? () => outlet.conn.hop?.(() => ({ kind: 'hop', conn: outlet.conn.id, t: ctx.now(), via: 'redis', dir: 'deliver', channel: redisChannel(CHANNEL), bytes: payload.length }))
        : undefined;
      outlet.offer(message.data, message.isBinary, hop);
    }
  });
  return {
    kind: 'broadcast',
    roomCount: () => rooms.size,
    admit: (params, _tag, peer) => {
      const named = params.get(BROADCAST_PARAMS.room);
      if (named !== null && !BROADCAST_ROOM_PATTERN.test(named)) {
        return {
          ok: false,
          status: 400,
          error: 'bad_room',
          message: `?${BROADCAST_PARAMS.room}= takes a room name of 1 to 64 letters, digits, '.', '_', '~' or '-'.`,
        };
      }
      const room = roomOf(named, peer);
      return {
        ok: true,
        open: (conn) => {
          const outlet = new Outlet(conn, ctx);
          const allowed = rateGate(conn, ctx);
          let members = rooms.get(room);
          if (!members) rooms.set(room, (members = new Set()));
          members.add(outlet);
          return {
            message: (data, isBinary) => {
              if (!allowed()) return;
              const payload = encodeBroadcast(room, data, isBinary);
              if (bus.publish(CHANNEL, payload)) {
                conn.hop?.(() => ({ kind: 'hop', conn: conn.id, t: ctx.now(), via: 'redis', dir: 'publish', channel: redisChannel(CHANNEL), bytes: payload.length }));
              }
            },
            closed: () => {
              members.delete(outlet);
              // An empty room is forgotten, so rooms cannot pile up.
              if (members.size === 0 && rooms.get(room) === members) rooms.delete(room);
            },
          };
        },
      };
    },
  };
}
