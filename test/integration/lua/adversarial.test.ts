import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE, OPCODE } from '../../../protocol/constants.ts';
import { describeOpenResty, root, startNginx, type Nginx } from './openresty.ts';
import { maskedFrame, rawConnect, type RawClient } from './raw-client.ts';
import { until } from '../until.ts';

/**
 * Every OpenResty server sample the course shows, put through what real
 * networks and hostile clients do: a long silence, pings between fragments,
 * a frame cut in two by the read timeout, a close from either side, a peer
 * that vanishes mid-message, a message at the size limit. After each one,
 * nginx's error log must hold no Lua runtime error.
 *
 * The samples' read timeouts (5 s, 30 s) are cut to 1 s in a copy, so that
 * "past the timeout" takes a second, not half a minute; nothing else changes.
 */
const TIMEOUT_MS = 1000;

interface Sample {
  file: string;
  /** Query string for every connection (chat needs a name). */
  query?: (n: number) => string;
  http?: string[];
  /** What the sender gets back for a text message; null when the sample answers the sender with nothing. */
  reply: ((text: string) => string | RegExp) | null;
  /** Text frames the server sends unasked right after the handshake. */
  greeting: number;
  /** Does the sample answer pings? (online.lua ignores control frames a browser never sends.) */
  pongs: boolean;
  limit: number;
  /** Close code for a message over the limit, where the sample sends one. */
  tooBig: number | null;
}

const SAMPLES: Sample[] = [
  { file: 'echo-server.lua', reply: (t) => t, greeting: 0, pongs: true, limit: 65535, tooBig: CLOSE.messageTooBig },
  { file: 'broadcast.lua', reply: (t) => t, greeting: 0, pongs: true, limit: 65535, tooBig: null },
  {
    file: 'broadcast-relay.lua',
    http: ['lua_shared_dict relay 1m;', 'init_worker_by_lua_block { require("relay").start() }'],
    reply: (t) => t,
    greeting: 0,
    pongs: true,
    limit: 65535,
    tooBig: null,
  },
  { file: 'chat.lua', query: (n) => `?name=user${n}`, reply: null, greeting: 1, pongs: true, limit: 65535, tooBig: null },
  { file: 'heartbeat.lua', reply: (t) => t, greeting: 0, pongs: true, limit: 65535, tooBig: null },
  { file: 'origin-check.lua', reply: (t) => t, greeting: 0, pongs: true, limit: 4096, tooBig: CLOSE.messageTooBig },
  { file: 'feed.lua', reply: () => /"code":"bad_json"/, greeting: 0, pongs: true, limit: 4096, tooBig: null },
  {
    file: 'online.lua',
    http: ['lua_shared_dict online 1m;'],
    reply: () => /^\{"worker":0,"here":\d+,"everywhere":\d+\}$/,
    greeting: 1,
    pongs: false,
    limit: 1024,
    tooBig: null,
  },
  { file: 'subprotocol.lua', reply: (t) => `none: ${t}`, greeting: 0, pongs: true, limit: 65535, tooBig: null },
];

const scratch = join(root, '.scratch', `lua-adversarial-${process.pid}`);

/** The sample with its read timeout set to TIMEOUT_MS; the only change. */
function withShortTimeout(file: string): string {
  const source = readFileSync(join(root, 'samples/lua', file), 'utf8');
  const copy = source.replace(/timeout = \d+/g, `timeout = ${TIMEOUT_MS}`).replace('or 30000', `or ${TIMEOUT_MS}`);
  if (copy === source) throw new Error(`${file}: no read timeout found to shorten`);
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, file), copy);
  return join('.scratch', `lua-adversarial-${process.pid}`, file);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Error-log lines that mean a sample's Lua went wrong, as opposed to a client going away. */
