import { fromHex } from '../../../protocol/frame.ts';
import type { InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';

const RESPONSE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

/**
 * A run of three clients through the server's real tap, with every kind of
 * row the live diagram exports: handshakes, a masked text with ";" and "#"
 * in it, its echo, a binary frame, ping/pong, a clean close, a connection
 * dropped without close frames, a refused handshake, a coalescing note and
 * a browser error event.
 */
export function recordedRun(): SessionModel {
  const events: InspectEvent[] = [];
  let t = 1000;
  const tap = (conn: string, tag: string): WireRecorder =>
    new WireRecorder({
      conn,
      endpoint: 'broadcast',
      tag,
      previewBytes: 64,
      now: () => (t += 5),
      request: { method: 'GET', target: '/broadcast', httpVersion: '1.1', headers: [['Upgrade', 'websocket']] },
      emit: (_kind, make) => events.push(make()),
    });
  const alice = tap('c1', 'run.alice');
  const bob = tap('c2', 'run.bob');
  alice.wrote(new TextEncoder().encode(RESPONSE));
  bob.wrote(new TextEncoder().encode(RESPONSE));
  alice.read(fromHex('81 84 00 00 00 00 61 3b 23 62')); // "a;#b", masked with a zero key
  bob.wrote(fromHex('81 04 61 3b 23 62')); // relayed to bob
  bob.read(fromHex('82 82 00 00 00 00 01 02')); // binary, 2 bytes
  alice.wrote(fromHex('89 00')); // ping
  alice.read(fromHex('8a 80 00 00 00 00')); // pong
  alice.read(fromHex('88 82 00 00 00 00 03 e8')); // close 1000
  alice.wrote(fromHex('88 02 03 e8'));
  events.push({ kind: 'end', conn: 'c2', t: (t += 5), code: 1006, reason: '', how: 'abnormal' });
  events.push({ kind: 'rejected', t: (t += 5), target: '/broadcast', status: 429, reason: 'too many connections', tag: 'run.carol' });
  events.push({ kind: 'coalesced', t: (t += 5), dropped: 3 });
  const model = new SessionModel('run');
  for (const event of events) model.addWire(event);
  model.addClient({ kind: 'error', t: 90, client: 'carol', sock: 0 });
  return model;
}
