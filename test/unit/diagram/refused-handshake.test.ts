import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/frame.ts';
import type { InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';
import { handshakeFields } from '../../../src/runtime/diagram/detail.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';

/**
 * A lab's server that refuses the upgrade (the chat lab's 400 and 409, the
 * origin-check lab's 403), through the real wire tap: the diagram draws the
 * request and the refusal, never the refusal's HTML body as a frame. The
 * engines that proxy to the lab's own process (nginx, TypeScript) then report
 * the TCP connection's end, the embedded one does not: either way the rows are
 * the same, as no WebSocket was ever open.
 */
const BODY = '<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body>\r\n</html>\r\n';
const REFUSED = `HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`;
const ACCEPTED = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

function labRun(proxied: boolean): InspectEvent[] {
  const events: InspectEvent[] = [];
  let t = 1000;
  const tap = (conn: string, target: string): WireRecorder =>
    new WireRecorder({
      conn,
      endpoint: 'lab',
      tag: 'run.alice',
      now: () => (t += 5),
      previewBytes: 64,
      request: { method: 'GET', target, httpVersion: '1.1', headers: [['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']] },
      emit: (_kind, make) => events.push(make()),
    });
  const refused = tap('lab-1', '/labs/0123456789abcdef?name=');
  refused.wrote(Buffer.from(REFUSED, 'latin1'));
  refused.read(fromHex('88 82 00000000 03e8')); // bytes the client sends anyway
  if (proxied) events.push({ kind: 'end', conn: 'lab-1', t: (t += 5), code: 1006, reason: '', how: 'abnormal' });
  const accepted = tap('lab-2', '/labs/0123456789abcdef?name=alice');
  accepted.wrote(Buffer.from(ACCEPTED, 'latin1'));
  accepted.read(fromHex('81 82 00000000 6869'));
  events.push({ kind: 'end', conn: 'lab-2', t: (t += 5), code: 1006, reason: '', how: 'abnormal' });
  return events;
}

describe('a refused lab handshake in the diagram', () => {
  it.each([
    ['the embedded engine', false],
    ['an engine that proxies, which reports the end', true],
  ])('draws the request and the 400, no frame and no dropped connection (%s)', async (_engine, proxied) => {
    const model = new SessionModel('run');
    const rows = labRun(proxied).flatMap((e) => model.addWire(e));
    expect(model.participants).toEqual(['server', 'alice', 'alice (2)']);
    expect(rows.map((r) => [r.kind, r.text])).toEqual([
      ['upgrade', 'alice → server: opening handshake, GET /labs/0123456789abcdef?name='],
      ['reject', 'server → alice: 400 Bad Request'],
      ['upgrade', 'alice (2) → server: opening handshake, GET /labs/0123456789abcdef?name=alice'],
      ['accept', 'server → alice (2): 101 Switching Protocols'],
      ['text', 'alice (2) → server: text "hi" (2 bytes)'],
      ['abnormal', 'server ✕ alice (2): connection dropped, no close frame (1006)'],
    ]);
    const refusal = rows[1]?.wire;
    if (refusal?.kind !== 'handshake') throw new Error('the refusal row has no handshake');
    const { response, accept } = await handshakeFields(refusal);
    expect(response).toEqual([
      { name: 'status line', value: 'HTTP/1.1 400 Bad Request' },
      { name: 'Content-Type', value: 'text/html' },
      { name: 'Content-Length', value: String(BODY.length) },
      { name: 'Connection', value: 'close' },
    ]);
    expect(accept?.note).toBe('the server did not answer with an accept value');
  });
});