const LUA_FAILURE = /runtime error|lua entry thread aborted|lua user thread aborted|bad RSV|attempt to (call|index)/;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The samples side by side, each with its nginx (vitest's maxConcurrency): a test here mostly
// sleeps past a read timeout. A sample's own tests share its nginx and its error log, so they
// run one after another.
describe.concurrent('every WebSocket sample under attack', () => {
  for (const sample of SAMPLES) {
    describeOpenResty(`samples/lua/${sample.file} under attack`, () => {
      let nginx: Nginx;
      let n = 0;
      /** A connection; `mark`, added to its query, names it in the error log's lines about it (each test here uses its own). */
      const open = async (headers: Record<string, string> = {}, mark = ''): Promise<RawClient> => {
        n += 1;
        const target = `/ws${sample.query?.(n) ?? ''}`;
        const client = await rawConnect(nginx.port, mark ? `${target}${target.includes('?') ? '&' : '?'}${mark}` : target, headers);
        expect(client.response.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
        await until(() => client.texts().length >= sample.greeting);
        return client;
      };
      /** Proves the connection still works: a text is answered (or reaches another client) and a ping is ponged. */
      const answers = async (client: RawClient, text: string, watcher?: RawClient): Promise<void> => {
        const before = client.texts().length;
        client.send(OPCODE.text, text);
        if (sample.reply) {
          const expected = sample.reply(text);
          // Wait for the answer itself, not any text: the feed's tick can come first.
          const answered = (t: string): boolean => (typeof expected === 'string' ? t === expected : expected.test(t));
          await until(() => client.texts().slice(before).some(answered));
          const got = client.texts().slice(before);
          if (!got.some(answered)) {
            // Seen once for feed.lua (with e2e running beside) and not reproduced in 6 runs under
            // load: the failure says everything it can, so the next one explains itself.
            const ended = client.isEnded() ? `ended (close ${client.closeFrame()?.code ?? 'none'})` : 'open';
            const log = nginx.errorLog().split('\n').slice(-15).join('\n');
            throw new Error(`no answer to ${JSON.stringify(text)} within 5 s; the connection is ${ended}; arrived since: ${JSON.stringify(got)}; the error log ends:\n${log}`);
          }
          if (typeof expected === 'string') expect(got).toContain(expected);
          else expect(got.some((t) => expected.test(t))).toBe(true);
        } else if (watcher) {
          await until(() => watcher.texts().some((t) => t.includes(JSON.stringify(text))));
          expect(watcher.texts().filter((t) => t.includes(JSON.stringify(text)))).toHaveLength(1);
        }
        if (sample.pongs) {
          const tag = `alive ${n}`;
          client.send(OPCODE.ping, tag);
          await until(() => client.pongs().includes(tag));
          expect(client.pongs()).toContain(tag);
        }
      };
      /** How many read timeouts nginx has logged for the connection opened with `mark`: each line names its request. */
      const readTimeouts = (mark: string): number => {
        const ours = new RegExp(`lua tcp socket read timed out, .*request: "GET /ws[^"]*[?&]${mark} HTTP/1\\.1"`);
        return nginx.errorLog().split('\n').filter((line) => ours.test(line)).length;
      };
      const logIsClean = (): void => {
        const failures = nginx.errorLog().split('\n').filter((line) => LUA_FAILURE.test(line));
        expect(failures).toEqual([]);
      };

      beforeAll(async () => {
        nginx = await startNginx({
          http: sample.http ?? [],
          locations: { '/ws': withShortTimeout(sample.file) },
        });
      });
      afterAll(() => nginx?.stop());

      it('idles past the read timeout, then still answers', { concurrent: false }, async () => {
        const watcher = sample.reply ? undefined : await open();
        const mark = 'probe=idle';
        const client = await open({}, mark);
        // Past one whole read timeout of its own, as nginx's error log tells.
        await until(() => readTimeouts(mark) >= 1);
        expect(readTimeouts(mark)).toBeGreaterThanOrEqual(1);
        expect(client.isEnded()).toBe(false);
        await answers(client, 'after a quiet spell', watcher);
        logIsClean();
        client.destroy();
        watcher?.destroy();
      });

      it('joins a message whose fragments have pings between them, and pongs each ping', { concurrent: false }, async () => {
        const watcher = sample.reply ? undefined : await open();
        const client = await open();
        const before = client.texts().length;
        client.send(OPCODE.text, 'one ', false);
        client.send(OPCODE.ping, 'between 1');
        client.send(OPCODE.continuation, 'two ', false);
        client.send(OPCODE.ping, 'between 2');
        client.send(OPCODE.continuation, 'three', true);
        if (sample.pongs) {
          await until(() => client.pongs().length >= 2);
          expect(client.pongs()).toEqual(['between 1', 'between 2']);
        }
        if (sample.reply) {
          const expected = sample.reply('one two three');
          await until(() => client.texts().length > before);
          const got = client.texts().slice(before);
          if (typeof expected === 'string') expect(got).toContain(expected);
          else expect(got.some((t) => expected.test(t))).toBe(true);
        } else if (watcher) {
          await until(() => watcher.texts().some((t) => t.includes('"one two three"')));
          expect(watcher.texts().filter((t) => t.includes('"one two three"'))).toHaveLength(1);
        }
        logIsClean();
        client.destroy();
        watcher?.destroy();
      });

      it('hangs up on a frame cut in two by the read timeout, before the rest can be misread', { concurrent: false }, async () => {
        const mark = 'probe=split';
        const client = await open({}, mark);
        const frame = maskedFrame(OPCODE.text, 'split across the timeout');
        client.write(frame.subarray(0, 9)); // header, mask and 3 bytes of payload
        // Judged by nginx's error log, which has a line for every cosocket read timeout, not after a
        // fixed 1.4 s: a starved nginx once read the 9 bytes so late that the rest came inside its
        // timeout, and the frame arrived whole. A correct server hangs up at the timeout that cuts the
        // frame, its first or (when an idle one came before the 9 bytes were read) its second; a
        // server that reads on logs a third a second later, still connected.
        await until(() => client.isEnded() || readTimeouts(mark) >= 3);
        expect(client.isEnded(), 'hung up at the timeout, with the rest of the frame unsent').toBe(true);
        // Nothing of the frame may come back as if it had been a message.
        expect(client.texts().slice(sample.greeting).filter((t) => t.includes('timeout'))).toEqual([]);
        logIsClean();
      });

      it('answers a close from the client with a close frame and ends', { concurrent: false }, async () => {
        const client = await open();
        client.write(maskedFrame(OPCODE.close, Buffer.from([0x03, 0xe8, ...Buffer.from('bye')])));
        await until(() => client.isEnded());
        expect(client.closeFrame()?.code).toBe(CLOSE.normal);
        expect(client.isEnded()).toBe(true);
        logIsClean();
      });

      it(`ends the connection on a message over its ${sample.limit}-byte limit`, { concurrent: false }, async () => {
        const client = await open();
        client.send(OPCODE.text, 'x'.repeat(sample.limit + 1));
        await until(() => client.isEnded());
        expect(client.isEnded()).toBe(true);
        expect(client.closeFrame()?.code ?? null).toBe(sample.tooBig);
        logIsClean();
      });

      it('carries on for everyone else when a peer vanishes mid-message', { concurrent: false }, async () => {
        const watcher = sample.reply ? undefined : await open();
        const vanishing = await open();
        vanishing.send(OPCODE.text, 'half a messa', false);
        await sleep(50);
        vanishing.destroy();
        const mark = 'probe=other';
        const other = await open({}, mark);
        await answers(other, 'still here', watcher);
        // The server noticed: pings and the next idle round (a read timeout of other's) find no dead outbox.
        const idled = readTimeouts(mark);
        await until(() => readTimeouts(mark) > idled);
        expect(readTimeouts(mark)).toBeGreaterThan(idled);
        await answers(other, 'and still here', watcher);
        logIsClean();
        other.destroy();
        watcher?.destroy();
      });
    });
  }
});

describeOpenResty('the chat sample relays a message near the size limit without dropping anyone', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({ locations: { '/chat': 'samples/lua/chat.lua' } });
  });
  afterAll(() => nginx?.stop());

  it('refuses to the sender a text whose envelope would exceed the limit, and keeps everyone connected', async () => {
    const alice = await rawConnect(nginx.port, '/chat?name=alice');
    const bob = await rawConnect(nginx.port, '/chat?name=bob');
    await until(() => alice.texts().length >= 2 && bob.texts().length >= 1); // welcome (+ bob's join for alice)
    // 40,000 slashes: within the 65,535-byte receive limit, but cjson writes each as "\/", 80,000 bytes out.
    alice.send(OPCODE.text, '/'.repeat(40_000));
    await until(() => alice.texts().some((t) => t.includes('"too_long"')));
    expect(JSON.parse(alice.texts().at(-1) ?? '{}')).toEqual({
      type: 'error',
      code: 'too_long',
      message: 'message too long to relay',
    });
    alice.send(OPCODE.text, 'short one');
    await until(() => bob.texts().some((t) => t.includes('"short one"')));
    const relayed = bob.texts().filter((t) => t.includes('"type":"message"')).map((t) => JSON.parse(t) as { text: string; from: string });
    expect(relayed.map((m) => [m.from, m.text])).toEqual([['alice', 'short one']]);
    expect(bob.isEnded()).toBe(false);
    expect(nginx.errorLog()).not.toMatch(/payload too big|runtime error/);
    alice.destroy();
    bob.destroy();
  });

  it('relays a text that fits after escaping, just under the limit', async () => {
    const carol = await rawConnect(nginx.port, '/chat?name=carol');
    const dave = await rawConnect(nginx.port, '/chat?name=dave');
    await until(() => carol.texts().length >= 2 && dave.texts().length >= 1);
    const text = 'a'.repeat(65_000); // the envelope adds about a hundred bytes
    carol.send(OPCODE.text, text);
    await until(() => dave.texts().some((t) => t.length > 65_000));
    const relayed = JSON.parse(dave.texts().find((t) => t.length > 65_000) ?? '{}') as { text: string };
    expect(relayed.text).toBe(text);
    carol.destroy();
    dave.destroy();
  });
});

