import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPCODE } from '../../../protocol/constants.ts';
import { describeOpenResty, startNginx, type Nginx } from './openresty.ts';
import { maskedFrame, rawConnect } from './raw-client.ts';
import { until } from '../until.ts';

/**
 * lua-resty-websocket has no permessage-deflate (lessons/extensions-and-subprotocols):
 * it answers a browser's offer with no Sec-WebSocket-Extensions, so nothing is
 * compressed, and it refuses a frame with RSV1 set.
 */
describeOpenResty('OpenResty and permessage-deflate (lessons/extensions-and-subprotocols)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({ locations: { '/echo': 'samples/lua/echo-server.lua' } });
  });
  afterAll(() => nginx?.stop());

  it("answers Chromium's offer without Sec-WebSocket-Extensions: the extension is not in use", async () => {
    const raw = await rawConnect(nginx.port, '/echo', { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' });
    expect(raw.response).toMatch(/^HTTP\/1\.1 101 /);
    expect(raw.response).not.toMatch(/sec-websocket-extensions/i);
    raw.send(OPCODE.text, 'plain');
    await until(() => raw.texts().length === 1);
    expect(raw.texts()).toEqual(['plain']);
    raw.destroy();
  });

  it('drops a connection whose frame has RSV1 set ("bad RSV1, RSV2, or RSV3 bits"), with no close frame', async () => {
    const logBefore = nginx.errorLog().length;
    const raw = await rawConnect(nginx.port, '/echo', { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
    const frame = maskedFrame(OPCODE.text, 'compressed?');
    frame[0] = (frame[0] ?? 0) | 0x40; // RSV1: "this message is compressed"
    raw.write(frame);
    await raw.ended;
    expect(raw.texts()).toEqual([]);
    expect(raw.closeFrame()).toBeNull();
    await until(() => nginx.errorLog().length > logBefore);
    expect(nginx.errorLog().slice(logBefore)).toContain('bad RSV1, RSV2, or RSV3 bits');
  });
});
