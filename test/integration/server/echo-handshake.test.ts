import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OPCODE } from '../../../protocol/constants.ts';
import { ECHO_DEFLATE } from '../../../protocol/endpoints.ts';
import { inspectEventSchema, type FrameEvent, type InspectEvent } from '../../../protocol/inspect.ts';
import type { Client} from './helpers.ts';
import { open, RawClient, refused, useServer, withTimeout } from './helpers.ts';

/**
 * The echo's two handshake options for the extensions lesson: `?speaks=` (the
 * subprotocols it knows, so an offer of none of them gets no subprotocol and the
 * client fails the connection) and `?deflate` (permessage-deflate, which the
 * inspector shows inflated).
 */
const t = await useServer({ heartbeat: 0 });

/** A ws client's handshake outcome: the subprotocol and extensions, or the error ws raised. */
function attempt(url: string, protocols: string[], options: WebSocket.ClientOptions = {}): Promise<{ protocol: string; extensions: string } | { error: string }> {
  return withTimeout(
    new Promise((resolve) => {
      const ws = new WebSocket(url, protocols, options);
      ws.on('open', () => {
        resolve({ protocol: ws.protocol, extensions: ws.extensions });
        ws.close();
      });
      ws.on('error', (error) => resolve({ error: error.message }));
    }),
    'a handshake',
  );
}

describe('/echo?speaks=', () => {
  it('picks the first offered name it knows, in the client\'s order', async () => {
    await expect(attempt(`${t.ws}/echo?speaks=chat.v1,chat.v2`, ['chat.v3', 'chat.v2', 'chat.v1'])).resolves.toEqual({ protocol: 'chat.v2', extensions: '' });
  });

  it('answers with no subprotocol when it knows none offered, and the ws client then fails the connection', async () => {
    await expect(attempt(`${t.ws}/echo?speaks=chat.v1,chat.v2`, ['chat.v3'])).resolves.toEqual({ error: 'Server sent no subprotocol' });
    // On the wire: a 101 without Sec-WebSocket-Protocol, though the request offered one.
    const raw = await RawClient.upgrade(t.port, '/echo?speaks=chat.v1', ['Sec-WebSocket-Protocol: chat.v3']);
    expect(raw.status).toBe(101);
    expect(raw.head.toLowerCase()).not.toContain('sec-websocket-protocol');
    const chosen = await RawClient.upgrade(t.port, '/echo?speaks=chat.v1', ['Sec-WebSocket-Protocol: chat.v3, chat.v1']);
    expect(chosen.head).toContain('\r\nSec-WebSocket-Protocol: chat.v1');
    chosen.destroy();
    raw.destroy();
  });

  it('without ?speaks=, picks the first name offered, as a ws server does by default', async () => {
    await expect(attempt(`${t.ws}/echo`, ['anything', 'else'])).resolves.toEqual({ protocol: 'anything', extensions: '' });
  });

  it('refuses a malformed list with 400 bad_speaks', async () => {
    await expect(refused(`${t.ws}/echo?speaks=${encodeURIComponent('chat v1')}`)).resolves.toMatchObject({ status: 400, body: { error: 'bad_speaks' } });
    await expect(refused(`${t.ws}/echo?speaks=${Array.from({ length: 9 }, (_, i) => `p${i}`).join(',')}`)).resolves.toMatchObject({ status: 400, body: { error: 'bad_speaks' } });
  });
});

/** Reads inspector events until `count` data frames have been seen. */
async function frames(inspector: Client, count: number): Promise<FrameEvent[]> {
  const seen: FrameEvent[] = [];
  for (let i = 0; i < 200 && seen.length < count; i++) {
    const e: InspectEvent = inspectEventSchema.parse(await inspector.json());
    if (e.kind === 'frame' && (e.opcode === OPCODE.text || e.opcode === OPCODE.binary)) seen.push(e);
  }
  return seen;
}

describe('/echo?deflate', () => {
  it('agrees to permessage-deflate without context takeover, and echoes compressed and small messages intact', async () => {
    // What a browser offers; the answer turns off context takeover both ways (ws's `extensions` shows names only).
    const raw = await RawClient.upgrade(t.port, '/echo?deflate', ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits']);
    expect(raw.head).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover');
    raw.destroy();
    const client = await open(`${t.ws}/echo?deflate`);
    expect(client.ws.extensions).toBe('permessage-deflate');
    const long = 'tick '.repeat(400);
    client.send(long);
    expect((await client.next()).data.toString()).toBe(long);
    client.send('hi');
    expect((await client.next()).data.toString()).toBe('hi');
    client.ws.close();
    await client.closeCode();
  });

  it('without ?deflate, agrees to no extension although the client offers one', async () => {
    const client = await open(`${t.ws}/echo`);
    expect(client.ws.extensions).toBe('');
    client.ws.close();
    await client.closeCode();
  });

  it('shows the inspector each compressed message inflated, and small ones (under the threshold) as sent', async () => {
    const tag = 'deflate-run';
    const inspector = await open(`${t.ws}/inspect?fd-tag=${tag}`);
    const client = await open(`${t.ws}/echo?deflate&fd-tag=${tag}`);
    const long = 'tick '.repeat(400);
    expect(long.length).toBeGreaterThan(ECHO_DEFLATE.threshold);
    client.send(long);
    await client.next();
    client.send('hi');
    await client.next();
    const [bigIn, bigOut, smallIn, smallOut] = await frames(inspector, 4);
    for (const big of [bigIn, bigOut]) {
      expect(big).toMatchObject({ opcode: OPCODE.text, rsv1: true, fin: true, previewText: null });
      expect(big?.payloadLength).toBeLessThan(100);
      expect(big?.inflated).toEqual({ bytes: 2000, previewHex: expect.stringMatching(/^74 69 63 6b 20/), previewText: 'tick '.repeat(52).slice(0, 256), truncated: true });
    }
    expect(bigIn?.dir).toBe('in');
    expect(bigOut?.dir).toBe('out');
    for (const small of [smallIn, smallOut]) {
      expect(small).toMatchObject({ opcode: OPCODE.text, rsv1: false, payloadLength: 2, previewText: 'hi' });
      expect(small?.inflated).toBeUndefined();
    }
    client.ws.close();
    await client.closeCode();
    inspector.ws.close();
    await inspector.closeCode();
  });
});