describeOpenResty('two subprotocols offered (lessons/handshake-and-frames)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx({
      locations: { '/echo': 'samples/lua/echo-server.lua', '/sub': 'samples/lua/subprotocol.lua' },
    });
  });
  afterAll(() => nginx?.stop());

  const attempt = (path: string, protocols?: string[]): Promise<{ protocol?: string; error?: string }> =>
    new Promise((resolve) => {
      const socket = new WebSocket(nginx.url(path), protocols);
      socket.once('open', () => {
        resolve({ protocol: socket.protocol });
        socket.close();
      });
      socket.once('error', (error) => resolve({ error: error.message }));
    });

  it('server:new copies the whole offer back, so the client fails the handshake', async () => {
    const raw = await rawConnect(nginx.port, '/echo', { 'Sec-WebSocket-Protocol': 'chat.v2, chat.v1' });
    expect(raw.response).toMatch(/\r\nSec-WebSocket-Protocol: chat\.v2, chat\.v1(\r\n|$)/i);
    raw.destroy();
    await expect(attempt('/echo', ['chat.v2', 'chat.v1'])).resolves.toEqual({ error: 'Server sent an invalid subprotocol' });
  });

  it('subprotocol.lua answers with the one it prefers, refuses unknown offers, and takes none', async () => {
    await expect(attempt('/sub', ['chat.v1', 'chat.v2'])).resolves.toEqual({ protocol: 'chat.v2' });
    await expect(attempt('/sub', ['chat.v1'])).resolves.toEqual({ protocol: 'chat.v1' });
    await expect(attempt('/sub', ['chat.v9'])).resolves.toEqual({ error: 'Unexpected server response: 400' });
    await expect(attempt('/sub')).resolves.toEqual({ protocol: '' });
    expect(nginx.errorLog()).toContain('no supported subprotocol among: chat.v9');
  });
});
