import { describe, expect, it, vi } from 'vitest';
import type { HandshakeEvent } from '../../../protocol/inspect.ts';
import { banner, stopWithParent } from '../../../server/main.ts';
import { HostNotHereError, PortForbiddenError, reachableUrls } from '../../../server/app.ts';
import { featureAllowed, isLoopbackOnly, resolveConfig } from '../../../server/config.ts';
import { InspectHub } from '../../../server/core/inspect-hub.ts';
import { resolveRange } from '../../../server/core/range.ts';
import { clientErrorReply } from '../../../server/transport/http.ts';
import { redactHandshake, redactProtocols, redactTarget } from '../../../server/core/redact.ts';

describe('resolveRange', () => {
  it.each([
    [undefined, 10, { kind: 'full' }],
    ['bytes=0-0', 10, { kind: 'partial', start: 0, end: 0 }],
    ['bytes=-5', 10, { kind: 'partial', start: 5, end: 9 }],
    ['bytes=-50', 10, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=3-', 10, { kind: 'partial', start: 3, end: 9 }],
    ['bytes=2-4', 10, { kind: 'partial', start: 2, end: 4 }],
    ['bytes=0-9999999999999999', 10, { kind: 'partial', start: 0, end: 9 }],
    ['BYTES= 1-2 ', 10, { kind: 'partial', start: 1, end: 2 }],
    ['bytes=5-3', 10, { kind: 'unsatisfiable' }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=99999999999999999999-', 10, { kind: 'unsatisfiable' }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=-1', 0, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-', 10, { kind: 'full' }],
    ['bytes=0-1,3-4', 10, { kind: 'full' }],
    ['bytes=a-b', 10, { kind: 'full' }],
    ['items=0-1', 10, { kind: 'full' }],
  ])('Range %j on %i bytes → %j', (header, size, expected) => {
    expect(resolveRange(header, size)).toEqual(expected);
  });
});

describe('redaction', () => {
  it.each([
    ['/chat?token=abc.def&name=x', '/chat?token=[redacted, 7 chars]&name=x'],
    ['/chat?TOKEN=abc', '/chat?TOKEN=[redacted, 3 chars]'],
    ['/inspect?fd-key=k123', '/inspect?fd-key=[redacted, 4 chars]'],
    ['/feed?topics=fast&since=3', '/feed?topics=fast&since=3'],
    ['/echo', '/echo'],
    ['/x?%74oken=s', '/x?%74oken=[redacted, 1 chars]'],
    ['/x?flag&token', '/x?flag&token'],
  ])('target %s → %s', (target, expected) => {
    expect(redactTarget(target)).toBe(expected);
  });

  it.each([
    ['chat.v1', 'chat.v1'],
    ['chat.v1, json', 'chat.v1, json'],
    ['access_token, eyJhbGciOi', 'access_token, [redacted, 10 chars]'],
    ['bearer.abc123', '[redacted, 13 chars]'],
    [`v1, ${'x'.repeat(40)}`, 'v1, [redacted, 40 chars]'],
  ])('subprotocols %s → %s', (value, expected) => {
    expect(redactProtocols(value)).toBe(expected);
  });

  it('redacts request and response headers of a handshake, keeping names and order', () => {
    const event: HandshakeEvent = {
      kind: 'handshake',
      conn: 'c1',
      t: 0,
      endpoint: 'chat',
      tag: 'run',
      request: {
        method: 'GET',
        target: '/chat?token=t0k3n',
        httpVersion: '1.1',
        headers: [['Host', 'localhost:8080'], ['Cookie', 'a=1; b=2'], ['authorization', 'Basic dXNlcjpwYXNz'], ['Sec-WebSocket-Protocol', 'access_token, s3cr3t']],
      },
      response: { status: 101, statusText: 'Switching Protocols', headers: [['Upgrade', 'websocket'], ['Sec-WebSocket-Protocol', 'access_token']] },
    };
    const redacted = redactHandshake(event);
    expect(redacted.request.target).toBe('/chat?token=[redacted, 5 chars]');
    expect(redacted.request.headers).toEqual([
      ['Host', 'localhost:8080'],
      ['Cookie', '[redacted, 8 bytes]'],
      ['authorization', '[redacted, 18 bytes]'],
      ['Sec-WebSocket-Protocol', 'access_token, [redacted, 6 chars]'],
    ]);
    expect(redacted.response.headers).toEqual([['Upgrade', 'websocket'], ['Sec-WebSocket-Protocol', 'access_token']]);
    expect(JSON.stringify(redacted)).not.toMatch(/t0k3n|s3cr3t|a=1|dXNlcjpwYXNz/);
  });
});

describe('InspectHub builds events only for someone', () => {
  const hub = (): InspectHub => new InspectHub({ now: () => 0, replayEvents: 10, replayMs: 60_000, perSecond: 100, burst: 100 });

  it('keeps a tagged event as a builder and builds it only for a replay', () => {
    const h = hub();
    let built = 0;
    h.publish('run', 'end', () => {
      built += 1;
      return { kind: 'end', conn: 'c1', t: 0, code: 1000, reason: '', how: 'clean' };
    });
    expect(built).toBe(0);
    const got: string[] = [];
    h.subscribe('run', (json) => (got.push(json), true));
    expect(built).toBe(1);
    expect(got).toHaveLength(1);
    h.subscribe('run', (json) => (got.push(json), true));
    expect(built).toBe(1);
  });

  it('never builds an untagged event nobody watches', () => {
    const h = hub();
    h.publish(null, 'frame', () => {
      throw new Error('built');
    });
  });

  it('says who is watched', () => {
    const h = hub();
    expect(h.watches('run.alice')).toBe(false);
    const stop = h.subscribe('run', () => true);
    expect(h.watches('run.alice')).toBe(true);
    expect(h.watches('run2')).toBe(false);
    expect(h.watches(null)).toBe(false);
    stop();
    expect(h.watches('run.alice')).toBe(false);
    h.subscribe(null, () => true);
    expect(h.watches(null)).toBe(true);
  });
});

describe('what stays on this machine', () => {
  it.each([
    ['127.0.0.1', 'inspect', false, true],
    ['::ffff:127.0.0.1', 'token', false, true],
    ['192.168.1.9', 'inspect', false, false],
    ['192.168.1.9', 'labs', false, false],
    ['192.168.1.9', 'labs', true, true],
  ] as const)('%s may use %s (flag %s): %s', (address, feature, flag, expected) => {
    const config = resolveConfig({ host: '0.0.0.0', remoteInspect: flag, remoteToken: flag, labs: flag });
    expect(featureAllowed(config, feature, address)).toBe(expected);
  });

  it('knows a loopback bind', () => {
    expect(isLoopbackOnly(resolveConfig({}))).toBe(true);
    expect(isLoopbackOnly(resolveConfig({ host: '0.0.0.0' }))).toBe(false);
  });

  it('lists the URLs of a wildcard bind and warns', () => {
    const urls = reachableUrls('0.0.0.0', 8080, ['box', '127.0.0.1', '192.168.1.5', 'fe80::1']);
    expect(urls).toEqual(['http://localhost:8080', 'http://192.168.1.5:8080']);
    const text = banner({ url: 'http://0.0.0.0:8080', urls, port: 8080, inspectorKey: 'k'.repeat(24), config: resolveConfig({ host: '0.0.0.0' }) });
    expect(text).toContain('  http://192.168.1.5:8080\n');
    expect(text).toContain('WARNING: listening on 0.0.0.0');
    expect(text).toContain('Kept to this machine: /inspect (--remote-inspect), POST /api/token (--remote-token), the labs (--labs).');
    expect(text).toContain(`ws://localhost:8080/inspect?fd-key=${'k'.repeat(24)}`);
    const local = banner({ url: 'http://localhost:8080', urls: ['http://localhost:8080'], port: 8080, inspectorKey: 'k'.repeat(24), config: resolveConfig({}) });
    expect(local).not.toContain('WARNING');
    expect(local).toContain('Full Duplex is running at http://localhost:8080\n');
  });
});

describe('stopWithParent: an orphan stops, whenever it became one', () => {
  function ticks(parent: number | undefined, ms: number): number {
    vi.useFakeTimers();
    try {
      let stops = 0;
      const cancel = parent === undefined ? stopWithParent(() => stops++, 250) : stopWithParent(() => stops++, 250, parent);
      vi.advanceTimersByTime(ms);
      cancel();
      return stops;
    } finally {
      vi.useRealTimers();
    }
  }

  it('keeps running while the parent it started with is still its parent', () => {
    expect(ticks(undefined, 2_000)).toBe(0);
    expect(ticks(process.ppid, 2_000)).toBe(0);
  });

  it('stops once, at the first check, when the parent is already gone by the time it is called', () => {
    // The parent read as the module loaded, not at the call: npm killed while the server printed its
    // banner left node re-parented before it asked, and it never noticed.
    expect(ticks(process.ppid + 1, 249)).toBe(0);
    expect(ticks(process.ppid + 1, 250)).toBe(1);
    expect(ticks(process.ppid + 1, 5_000)).toBe(1);
  });
});

describe('clientErrorReply: what a connection Node gave up on is told', () => {
  const reply = (status: string): string => `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', '408 Request Timeout'],
    ['HPE_HEADER_OVERFLOW', '431 Request Header Fields Too Large'],
    ['HPE_INVALID_METHOD', '400 Bad Request'],
    [undefined, '400 Bad Request'],
  ])('%s on a connection that has carried nothing: %s', (code, status) => {
    expect(clientErrorReply(code, 0)).toBe(reply(status));
  });
  it.each(['ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADER_OVERFLOW', 'HPE_INVALID_METHOD'])('%s after a response on the connection: closed without a word', (code) => {
    expect(clientErrorReply(code, 125)).toBeNull();
  });
});

describe('a port or an address the system refuses, said with what to run instead', () => {
  it('below 1024: an administrator\'s port; use 8080', () => {
    const error = new PortForbiddenError('127.0.0.1', 80);
    expect([error.message, error.advice]).toEqual([
      'Port 80 on 127.0.0.1 is reserved for the system: only an administrator may listen on a port below 1024.',
      'Start Full Duplex on a port above 1023:\n  npm start -- --port 8080',
    ]);
  });

  it('above 1023 (Windows reserves ranges for Hyper-V and WSL): says how to list them, and another port', () => {
    const error = new PortForbiddenError('0.0.0.0', 8080);
    expect([error.message, error.advice]).toEqual([
      'The system does not let this program listen on port 8080 on 0.0.0.0. On Windows, ports that Hyper-V or WSL reserve are refused so (netsh interface ipv4 show excludedportrange protocol=tcp lists them).',
      'Start Full Duplex on another port, for example:\n  npm start -- --port 18080',
    ]);
  });

  it('an address this machine does not have: lists its addresses and the wildcard', () => {
    const error = new HostNotHereError('198.51.100.7', ['127.0.0.1', '192.168.1.20']);
    expect([error.message, error.advice]).toEqual([
      '198.51.100.7 is not an address of this machine, so nothing can listen on it.',
      "This machine's addresses: 127.0.0.1, 192.168.1.20. Start on one of them, or on all of its networks:\n  npm start -- --host 0.0.0.0",
    ]);
  });
});
