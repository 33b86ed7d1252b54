import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectEventSchema, type InspectEvent } from '../../../protocol/inspect.ts';
import { loadLabs } from '../../../server/labs/catalog.ts';
import type { Verdict } from '../../../server/labs/check.ts';
import { openRestyMissing } from '../../../server/labs/openresty/engine.ts';
import { open, useServer, type TestServer } from '../server/helpers.ts';
import { nginxLabFolder } from './nginx-folder.ts';

/**
 * How a check's cases end on the page's diagram, through the real lab API and inspector, on every
 * engine: a client still open when its case is over closes with 1000 and the server answers, so
 * its connection ends clean (not "server ✕ …: connection dropped, no close frame (1006)"), and the
 * learner's handler logs no error for it; a client that did a `leave` step still vanishes.
 */
const labs = loadLabs();
const missing = openRestyMissing();
if (missing.length > 0 && process.env['CI'] === 'true') throw new Error(`CI=true and this test needs ${missing.join(', ')}`);
if (missing.length > 0) process.stderr.write(`\n!! SKIPPING the OpenResty half of check-ending.test.ts: missing ${missing.join(', ')}\n\n`);

const embedded = await useServer();
const nginx = missing.length === 0 ? await useServer({ luaEngine: 'openresty' }) : null;

interface Engine {
  name: string;
  server: TestServer | null;
  language: 'lua' | 'ts';
}
const ENGINES: Engine[] = [
  { name: 'embedded Lua', server: embedded, language: 'lua' },
  { name: 'OpenResty', server: nginx, language: 'lua' },
  { name: 'TypeScript', server: embedded, language: 'ts' },
];

type LogLine = { level: string; text: string };

/** Starts a lab's solution; its code carries a marker, so nginx's lab folder (its error.log) can be found. */
async function start(server: TestServer, language: 'lua' | 'ts', lab: string): Promise<{ id: string; marker: string }> {
  const code = labs.get(lab)?.solution[language];
  if (code === undefined) throw new Error(`no ${language} solution for ${lab}`);
  const marker = `-- test ${randomBytes(8).toString('hex')}`;
  const body = { language, code: language === 'lua' ? `${code}\n${marker}` : code, lab };
  const res = await fetch(`${server.base}/api/labs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return { id: ((await res.json()) as { id: string }).id, marker };
}

async function check(server: TestServer, id: string, tag?: string): Promise<Verdict> {
  const res = await fetch(`${server.base}/api/labs/${id}/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tag ? { tag } : {}) });
  expect(res.status).toBe(200);
  return (await res.json()) as Verdict;
}

