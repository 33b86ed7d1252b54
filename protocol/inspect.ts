import { z } from 'zod';
import { INSPECT_TAG_PARAM } from './endpoints.ts';

/**
 * What the `/inspect` endpoint streams: the wire truth of every other
 * connection, parsed from the actual bytes. One JSON text frame per event.
 * The server builds them, and its tests (unit and integration) parse every
 * event they receive with these schemas. The browser's live diagram only
 * types them (it casts, and skips a frame that is not JSON): validating there
 * would ship zod to every lesson page for a stream its own companion wrote.
 */

// Defined in endpoints.ts (no zod there), so browser code that only needs the
// name does not pull the schemas and zod into its bundle.
export { INSPECT_TAG_PARAM };

const base = {
  conn: z.string().describe('Server-assigned connection id, e.g. "c17"; stable for the life of the connection.'),
  t: z.number().describe('Server time of the event, milliseconds since the Unix epoch.'),
};

const headers = z
  .array(z.tuple([z.string(), z.string()]))
  .describe('Header name/value pairs in wire order, names as sent.');

export const handshakeEventSchema = z.object({
  kind: z.literal('handshake').describe('The opening handshake of one connection, request and response.'),
  ...base,
  endpoint: z.string().describe('Endpoint name the connection was routed to, e.g. "echo".'),
  tag: z.string().nullable().describe(`The ${INSPECT_TAG_PARAM} the client connected with, if any.`),
  request: z
    .object({
      method: z.string().describe('HTTP method as sent; GET for a valid handshake.'),
      target: z.string().describe('Request target as sent, with its query (the tag parameter removed).'),
      httpVersion: z.string().describe('HTTP version of the request, e.g. "1.1".'),
      headers,
    })
    .describe('The client\'s HTTP upgrade request.'),
  response: z
    .object({
      status: z.number().int().describe('HTTP status code of the answer.'),
      statusText: z.string().describe('Reason phrase of the status line, e.g. "Switching Protocols".'),
      headers,
    })
    .describe('The server\'s answer: 101 Switching Protocols when accepted.'),
});

export const frameEventSchema = z.object({
  kind: z.literal('frame').describe('One frame that crossed the wire.'),
  ...base,
  dir: z.enum(['in', 'out']).describe('"in": client to server. "out": server to client.'),
  fin: z.boolean().describe('FIN bit: true on the last frame of a message.'),
  rsv1: z.boolean().describe('RSV1 bit (set only by an extension such as permessage-deflate).'),
  rsv2: z.boolean().describe('RSV2 bit (no extension in use sets it).'),
  rsv3: z.boolean().describe('RSV3 bit (no extension in use sets it).'),
  opcode: z.number().int().min(0).max(15).describe('Opcode, 0x0 to 0xF; see OPCODE in protocol/constants.ts.'),
  masked: z.boolean().describe('MASK bit: client frames must set it, server frames must not.'),
  maskingKey: z.string().nullable().describe('The 4-byte masking key as hex, or null when unmasked.'),
  payloadLength: z.number().int().nonnegative().describe('Payload length in bytes, as the header states it.'),
  lengthForm: z.union([z.literal(7), z.literal(16), z.literal(64)]).describe('Which length encoding was on the wire.'),
  headerHex: z.string().describe('The frame header bytes as spaced hex.'),
  previewHex: z.string().describe('The start of the payload, unmasked, as spaced hex (capped).'),
  maskedPreviewHex: z.string().nullable().describe('The same bytes as sent (masked), for masked frames.'),
  previewText: z.string().nullable().describe('The preview decoded as UTF-8 for text and close frames.'),
  truncated: z.boolean().describe('True when the payload is longer than the preview.'),
  close: z
    .object({
      code: z.number().int().describe('Close status code.'),
      reason: z.string().describe('Close reason, UTF-8, possibly empty.'),
    })
    .nullable()
    .describe('Status code and reason of a close frame that carried them.'),
  inflated: z
    .object({
      bytes: z.number().int().nonnegative().describe('The message\'s length once inflated.'),
      previewHex: z.string().describe('The start of the inflated message as spaced hex (capped).'),
      previewText: z.string().nullable().describe('The same decoded as UTF-8, for a text message.'),
      truncated: z.boolean().describe('True when the inflated message is longer than the preview.'),
    })
    .optional()
    .describe('On a compressed message (RSV1 set on a permessage-deflate connection) that the tap saw whole in one frame: the message inflated. Its previewText is then null: the payload on the wire is deflate data, not text.'),
  refusedOver: z
    .number()
    .int()
    .optional()
    .describe('On a client frame the server refused from its header alone: the message limit in bytes that its announced length exceeds. Sent when the header is read; the server reads nothing after it.'),
  unread: z
    .boolean()
    .optional()
    .describe('True on a client frame that reached the socket after the server had refused one: it crossed the wire, the server never read it.'),
});

export const endEventSchema = z.object({
  kind: z.literal('end').describe('How one connection ended.'),
  ...base,
  code: z.number().int().describe('The close code as the server saw it; 1006 when no close frame arrived.'),
  reason: z.string().describe('The close reason the server saw, possibly empty.'),
  how: z
    .enum(['clean', 'abnormal', 'heartbeat', 'shutdown'])
    .describe('clean: close handshake completed; abnormal: dropped without one; heartbeat: terminated after a missed pong; shutdown: server stopping.'),
});

export const rejectedEventSchema = z.object({
  kind: z.literal('rejected').describe('A handshake the server refused with an HTTP status.'),
  t: base.t,
  target: z.string().describe('The request target that was refused.'),
  status: z.number().int().describe('The HTTP status of the refusal, e.g. 403, 404, 409.'),
  reason: z.string().describe('Why, in a sentence.'),
  tag: z.string().nullable().describe(`The ${INSPECT_TAG_PARAM} of the refused request, if any.`),
});

export const coalescedEventSchema = z.object({
  kind: z.literal('coalesced').describe('Stands for frame events not sent to this subscriber.'),
  t: base.t,
  dropped: z.number().int().positive().describe('Events not sent because they came faster than the stream\'s budget.'),
});

export const hopEventSchema = z.object({
  kind: z.literal('hop').describe('A message of this connection crossing Redis, between the companion processes (only with --redis).'),
  ...base,
  via: z.literal('redis').describe('What carried it between processes: Redis pub/sub.'),
  dir: z
    .enum(['publish', 'deliver'])
    .describe('"publish": the server published this connection\'s message to Redis. "deliver": Redis delivered a message that the server is about to send to this connection (its frame follows).'),
  channel: z.string().describe('The Redis channel, e.g. "fd:broadcast".'),
  bytes: z.number().int().nonnegative().describe('Length of the message on the Redis channel, in bytes (the payload and the bus\'s own framing).'),
});

export const inspectEventSchema = z.discriminatedUnion('kind', [
  handshakeEventSchema,
  frameEventSchema,
  endEventSchema,
  rejectedEventSchema,
  coalescedEventSchema,
  hopEventSchema,
]);

export type HandshakeEvent = z.infer<typeof handshakeEventSchema>;
export type FrameEvent = z.infer<typeof frameEventSchema>;
export type EndEvent = z.infer<typeof endEventSchema>;
export type RejectedEvent = z.infer<typeof rejectedEventSchema>;
export type CoalescedEvent = z.infer<typeof coalescedEventSchema>;
export type HopEvent = z.infer<typeof hopEventSchema>;
export type InspectEvent = z.infer<typeof inspectEventSchema>;
