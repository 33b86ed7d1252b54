/**
 * The live diagram under load, in Chromium: 10,000 frames arriving at 1,000
 * per second (100 every 100 ms) into the diagram on a lesson page. Reports
 * the longest main-thread task while they arrive and the JS heap after, with
 * the same page idle for the same time as the baseline.
 */
import { chromium } from 'playwright-core';
import { startServer } from '../server/app.ts';
import { CHROME_FLAGS, findChromium, load } from '../tools/chrome.ts';
import { runIfMain, type BenchResult } from './types.ts';

const PAGE = '/lessons/handshake-and-frames/';
const DIAGRAM = '#handshake-accept-diagram';

interface Measure {
  longestTaskMs: number;
  heapMB: number;
  rowsInPage: number;
}

async function measure(frames: number): Promise<Measure> {
  const chrome = findChromium();
  if (!chrome) throw new Error('No Chromium: install it or set CHROME_PATH.');
  const server = await startServer({ port: 0, logLevel: 'error', siteDir: new URL('../dist/', import.meta.url).pathname });
  const browser = await chromium.launch({ executablePath: chrome, args: [...CHROME_FLAGS, '--enable-precise-memory-info'] });
  try {
    const page = await browser.newPage();
    page.on('crash', () => process.stderr.write('diagram bench: the page crashed\n'));
    page.on('pageerror', (e) => process.stderr.write(`diagram bench: ${e.message}\n`));
    await load(page, `http://127.0.0.1:${server.port}${PAGE}`);
    return await page.evaluate(
      async ({ frames, selector }) => {
        const diagram = document.querySelector(selector) as HTMLElement & { feed(events: unknown[]): void };
        let longest = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
        }).observe({ type: 'longtask', buffered: false });
        const frame = (i: number): unknown => ({
          kind: 'frame', conn: 'c1', t: Date.now(), dir: i % 2 ? 'out' : 'in', fin: true, rsv1: false, rsv2: false, rsv3: false,
          opcode: 1, masked: i % 2 === 0, maskingKey: i % 2 ? null : '01 02 03 04', payloadLength: 14, lengthForm: 7,
          headerHex: '81 8e 01 02 03 04', previewHex: '48 65 6c 6c 6f', maskedPreviewHex: null, previewText: `message ${i}`,
          truncated: false, close: null,
        });
        const start = performance.now();
        for (let sent = 0; sent < frames; sent += 100) {
          diagram.feed(Array.from({ length: Math.min(100, frames - sent) }, (_, k) => frame(sent + k)));
          const next = start + (sent / 100 + 1) * 100;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        }
        if (frames === 0) await new Promise((resolve) => setTimeout(resolve, 10_000));
        await new Promise((resolve) => setTimeout(resolve, 200));
        const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
        return {
          longestTaskMs: Math.round(longest),
          heapMB: Math.round(((memory?.usedJSHeapSize ?? 0) / 1024 / 1024) * 10) / 10,
          rowsInPage: document.querySelectorAll(`${selector} [data-rows] li`).length,
        };
      },
      { frames, selector: DIAGRAM },
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function run(frames = Number(process.env['DIAGRAM_FRAMES'] ?? 10_000)): Promise<BenchResult[]> {
  const idle = await measure(0);
  const loaded = await measure(frames);
  return [
    { name: `diagram: longest task while ${frames} frames arrive at 1,000/s (long tasks are ≥ 50 ms; 0 = none)`, value: loaded.longestTaskMs, unit: 'ms', baseline: idle.longestTaskMs, target: '< 50 ms', ok: loaded.longestTaskMs < 50 },
    { name: `diagram: JS heap after ${frames} frames`, value: loaded.heapMB, unit: 'MB', baseline: idle.heapMB },
    { name: 'diagram: rows kept in the page (bounded window)', value: loaded.rowsInPage, unit: 'rows', target: '≤ 500', ok: loaded.rowsInPage <= 500 },
  ];
}

await runIfMain(import.meta, 'diagram', run);
