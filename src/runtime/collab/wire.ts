import { z } from 'zod/mini';
import { parseJsonOrNull } from '../../../protocol/json.ts';

/**
 * What the collaborative editors say to each other over the companion's
 * /broadcast endpoint, which relays every message to every client, the sender
 * included, and knows nothing about documents. One JSON text message each, so
 * the live diagram and the inspector show what kind of message crossed; Yjs's
 * binary updates ride inside as base64.
 *
 * - `update`: a Yjs update (what changed), to every peer.
 * - `hello`: a peer joined; here is its state vector (what it has seen of each
 *   author). Peers that are already there answer with a `reply`.
 * - `reply`: to one peer, what it lacks given its state vector, and the
 *   answerer's own state vector so the newcomer can send back what it has that
 *   the answerer lacks.
 * - `whole`: the naive mode, for comparison: the sender's entire text.
 */
const common = {
  /** Which shared document; peers ignore the others sharing the endpoint. */
  doc: z.string(),
  /** The sending peer's id, unique within the document. */
  from: z.string(),
  /** The sender's count of messages before this one: lets the page tell when every message has arrived. */
  seq: z.number().check(z.int(), z.nonnegative()),
};

export const syncMessageSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('update'), update: z.string() }),
  z.object({ ...common, kind: z.literal('hello'), sv: z.string() }),
  z.object({ ...common, kind: z.literal('reply'), to: z.string(), update: z.string(), sv: z.string() }),
  z.object({ ...common, kind: z.literal('whole'), whole: z.string() }),
]);
export type SyncMessage = z.infer<typeof syncMessageSchema>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message as a peer writes it; the room numbers it (`seq`) when it sends it. */
export type UnsentMessage = DistributiveOmit<SyncMessage, 'seq'>;

/** A relayed text message as a message about `doc`; null for anything else on the endpoint. */
export function parseSyncMessage(text: string, doc: string): SyncMessage | null {
  const message = parseJsonOrNull(text, syncMessageSchema);
  return message?.doc === doc ? message : null;
}

/** Bytes as base64 (btoa works on one char per byte). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** base64 back to bytes; throws on text that is not base64. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
