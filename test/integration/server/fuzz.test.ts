import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { OPCODE } from '../../../protocol/constants.ts';
import { encodeFrame } from '../../../protocol/frame.ts';
import { tinySite } from './child.ts';
import { health, HANDSHAKE_KEY, RawClient, useServer, withTimeout } from './helpers.ts';

const t = await useServer({ maxPayload: 4096, heartbeat: 0, rateLimit: { perSecond: 1000, burst: 1000, abuse: 1000 }, chatJoins: { perSecond: 1000, burst: 1000 } });
const site = tinySite();
/** A server with a site to serve (Range) and a small unsent-data limit (non-reading clients). */
const s = await useServer({ siteDir: site.dir, heartbeat: 0, slowConsumerBytes: 64 * 1024, slowConsumerGrace: 0.2, rateLimit: { perSecond: 1000, burst: 1000, abuse: 1000 }, chatJoins: { perSecond: 1000, burst: 1000 } });
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

  it('answers any Range header with 200, 206 or 416, consistently, and never dies', async () => {
    const size = site.body.length;
    const num = fc.oneof(fc.nat({ max: size + 5 }), fc.constantFrom(0, size - 1, size, 2 ** 53, '9999999999999999'), fc.bigInt({ min: 0n, max: 10n ** 30n }));
    const spec = fc.oneof(
      fc.tuple(fc.option(num), fc.option(num)).map(([a, b]) => `${a ?? ''}-${b ?? ''}`),
      fc.stringMatching(/^[ -~]{0,20}$/),
    );
    const header = fc.oneof(
      fc.array(spec, { minLength: 1, maxLength: 3 }).map((specs) => `bytes=${specs.join(',')}`),
      fc.tuple(fc.constantFrom('bytes', 'BYTES', 'lines', ''), fc.constantFrom('=', ' = ', ''), spec).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(header, async (range) => {
        const answer = await withTimeout(
          new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
            const req = httpRequest({ host: '127.0.0.1', port: s.port, path: '/bytes.txt', headers: { range, 'accept-encoding': 'identity' } }, (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
            });
            req.on('error', reject);
            req.end();
          }),
          'a Range answer',
        );
        expect([200, 206, 416]).toContain(answer.status);
        if (answer.status === 200) expect(answer.body).toBe(site.body);
        if (answer.status === 416) {
          expect(answer.headers['content-range']).toBe(`bytes */${size}`);
          expect(answer.body).toBe('');
        }
        if (answer.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(answer.headers['content-range']));
          expect(m).not.toBeNull();
          const [start, end, total] = (m as RegExpExecArray).slice(1).map(Number) as [number, number, number];
          expect(total).toBe(size);
          expect(start).toBeLessThanOrEqual(end);
          expect(end).toBeLessThan(size);
          expect(answer.body).toBe(site.body.slice(start, end + 1));
          expect(Number(answer.headers['content-length'])).toBe(end - start + 1);
        }
      }),
      { numRuns: 300 },
    );
    expect((await health(s.base))['status']).toBe('ok');
    expect(escaped).toEqual([]);
  });

  it('bounds what it queues for clients that never read, on every endpoint', { timeout: 120_000 }, async () => {
    const before = process.memoryUsage().rss;
    const paths = ['/echo', '/broadcast', '/chat', '/feed?topics=fast', '/feed?topics=server'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 120 }), fc.boolean(), async (path, bytes, count, binary) => {
        const socket = connect(s.port, '127.0.0.1');
        socket.on('error', () => {});
        await withTimeout(new Promise((r) => socket.once('connect', r)), 'connect');
        const name = path === '/chat' ? `?name=n${Math.floor(Math.random() * 1e9)}` : '';
        socket.write(`GET ${path}${name} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        await withTimeout(new Promise((r) => socket.once('data', r)), 'the handshake answer');
        // Never reads again: whatever the server sends stays in its buffers unless it stops.
        socket.pause();
        const payload = binary ? new Uint8Array(bytes).fill(0x61) : JSON.stringify({ type: 'unsubscribe', topics: ['x'.repeat(Math.max(0, bytes - 40))] });
        const frame = encodeFrame({ opcode: binary ? OPCODE.binary : OPCODE.text, payload, maskingKey: new Uint8Array([9, 8, 7, 6]) });
        for (let i = 0; i < count; i++) socket.write(frame);
        expect((await health(s.base))['status']).toBe('ok');
        socket.destroy();
      }),
      { numRuns: 40 },
    );
    // Clients in this process, the server too: a loose bound that still catches queues without end.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    expect(escaped).toEqual([]);
  });

  it('leaves no connection behind once the fuzzing clients are gone', async () => {
    const count = async (base: string): Promise<number> =>
      Object.values((await health(base))['connections'] as Record<string, number>).reduce((a, b) => a + b, 0);
    const open = async (): Promise<number> => (await count(t.base)) + (await count(s.base));
    await withTimeout(
      (async () => {
        while ((await open()) !== 0) await new Promise((r) => setTimeout(r, 20));
      })(),
      'every connection to close',
    );
    expect(await open()).toBe(0);
  });
});
