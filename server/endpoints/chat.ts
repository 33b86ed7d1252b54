import { CHAT_PARAMS } from '../../protocol/chat.ts';
import { ownerOf } from '../../protocol/classroom.ts';
import { CLOSE, LIMITS } from '../../protocol/constants.ts';
import { ChatRoom, type ChatMember } from '../core/chat-room.ts';
import { TokenBucket } from '../core/token-bucket.ts';
import { verifyToken } from '../core/token.ts';
import { Outlet } from './outlet.ts';
import { rateGate } from './limits.ts';
import type { Endpoint, EndpointContext } from './types.ts';

/**
 * `/chat`: the ChatRoom bound to connections. Names are settled at the
 * handshake (400 bad name, 409 taken, 401 bad token), so a refused client
 * never gets a socket.
 *
 * In a class, the room is the whole class's and joined with a token (a
 * class runs as --auth required). A signed-in learner's connection without
 * a token joins a room of that learner's own instead, as their /broadcast
 * does: the course's chat playgrounds join as alice, bob and carol by
 * `?name=`, and in the class's room the second learner to press Run got
 * 409 for each (before, 401 token_required: the chat lesson could not be
 * done in a class). An own room lives in this process and goes when its
 * last member leaves.
 */
export function chatEndpoint(ctx: EndpointContext, secret: Uint8Array): Endpoint & { room: ChatRoom; ownRoomCount(): number } {
  const options = { now: ctx.now, historySize: LIMITS.chatHistory, textMaxLength: LIMITS.chatTextMaxLength };
  const room = new ChatRoom({ ...options, ...(ctx.bus ? { bus: ctx.bus } : {}) });
  const own = new Map<string, ChatRoom>();
  /** Handshakes admitted to an own room and not yet open: the room stays while they are on their way. */
  const arriving = new Map<ChatRoom, number>();
  // Each join sends history and tells every member; joins from one address are rate-limited so a
  // loop of connects cannot make the server do that thousands of times a second.
  const joins = new Map<string, TokenBucket>();
  const joinAllowed = (address: string): boolean => {
    let bucket = joins.get(address);
    if (!bucket) {
      // Forget idle addresses rather than keep one bucket per address ever seen.
      if (joins.size >= 10_000) joins.clear();
      bucket = new TokenBucket(ctx.config.chatJoins.burst, ctx.config.chatJoins.perSecond, ctx.now);
      joins.set(address, bucket);
    }
    return bucket.take();
  };
  return {
    kind: 'chat',
    room,
    ownRoomCount: () => own.size,
    admit: (params, _tag, peer) => {
      if (!joinAllowed(peer.limitKey ?? peer.address)) {
        return {
          ok: false,
          status: 429,
          error: 'too_many_joins',
          message: `Too many joins from your address: at most ${ctx.config.chatJoins.perSecond} per second (bursts of ${ctx.config.chatJoins.burst}). Wait a moment and reconnect.`,
        };
      }
      const token = params.get(CHAT_PARAMS.token);
      let requested = params.get(CHAT_PARAMS.name);
      let target = room;
      let owner: string | null = null;
      if (token !== null) {
        const check = verifyToken(token, secret, ctx.now);
        if (!check.ok) {
          const why = { malformed: 'is malformed', bad_signature: 'has a bad signature', expired: 'has expired' }[check.reason];
          return { ok: false, status: 401, error: `token_${check.reason}`, message: `The token ${why}. Get a new one with POST /api/token.` };
        }
        requested = check.name;
      } else if (peer.identity) {
        owner = ownerOf(peer.identity);
        target = own.get(owner) ?? new ChatRoom(options);
        own.set(owner, target);
      } else if (ctx.config.auth === 'required') {
        return { ok: false, status: 401, error: 'token_required', message: 'This server requires a token: POST /api/token, then connect with ?token=…' };
      }
      const admission = target.admit(requested);
      if (!admission.ok) return admission;
      if (owner !== null) arriving.set(target, (arriving.get(target) ?? 0) + 1);
      return {
        ok: true,
        open: (conn) => {
          const outlet = new Outlet(conn, ctx);
          const allowed = rateGate(conn, ctx);
          const member: ChatMember = {
            name: admission.name,
            deliver: (json, fanout) => (fanout ? outlet.offer(json, false) : conn.send(json, false)),
            // Two processes admitted the same name at once; Redis gave it to the other one.
            refused: (message) => conn.close(CLOSE.policyViolation, `${message} Reconnect with another name.`.slice(0, 123)),
          };
          if (owner !== null) arriving.set(target, (arriving.get(target) ?? 1) - 1);
          target.join(member);
          return {
            message: (data, isBinary) => {
              if (isBinary) {
                conn.close(CLOSE.unsupportedData, 'chat accepts text frames only');
                return;
              }
              if (allowed()) target.receive(member, data.toString('utf8'));
            },
            closed: () => {
              target.leave(member);
              if (owner !== null && target.size === 0 && !arriving.get(target)) {
                own.delete(owner);
                arriving.delete(target);
              }
            },
          };
        },
      };
    },
  };
}
