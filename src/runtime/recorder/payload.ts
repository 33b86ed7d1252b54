import { LIMITS } from '../../../protocol/constants.ts';

/** How a send or message payload is recorded: type, size and a short preview. */
export interface PayloadInfo {
  dataType: 'text' | 'binary';
  size: number;
  preview: string;
}

/** Longest preview kept, in characters of text or bytes of binary: the inspector's cap. */
export const PREVIEW_LIMIT = LIMITS.inspectPreviewBytes;

const encoder = new TextEncoder();

export function hexPreview(bytes: Uint8Array, limit = PREVIEW_LIMIT): string {
  const shown = bytes.subarray(0, limit);
  return Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Describes what WebSocket.send accepts and what a message event carries.
 * A Blob cannot be read synchronously, so its preview stays empty; the
 * server's inspector still shows its bytes on the wire.
 */
export function describePayload(data: unknown): PayloadInfo {
  if (typeof data === 'string') {
    return { dataType: 'text', size: encoder.encode(data).length, preview: data.slice(0, PREVIEW_LIMIT) };
  }
  if (data instanceof ArrayBuffer) {
    return { dataType: 'binary', size: data.byteLength, preview: hexPreview(new Uint8Array(data)) };
  }
  if (ArrayBuffer.isView(data)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { dataType: 'binary', size: data.byteLength, preview: hexPreview(bytes) };
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    return { dataType: 'binary', size: data.size, preview: '' };
  }
  // send() turns anything else into a string, so the wire carries that string.
  const text = String(data);
  return { dataType: 'text', size: encoder.encode(text).length, preview: text.slice(0, PREVIEW_LIMIT) };
}
