import { expect, it } from 'vitest';
import { TS_LIMITS } from '../../../server/labs/ts/engine.ts';
import { useServer } from '../server/helpers.ts';
import { startTsLab } from './ts-lab.ts';

/**
 * A TypeScript lab server whose code keeps everything it makes runs out of
 * its capped heap. Node then prints V8's report on stderr: the last few
 * garbage collections, "FATAL ERROR: … JavaScript heap out of memory" and a
 * native stack of addresses, some 21 lines; the lab's log showed all of it,
 * and the sentence that said what happened came last. Now the log leads with
 * that sentence, what to do next in it, and keeps only V8's one line.
 */
const { base, errors } = await useServer();

type LogLine = { time: number; level: string; text: string; line: number | null; seq: number };

async function logOf(id: string): Promise<LogLine[]> {
  const res = await fetch(`${base}/api/labs/${id}/log`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

const OUT_OF_MEMORY =
  `your server ran out of memory (its heap is capped at ${TS_LIMITS.heapMiB} MiB) and was stopped. ` +
  'Something in it only grows: an array, Map or string that gains on every message or timer tick and never lets go. ' +
  'Keep only what you need, then press Run again.';

it('a heap that grows without bound: the log leads with what happened and what to do, without V8\'s stack', { timeout: 60_000 }, async () => {
  expect(OUT_OF_MEMORY.startsWith('your server ran out of memory (its heap is capped at 64 MiB) and was stopped. ')).toBe(true);
  const lab = await startTsLab(
    base,
    "import { WebSocketServer } from 'ws';\n" +
    'const wss = new WebSocketServer({ port: Number(process.env.PORT) });\n' +
    'const seen: number[][] = [];\n' +
    "console.log('keeping everything');\n" +
    'setInterval(() => {\n' +
    '  for (let i = 0; i < 50; i++) seen.push(new Array(100_000).fill(i));\n' +
    '}, 1);\n',
  );
  let log: LogLine[] = [];
  for (let i = 0; i < 600 && !log.some((l) => l.level === 'error'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    log = await logOf(lab.id);
  }
  // Let any line still on its way arrive: the log is what the learner reads from now on.
  await new Promise((r) => setTimeout(r, 500));
  log = await logOf(lab.id);
  expect(log.map((l) => [l.level, l.line, l.text.replace(/^FATAL ERROR: .+ Allocation failed - JavaScript heap out of memory$/, 'FATAL ERROR: (V8\'s reason) Allocation failed - JavaScript heap out of memory')])).toEqual([
    ['stdout', 4, 'keeping everything'],
    ['error', null, OUT_OF_MEMORY],
    ['stderr', null, 'FATAL ERROR: (V8\'s reason) Allocation failed - JavaScript heap out of memory'],
  ]);
  expect(log.map((l) => l.seq)).toEqual([1, 2, 3]);
  // The lab has ended and says so at the handshake; the companion goes on.
  expect((await fetch(`${base}/health`)).status).toBe(200);
  expect((await fetch(`${base}/api/labs/${lab.id}`, { method: 'DELETE' })).status).toBe(204);
  // The companion's own error log: nothing went wrong in it.
  expect(errors).toEqual([]);
});
