import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { OPCODE } from '../../../protocol/constants.ts';
import { encodeFrame } from '../../../protocol/frame.ts';
import type { Engine, LabServer, WireTap } from '../../../server/labs/engine.ts';
import { embeddedLuaEngine } from '../../../server/labs/lua/engine.ts';
import { SEND_BUFFER_BYTES } from '../../../server/labs/lua/messages.ts';
import { tsEngine } from '../../../server/labs/ts/engine.ts';
import { RawClient, withTimeout } from '../server/helpers.ts';

/**
 * A lab server that floods a client that does not read must not grow the
 * companion: the proxy (TypeScript, OpenResty) stops reading from the lab
 * server while the client's socket is full, and the embedded Lua engine's send
 * waits, as nginx's does. Each case watches the companion's socket to the
 * client through the wire tap, which sees every write before it is made: the
 * most it ever held for that client is what is asserted, not time or RSS.
 */

interface Lab {
  server: LabServer;
  client: RawClient;
  /** Bytes written to the client so far. */
  wrote: () => number;
  /** The most the companion's socket to the client held, counting each write. */
  maxBuffered: () => number;
  /** That socket's high-water mark. */
  highWater: () => number;
  /** What that socket holds now. */
  buffered: () => number;
  close(): Promise<void>;
}

async function connectTo(engine: Engine, code: string): Promise<Lab> {
  const started = await engine.start(code, { sharedDicts: [] });
  if (!started.ok) throw new Error(started.message);
  const server = started.server;
  let socket: Socket | null = null;
  let wrote = 0;
  let maxBuffered = 0;
  const http: Server = createServer();
  http.on('upgrade', (req, s: Socket, head: Buffer) => {
    socket = s;
    const tap: WireTap = {
      read: () => {},
      wrote: (chunk) => {
        wrote += chunk.length;
        maxBuffered = Math.max(maxBuffered, s.writableLength + chunk.length);
      },
      end: () => {},
    };
    server.handleUpgrade(req, s, head, tap);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = await RawClient.upgrade((http.address() as AddressInfo).port, '/labs/x');
  // From here on the client reads nothing; then it tells the server to start.
  client.socket.pause();
  client.write(encodeFrame({ opcode: OPCODE.text, fin: true, payload: new TextEncoder().encode('go'), maskingKey: new Uint8Array([1, 2, 3, 4]) }));
  return {
    server,
    client,
    wrote: () => wrote,
    maxBuffered: () => maxBuffered,
    highWater: () => (socket as Socket | null)?.writableHighWaterMark ?? 0,
    buffered: () => (socket as Socket | null)?.writableLength ?? 0,
    async close() {
      client.destroy();
      await server.stop();
      http.close();
    },
  };
}

async function waitForLog(server: LabServer, pattern: RegExp, ms = 30_000): Promise<string> {
  return withTimeout(
    (async () => {
      for (;;) {
        const hit = server.log.find((line) => pattern.test(line.text));
        if (hit) return hit.text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })(),
    `a log line like ${pattern}`,
    ms,
  );
}

describe('a TypeScript lab server flooding a client that does not read', () => {
  const engine = tsEngine();
  afterAll(() => engine.dispose());

  it('is held back by the proxy: the companion never holds more than one read past its high-water mark', { timeout: 60_000 }, async () => {
    // The learner's server sends while ws has under 4 MiB queued; it reports when that stays full
    // for a second (the bytes wait in its own process), or when it has sent everything.
    const lab = await connectTo(
      engine,
      `import { WebSocketServer } from 'ws';
const wss = new WebSocketServer({ port: Number(process.env.PORT) });
const frame = Buffer.alloc(64 * 1024, 120);
const TOTAL = 128 * 1024 * 1024;
const FULL = 4 * 1024 * 1024;
wss.on('connection', (socket) => {
  let sent = 0;
  let full = 0;
  const pump = () => {
    while (socket.bufferedAmount < FULL && sent < TOTAL) {
      socket.send(frame);
      sent += frame.length;
    }
    if (sent >= TOTAL) return console.log('sent all');
    full = socket.bufferedAmount >= FULL ? full + 1 : 0;
    if (full === 10) return console.log('stalled');
    setTimeout(pump, 100);
  };
  pump();
});
`,
    );
    try {
      const verdict = await waitForLog(lab.server, /^(stalled|sent all)$/, 50_000);
      expect(verdict).toBe('stalled');
      expect(lab.wrote()).toBeGreaterThan(0);
      // A read from the lab server is at most 64 KiB, written only while the socket is under its mark.
      expect(lab.highWater()).toBeGreaterThan(0);
      expect(lab.maxBuffered()).toBeLessThanOrEqual(lab.highWater() + 64 * 1024);
    } finally {
      await lab.close();
    }
  });
});

describe('an embedded Lua lab server flooding a client that does not read', () => {
  const engine = embeddedLuaEngine();
  afterAll(() => engine.dispose());
  // 60,000-byte binary frames: 60,004 bytes on the wire.
  const FRAME = 60_004;
  const flood = (timeout: number): string => `
local server = require "resty.websocket.server"
local wb, err = server:new{ timeout = ${timeout} }
if not wb then return ngx.exit(444) end
-- The flood starts once the client has said "go" (and stopped reading).
local go = wb:recv_frame()
local chunk = string.rep("x", 60000)
for n = 1, 400 do
  local bytes, err = wb:send_binary(chunk)
  if not bytes then
    ngx.log(ngx.ERR, "failed to send after ", n - 1, " frames: ", err)
    return ngx.exit(444)
  end
end
ngx.log(ngx.INFO, "sent all")
`;

  it("waits in its send, then times out as nginx's does: the companion holds at most the send buffer and a frame", { timeout: 60_000 }, async () => {
    const lab = await connectTo(engine, flood(300));
    try {
      const failed = await waitForLog(lab.server, /^failed to send|^sent all$/);
      expect(failed).toMatch(/^failed to send after \d+ frames: failed to send frame: timeout$/);
      const texts = lab.server.log.map((line) => `[${line.level}] ${line.text}`);
      expect(texts).toEqual(['[error] lua tcp socket write timed out', `[error] ${failed}`]);
      expect(lab.maxBuffered()).toBeLessThanOrEqual(SEND_BUFFER_BYTES + FRAME);
      expect(lab.maxBuffered()).toBeGreaterThan(0);
    } finally {
      await lab.close();
    }
  });

  // Passes on the old engine too (it never waited): this one is about the wait ending.
  it('goes on once the client reads, and every frame arrives', { timeout: 60_000 }, async () => {
    const lab = await connectTo(engine, flood(30_000));
    try {
      // The kernel's buffers are full (the companion's socket holds bytes): the handler waits, or is about to.
      await withTimeout(
        (async () => {
          while (lab.buffered() <= SEND_BUFFER_BYTES / 4) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        'bytes held for the client',
        20_000,
      );
      expect(lab.server.log).toEqual([]);
      lab.client.socket.resume();
      expect(await waitForLog(lab.server, /^sent all$|^failed/)).toBe('sent all');
      await lab.client.frame(399);
      expect(lab.client.frames.filter((f) => f.opcode === 0x2)).toHaveLength(400);
      expect(lab.maxBuffered()).toBeLessThanOrEqual(SEND_BUFFER_BYTES + FRAME);
    } finally {
      await lab.close();
    }
  });
});
