import { describe, expect, it } from 'vitest';
import type { HandshakeEvent } from '../../../protocol/inspect.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';

/** A 101 as the inspector reports it, with the subprotocol headers of a test case. */
function handshake(offered: string | null, chosen: string | null, status = 101): HandshakeEvent {
  return {
    kind: 'handshake',
    conn: 'c1',
    t: 1000,
    endpoint: 'echo',
    tag: 'run1.client',
    request: { method: 'GET', target: '/echo?speaks=chat.v1', httpVersion: '1.1', headers: offered === null ? [] : [['Sec-WebSocket-Protocol', offered]] },
    response: { status, statusText: 'Switching Protocols', headers: chosen === null ? [] : [['Sec-WebSocket-Protocol', chosen]] },
  };
}

function errorRow(offered: string | null, chosen: string | null): string | undefined {
  const model = new SessionModel('run1');
  model.addWire(handshake(offered, chosen));
  return model.addClient({ kind: 'error', client: 'client', t: 5, sock: 0 })[0]?.label;
}

describe('an error event after a 101', () => {
  it('is explained when subprotocols were offered and the 101 names none (RFC 6455 §4.1)', () => {
    expect(errorRow('chat.v3', null)).toBe('error event: subprotocols offered, the 101 names none, so the browser failed the connection');
  });

  it('is explained when the 101 names one that was not offered', () => {
    expect(errorRow('chat.v1, chat.v2', 'chat.v9')).toBe('error event: the 101 names chat.v9, which was not offered, so the browser failed the connection');
  });

  it('stays unexplained when the subprotocols agree, or none were offered', () => {
    expect(errorRow('chat.v1, chat.v2', 'chat.v2')).toBe('error event (the browser does not say why)');
    expect(errorRow(null, null)).toBe('error event (the browser does not say why)');
  });
});

describe('an error event that arrives before the server\'s account of its handshake', () => {
  it('is drawn unexplained, then explained in place when the handshake comes', () => {
    const model = new SessionModel('run1');
    const [early] = model.addClient({ kind: 'error', client: 'client', t: 5, sock: 0 });
    expect(early?.label).toBe('error event (the browser does not say why)');
    const rows = model.addWire(handshake('chat.v3', null));
    expect(rows.map((r) => [r.index, r.label])).toEqual([
      [0, 'error event: subprotocols offered, the 101 names none, so the browser failed the connection'],
      [1, 'GET /echo?speaks=chat.v1 (Upgrade: websocket)'],
      [2, '101 Switching Protocols'],
    ]);
    expect(model.rows[0]?.text).toBe('client: error event: subprotocols offered, the 101 names none, so the browser failed the connection');
  });
});