async function logOf(server: TestServer, id: string): Promise<LogLine[]> {
  return (await (await fetch(`${server.base}/api/labs/${id}/log`)).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

/** nginx's own error.log of the lab whose handler ends with `marker`: its lines at error level and above. */
function nginxErrors(marker: string): string[] {
  const folder = nginxLabFolder('handler.lua', (text) => text.endsWith(marker));
  if (folder === undefined) throw new Error("the lab's folder was not found");
  return readFileSync(join(folder, 'logs/error.log'), 'utf8')
    .split('\n')
    .filter((l) => /\[(error|crit|alert|emerg)\]/.test(l));
}

/** What the page's diagram draws a connection's ending from: its close frames, in order, and its end event. */
interface Ending {
  closes: [dir: string, close: { code: number; reason: string } | null][];
  end: { code: number; reason: string; how: string } | null;
}

describe('the end of each check case, on the diagram and in the log', () => {
  for (const engine of ENGINES) {
    const itIf = engine.server === null ? it.skip : it;

    itIf(`${engine.name}: the echo solution's clients end clean, 1000 both ways, and the one that vanishes is still cut`, { timeout: 60_000 }, async () => {
      const server = engine.server as TestServer;
      const { id } = await start(server, engine.language, 'echo');
      const tag = `ending-${randomBytes(4).toString('hex')}`;
      const inspector = await open(`${server.ws}/inspect?fd-tag=${tag}`);
      try {
        expect((await check(server, id, tag)).passed).toBe(true);
        // Every client's events, named by the client its tag (<tag>.<client>) says.
        const clients = new Map<string, string>();
        const endings = new Map<string, Ending>();
        for (let ends = 0; ends < 7; ) {
          const event: InspectEvent = inspectEventSchema.parse(await inspector.json());
          if (event.kind === 'handshake') {
            clients.set(event.conn, (event.tag ?? '').slice(tag.length + 1));
            endings.set(event.conn, { closes: [], end: null });
          } else if (event.kind === 'frame' && event.opcode === 0x8) {
            endings.get(event.conn)?.closes.push([event.dir, event.close]);
          } else if (event.kind === 'end') {
            const ending = endings.get(event.conn);
            if (ending) ending.end = { code: event.code, reason: event.reason, how: event.how };
            ends += 1;
          }
        }
        const byClient = Object.fromEntries([...endings].map(([conn, ending]) => [clients.get(conn), ending]));
        const clean: Ending = {
          closes: [
            ['in', { code: 1000, reason: '' }],
            ['out', { code: 1000, reason: '' }],
          ],
          end: { code: 1000, reason: '', how: 'clean' },
        };
        expect(byClient).toEqual({
          // Alice closes as a step of her case; the others are closed by the check once their case is over.
          alice: clean,
          bob: clean,
          carol: clean,
          dave: clean,
          erin: clean,
          // "a client that vanishes does not stop the server": a `leave` step, no close frame.
          frank: { closes: [], end: { code: 1006, reason: '', how: 'abnormal' } },
          grace: clean,
        });
        // The learner's log: nothing at error level (the Lua solution says "client gone" of frank at info).
        expect((await logOf(server, id)).filter((l) => l.level === 'error' || l.level === 'stderr')).toEqual([]);
      } finally {
        inspector.ws.close();
        await fetch(`${server.base}/api/labs/${id}`, { method: 'DELETE' });
      }
    });
  }

  for (const engine of ENGINES) {
    const itIf = engine.server === null ? it.skip : it;

    itIf(`${engine.name}: a connection the server closed with 1009 ends with 1009, the code of its close frame`, { timeout: 60_000 }, async () => {
      const server = engine.server as TestServer;
      const { id } = await start(server, engine.language, 'payload-limit');
      const tag = `ending-${randomBytes(4).toString('hex')}`;
      const inspector = await open(`${server.ws}/inspect?fd-tag=${tag}`);
      try {
        expect((await check(server, id, tag)).passed).toBe(true);
        const clients = new Map<string, string>();
        const ends: Record<string, { code: number; how: string }> = {};
        while (Object.keys(ends).length < 3) {
          const event: InspectEvent = inspectEventSchema.parse(await inspector.json());
          if (event.kind === 'handshake') clients.set(event.conn, (event.tag ?? '').slice(tag.length + 1));
          else if (event.kind === 'end') ends[clients.get(event.conn) ?? event.conn] = { code: event.code, how: event.how };
        }
        // alice and carol sent too much; bob's case ended with the check's own close.
        expect(ends).toEqual({ alice: { code: 1009, how: 'clean' }, bob: { code: 1000, how: 'clean' }, carol: { code: 1009, how: 'clean' } });
      } finally {
        inspector.ws.close();
        await fetch(`${server.base}/api/labs/${id}`, { method: 'DELETE' });
      }
    });
  }

  for (const engine of ENGINES.filter((e) => e.language === 'lua')) {
    const itIf = engine.server === null ? it.skip : it;

    itIf(`${engine.name}: the payload-limit solution passes with no error line in its log (nginx: in error.log either)`, { timeout: 60_000 }, async () => {
      const server = engine.server as TestServer;
      const { id, marker } = await start(server, 'lua', 'payload-limit');
      try {
        expect((await check(server, id)).passed).toBe(true);
        // nginx's log reaches the engine by polling error.log: let the last lines in.
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Its only lines: the two refusals it is written to log, as warnings.
        expect(await logOf(server, id)).toMatchObject([
          { level: 'warn', text: 'closing: message larger than 1024 bytes' },
          { level: 'warn', text: 'closing: message larger than 1024 bytes' },
        ]);
        if (engine.name === 'OpenResty') expect(nginxErrors(marker)).toEqual([]);
      } finally {
        await fetch(`${server.base}/api/labs/${id}`, { method: 'DELETE' });
      }
    });
  }
});
