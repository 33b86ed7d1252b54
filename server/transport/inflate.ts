import { constants, inflateRawSync } from 'node:zlib';

/** The four bytes a permessage-deflate sender strips from each message (RFC 7692 §7.2.1). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * One compressed message inflated on its own, for the inspector: the echo's
 * deflate runs without context takeover, so each message stands alone. Null
 * when it does not inflate (context taken over, damaged) or would exceed `max`
 * bytes, so a small frame cannot make the tap allocate a zip bomb's worth.
 */
export function inflateMessage(payload: Uint8Array, max: number): Uint8Array | null {
  try {
    return inflateRawSync(Buffer.concat([payload, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: max > 0 ? max : 1 << 20 });
  } catch {
    return null;
  }
}
