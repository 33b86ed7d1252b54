/**
 * The frame codec the server's wire tap runs on every byte, against `ws`'s own
 * Receiver parsing the same bytes in the same process.
 */
import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { FrameDecoder, encodeFrame } from '../protocol/frame.ts';
import { OPCODE } from '../protocol/constants.ts';
import { runIfMain, type BenchResult } from './types.ts';

// ws exports its Receiver (a Writable that parses frames) but @types/ws does not declare it.
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => Writable;
};

function chunked(count: number, size: number): Buffer[] {
  const one = encodeFrame({ opcode: OPCODE.binary, payload: new Uint8Array(size).fill(0x61), maskingKey: new Uint8Array([1, 2, 3, 4]) });
  const bytes = Buffer.concat(Array.from({ length: count }, () => one));
  // As TCP segments arrive: 1,460-byte chunks that split frames anywhere.
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 1460) chunks.push(bytes.subarray(i, i + 1460));
  return chunks;
}

/** Frames per second over repeated passes for at least `minMs`. */
function rate(pass: () => number, minMs = 500): number {
  let frames = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) frames += pass();
  return frames / ((performance.now() - start) / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of [16, 1024, 60_000]) {
    const count = size > 10_000 ? 40 : 2000;
    const chunks = chunked(count, size);
    const tap = rate(() => {
      const decoder = new FrameDecoder();
      let n = 0;
      for (const c of chunks) n += decoder.push(c).length;
      return n;
    });
    const parsed = rate(() => {
      let n = 0;
      const receiver = new Receiver({ isServer: true, maxPayload: 1 << 20 });
      receiver.on('message', () => void n++);
      for (const c of chunks) receiver.write(c);
      return n;
    });
    results.push({
      name: `decode ${size}-byte masked frames, 1,460-byte chunks`,
      value: Math.round(tap),
      unit: 'frames/s',
      baseline: Math.round(parsed),
      // The tap may cost at most twice what ws's own parse of the same bytes
      // costs, or an inspected server could not stay within 2× of a bare one.
      target: '≥ 0.5× ws Receiver',
      ok: tap >= parsed * 0.5,
    });
  }
  return results;
}

await runIfMain(import.meta, 'frame', run);
