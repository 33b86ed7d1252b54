import { describe, expect, it } from 'vitest';
import { CLOSE, OPCODE } from '../../../protocol/constants.ts';
import { encodeFrame, fromHex } from '../../../protocol/frame.ts';
import { health, RawClient, useServer, withTimeout } from './helpers.ts';

const t = await useServer({ maxPayload: 1024, heartbeat: 0 });
const KEY = fromHex('37 fa 21 3d');

/** Hand-made frames over raw TCP: the server must answer each with the exact close code. */
describe('raw TCP frames', () => {
  it('completes the handshake with the RFC 6455 §1.3 Sec-WebSocket-Accept', async () => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    expect(raw.status).toBe(101);
    expect(raw.head).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    raw.write(fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58')); // masked "Hello", RFC 6455 §5.7
    const echo = await raw.frame(0);
    expect({ fin: echo.fin, opcode: echo.opcode, masked: echo.masked, text: Buffer.from(echo.preview).toString() }).toEqual({
      fin: true,
      opcode: OPCODE.text,
      masked: false,
      text: 'Hello',
    });
    raw.destroy();
  });

  it('answers a fragmented text message reassembled', async () => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    raw.write(encodeFrame({ opcode: OPCODE.text, fin: false, payload: 'Hel', maskingKey: KEY }));
    raw.write(encodeFrame({ opcode: OPCODE.continuation, fin: true, payload: 'lo', maskingKey: KEY }));
    expect(Buffer.from((await raw.frame(0)).preview).toString()).toBe('Hello');
    raw.destroy();
  });

  it.each([
    ['an unmasked client frame', fromHex('81 05 48 65 6c 6c 6f'), CLOSE.protocolError],
    ['reserved opcode 0x3', encodeFrame({ opcode: 0x3, payload: 'x', maskingKey: KEY }), CLOSE.protocolError],
    ['reserved opcode 0xB', encodeFrame({ opcode: 0xb, payload: '', maskingKey: KEY }), CLOSE.protocolError],
    ['RSV1 set without an extension', encodeFrame({ opcode: OPCODE.text, rsv1: true, payload: 'x', maskingKey: KEY }), CLOSE.protocolError],
    ['a fragmented ping (FIN = 0 on a control frame)', encodeFrame({ opcode: OPCODE.ping, fin: false, payload: 'p', maskingKey: KEY }), CLOSE.protocolError],
    ['a ping with a 126-byte payload (control frames carry ≤ 125)', encodeFrame({ opcode: OPCODE.ping, payload: new Uint8Array(126), maskingKey: KEY }), CLOSE.protocolError],
    ['a continuation with no message to continue', encodeFrame({ opcode: OPCODE.continuation, payload: 'x', maskingKey: KEY }), CLOSE.protocolError],
    ['a new text frame inside a fragmented message', Buffer.concat([
      encodeFrame({ opcode: OPCODE.text, fin: false, payload: 'a', maskingKey: KEY }),
      encodeFrame({ opcode: OPCODE.text, payload: 'b', maskingKey: KEY }),
    ]), CLOSE.protocolError],
    ['a close frame with a 1-byte payload', encodeFrame({ opcode: OPCODE.close, payload: new Uint8Array([3]), maskingKey: KEY }), CLOSE.protocolError],
    ['invalid UTF-8 in a text frame', encodeFrame({ opcode: OPCODE.text, payload: new Uint8Array([0xc3, 0x28]), maskingKey: KEY }), CLOSE.invalidPayload],
    ['a frame over --max-payload (16-bit length 1025)', encodeFrame({ opcode: OPCODE.binary, payload: new Uint8Array(1025), maskingKey: KEY }), CLOSE.messageTooBig],
    ['a 64-bit length of 2^53 and more', fromHex('82 ff 00 20 00 00 00 00 00 00 37 fa 21 3d'), CLOSE.messageTooBig],
  ])('closes with the right code on %s', async (_name, bytes, code) => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    raw.write(bytes);
    expect(await raw.closeCode()).toBe(code);
    await raw.gone();
  });

  it('closes with 1009 once a fragmented message grows past --max-payload', async () => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    raw.write(encodeFrame({ opcode: OPCODE.binary, fin: false, payload: new Uint8Array(600), maskingKey: KEY }));
    raw.write(encodeFrame({ opcode: OPCODE.continuation, fin: true, payload: new Uint8Array(600), maskingKey: KEY }));
    expect(await raw.closeCode()).toBe(CLOSE.messageTooBig);
  });

  it('answers a ping with a pong carrying the same payload', async () => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    raw.write(encodeFrame({ opcode: OPCODE.ping, payload: 'are you there', maskingKey: KEY }));
    const pong = await raw.frame(0);
    expect(pong.opcode).toBe(OPCODE.pong);
    expect(Buffer.from(pong.preview).toString()).toBe('are you there');
    raw.destroy();
  });

  it('echoes a close code and completes the close handshake', async () => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    raw.write(encodeFrame({ opcode: OPCODE.close, payload: new Uint8Array([0x03, 0xe8, 0x6f, 0x6b]), maskingKey: KEY }));
    expect(await raw.closeCode()).toBe(CLOSE.normal);
    await raw.gone();
  });

  it.each([
    ['a request line only', 'GET /echo HTTP/1.1\r\n'],
    ['headers without the blank line', `GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
  ])('survives a truncated handshake: %s, then the client leaves', async (_name, text) => {
    const raw = new RawClient(t.port);
    await withTimeout(new Promise((r) => raw.socket.once('connect', r)), 'connect');
    raw.write(text);
    raw.socket.end();
    await raw.gone();
    expect(raw.status).toBe(400);
    expect((await health(t.base))['status']).toBe('ok');
  });

  it('survives a frame cut off mid-payload, and reports no connection left', async () => {
    const raw = await RawClient.upgrade(t.port, '/echo');
    raw.write(encodeFrame({ opcode: OPCODE.text, payload: 'Hello, world', maskingKey: KEY }).subarray(0, 9));
    raw.destroy();
    await raw.gone();
    await withTimeout(
      (async () => {
        while (((await health(t.base))['connections'] as Record<string, number>)['echo'] !== 0) await new Promise((r) => setTimeout(r, 20));
      })(),
      'the connection count to drop',
    );
  });
});
