import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../protocol/frame.ts';
import { health, RawClient, useServer, withTimeout } from './helpers.ts';

const t = await useServer({ maxPayload: 4096, heartbeat: 0, rateLimit: { perSecond: 1000, burst: 1000, abuse: 1000 } });
const PATHS = ['/', '/echo', '/broadcast', '/chat', '/feed?topics=fast', '/inspect?fd-tag=fuzz'];

/** Anything that escapes the server's handlers lands here instead of passing silently. */
const escaped: unknown[] = [];
const record = (error: unknown): void => {
  escaped.push(error);
};
beforeAll(() => {
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
});
afterAll(() => {
  process.off('uncaughtException', record);
  process.off('unhandledRejection', record);
});

/** A close code a server may send (RFC 6455 §7.4): never 1004–1006, 1012+ unassigned here, or < 1000. */
const sendable = (code: number): boolean => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);

const frameArb = fc.record({
  opcode: fc.integer({ min: 0, max: 15 }),
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  rsv2: fc.constantFrom(false, false, false, true),
  rsv3: fc.constantFrom(false, false, false, true),
  masked: fc.constantFrom(true, true, true, false),
  payload: fc.uint8Array({ maxLength: 300 }),
  lengthForm: fc.constantFrom('auto' as const, 'auto' as const, 16 as const, 64 as const),
});

async function settle(raw: RawClient): Promise<void> {
  // Either the server closes, or a /health round trip proves it handled the bytes and lived.
  const body = await health(t.base);
  expect(body['status']).toBe('ok');
  raw.destroy();
  await withTimeout(raw.ended, 'socket end');
}

describe('fuzz', () => {
  it('survives random bytes after a valid handshake on every endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.uint8Array({ minLength: 1, maxLength: 600 }), async (path, bytes) => {
        const raw = await RawClient.upgrade(t.port, path);
        expect(raw.status).toBe(101);
        raw.write(bytes);
        await settle(raw);
      }),
      { numRuns: 150 },
    );
    expect(escaped).toEqual([]);
  });

  it('answers random frames with a valid close code, if any, and keeps answering /health', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), async (path, frames, key) => {
        const raw = await RawClient.upgrade(t.port, path);
        for (const f of frames) {
          const { masked, lengthForm, ...rest } = f;
          const spec = lengthForm === 'auto' ? rest : { ...rest, lengthForm };
          raw.write(encodeFrame(masked ? { ...spec, maskingKey: key } : spec));
        }
        await health(t.base);
        const close = raw.frames.find((x) => x.opcode === 0x8);
        if (close?.close) expect(sendable(close.close.code)).toBe(true);
        await settle(raw);
      }),
      { numRuns: 200 },
    );
    expect(escaped).toEqual([]);
  });

  it('survives random bytes instead of an HTTP request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), async (bytes) => {
        const raw = new RawClient(t.port);
        await withTimeout(new Promise((r) => raw.socket.once('connect', r)), 'connect');
        raw.write(bytes);
        await settle(raw);
      }),
      { numRuns: 60 },
    );
    expect(escaped).toEqual([]);
  });

  it('survives random request targets and headers on the upgrade', async () => {
    const token = fc.stringMatching(/^[!-~]{0,40}$/);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), token, fc.option(token), async (path, query, origin) => {
        const target = `${path}${path.includes('?') ? '&' : '?'}${query.replace(/[\s#]/g, '')}`;
        const raw = new RawClient(t.port);
        await withTimeout(new Promise((r) => raw.socket.once('connect', r)), 'connect');
        raw.write(
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
            (origin === null ? '' : `Origin: ${origin}\r\n`) +
            '\r\n',
        );
        await settle(raw);
      }),
      { numRuns: 60 },
    );
    expect(escaped).toEqual([]);
  });

  it('leaves no connection behind once the fuzzing clients are gone', async () => {
    const open = async () => Object.values((await health(t.base))['connections'] as Record<string, number>).reduce((a, b) => a + b, 0);
    await withTimeout(
      (async () => {
        while ((await open()) !== 0) await new Promise((r) => setTimeout(r, 20));
      })(),
      'every connection to close',
    );
    expect(await open()).toBe(0);
  });
});
