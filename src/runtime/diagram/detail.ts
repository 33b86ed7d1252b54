import { FRAME, opcodeName } from '../../../protocol/constants.ts';
import { acceptFor } from '../../../protocol/frame.ts';
import type { FrameEvent, HandshakeEvent, HopEvent } from '../../../protocol/inspect.ts';

/**
 * What the detail panel shows for a row: a frame's anatomy field by field,
 * a handshake's headers with Sec-WebSocket-Accept recomputed from the key,
 * or a hop through Redis.
 */
export interface Field {
  name: string;
  value: string;
  /** One line on what the value means. */
  note?: string;
}

const yes = (b: boolean): string => (b ? '1' : '0');

function lengthNote(e: FrameEvent): string {
  if (e.lengthForm === 7) return `7-bit form: the length fits in the first byte's low 7 bits (≤ ${FRAME.max7BitLength})`;
  if (e.lengthForm === 16) return `16-bit form: the 7-bit field says ${FRAME.length16Marker}, the next 2 bytes hold the length`;
  return `64-bit form: the 7-bit field says ${FRAME.length64Marker}, the next 8 bytes hold the length`;
}

export function frameFields(e: FrameEvent): Field[] {
  const fields: Field[] = [
    { name: 'FIN', value: yes(e.fin), note: e.fin ? 'last (or only) frame of its message' : 'more frames of this message follow' },
    { name: 'RSV1', value: yes(e.rsv1), note: e.rsv1 ? 'set: an extension (e.g. compression) is in use' : 'no extension' },
    { name: 'RSV2', value: yes(e.rsv2) },
    { name: 'RSV3', value: yes(e.rsv3) },
    { name: 'opcode', value: `${e.opcode} (${opcodeName(e.opcode)})` },
    {
      name: 'MASK',
      value: yes(e.masked),
      note: e.masked ? 'client to server: every such frame is masked' : 'server to client: never masked',
    },
    { name: 'payload length', value: String(e.payloadLength), note: lengthNote(e) },
    { name: 'masking key', value: e.maskingKey ?? '(none)' },
    { name: 'header bytes', value: e.headerHex },
  ];
  if (e.maskedPreviewHex !== null) fields.push({ name: 'payload as sent (masked)', value: e.maskedPreviewHex + (e.truncated ? ' …' : '') });
  fields.push({ name: e.masked ? 'payload unmasked' : 'payload', value: e.previewHex + (e.truncated ? ' …' : '') });
  if (e.previewText !== null) fields.push({ name: 'as text', value: e.previewText + (e.truncated ? '…' : '') });
  if (e.inflated) {
    fields.push({
      name: 'inflated',
      value: `${e.inflated.bytes} bytes`,
      note: `permessage-deflate: ${e.inflated.bytes} bytes of message sent as ${e.payloadLength}`,
    });
    fields.push({ name: 'inflated bytes', value: e.inflated.previewHex + (e.inflated.truncated ? ' …' : '') });
    if (e.inflated.previewText !== null) fields.push({ name: 'inflated as text', value: e.inflated.previewText + (e.inflated.truncated ? '…' : '') });
  } else if (e.rsv1) fields.push({ name: 'compressed', value: 'yes', note: 'deflate data: the inspector shows a message inflated only when it saw it whole in one frame' });
  if (e.close) fields.push({ name: 'close code', value: String(e.close.code) }, { name: 'close reason', value: e.close.reason || '(none)' });
  return fields;
}

const header = (headers: readonly (readonly [string, string])[], name: string): string | null =>
  headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] ?? null;

export async function handshakeFields(e: HandshakeEvent): Promise<{ request: Field[]; response: Field[]; accept: Field | null }> {
  const request = [
    { name: 'request line', value: `${e.request.method} ${e.request.target} HTTP/${e.request.httpVersion}` },
    ...e.request.headers.map(([name, value]) => ({ name, value })),
  ];
  const response = [
    { name: 'status line', value: `HTTP/1.1 ${e.response.status} ${e.response.statusText}` },
    ...e.response.headers.map(([name, value]) => ({ name, value })),
  ];
  const key = header(e.request.headers, 'Sec-WebSocket-Key');
  const sent = header(e.response.headers, 'Sec-WebSocket-Accept');
  if (!key) return { request, response, accept: null };
  const expected = await acceptFor(key);
  return {
    request,
    response,
    accept: {
      name: 'Sec-WebSocket-Accept, recomputed',
      value: expected,
      note:
        sent === null
          ? 'the server did not answer with an accept value'
          : sent === expected
            ? `base64(SHA-1(key + GUID)) of "${key}": it matches what the server sent`
            : `base64(SHA-1(key + GUID)) of "${key}": it does NOT match "${sent}"`,
    },
  };
}

/** A message crossing Redis between companion processes (--redis). */
export function hopFields(e: HopEvent): Field[] {
  return [
    {
      name: 'direction',
      value: e.dir,
      note: e.dir === 'publish'
        ? 'this server published the message to Redis; Redis sends it to every companion process, this one included'
        : 'Redis delivered the message to this server, which sends it on to this connection next',
    },
    { name: 'channel', value: e.channel, note: 'the Redis pub/sub channel' },
    { name: 'bytes', value: String(e.bytes), note: 'the message on the channel with what the server adds to route it (on /broadcast, one byte before the payload: 0 text, 1 binary)' },
    { name: 'connection', value: e.conn },
  ];
}
