import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLabs } from '../../../server/labs/catalog.ts';
import { runCheck, type TranscriptEntry } from '../../../server/labs/check.ts';
import type { Engine } from '../../../server/labs/engine.ts';
import { embeddedLuaEngine } from '../../../server/labs/lua/engine.ts';
import { openRestyEngine, openRestyMissing } from '../../../server/labs/openresty/engine.ts';

/**
 * The same scripted clients against each lab's solution on both engines: every
 * frame a step took (JSON compared with sorted keys) and every close code must
 * be identical. The chat is left out: its messages carry the server's clock.
 */
const missing = openRestyMissing();
if (missing.length > 0 && process.env['CI'] === 'true') throw new Error(`CI=true and the differential test needs ${missing.join(', ')}`);
const describeIf = missing.length > 0 ? describe.skip : describe;
const CLOCKED = new Set(['chat']);

describeIf('embedded Lua and OpenResty give the same transcripts', () => {
  const labs = loadLabs();
  const embedded = embeddedLuaEngine();
  const engines: Engine[] = [embedded, ...(missing.length === 0 ? [openRestyEngine()] : [])];
  afterAll(() => embedded.dispose());

  async function transcript(engine: Engine, id: string): Promise<TranscriptEntry[]> {
    const lab = labs.get(id);
    if (!lab) throw new Error(id);
    const started = await engine.start(lab.solution.lua ?? '', { sharedDicts: lab.sharedDicts });
    if (!started.ok) throw new Error(started.message);
    const http: Server = createServer();
    http.on('upgrade', (req, socket, head) => started.server.handleUpgrade(req, socket, head, null));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const entries: TranscriptEntry[] = [];
    try {
      const verdict = await runCheck(lab.check, {
        url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/labs/${id}`,
        log: () => started.server.log,
        record: (entry) => entries.push(entry),
      });
      expect(verdict.passed).toBe(true);
      return entries;
    } finally {
      await started.server.stop();
      http.close();
    }
  }

  for (const id of [...labs.keys()].filter((id) => !CLOCKED.has(id))) {
    it(`${id}`, { timeout: 90_000 }, async () => {
      // One engine after the other: the checks wait on timers, and a loaded machine is slow enough.
      const a = await transcript(embedded, id);
      const b = engines[1] ? await transcript(engines[1], id) : a;
      expect(a?.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
    });
  }
});
