import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/frame.ts';
import { CloseWatch } from '../../../server/labs/proxy.ts';

const HEAD = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 'latin1');

describe("the lab proxy's close watch", () => {
  it("takes a data byte 0x88 for data, and the server's close frame for the close, with its code", () => {
    const watch = new CloseWatch();
    watch.push(HEAD);
    watch.push(Buffer.from(fromHex('82 02 88 88'))); // binary frame whose payload is 0x88 0x88
    expect(watch.code).toBeNull();
    watch.push(Buffer.from(fromHex('88 02 03 f1'))); // close 1009
    expect(watch.code).toBe(1009);
  });

  it('finds the head end split across chunks, and a close frame split across chunks', () => {
    const watch = new CloseWatch();
    watch.push(HEAD.subarray(0, HEAD.length - 2));
    watch.push(Buffer.concat([HEAD.subarray(HEAD.length - 2), Buffer.from([0x88])]));
    expect(watch.code).toBeNull();
    watch.push(Buffer.from([0x00]));
    expect(watch.code).toBe(1005);
  });

  it('sees no close in a refusal whose body holds 0x88', () => {
    const watch = new CloseWatch();
    watch.push(Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 1\r\n\r\n', 'latin1'));
    watch.push(Buffer.from([0x88, 0x00]));
    expect(watch.code).toBeNull();
  });
});
