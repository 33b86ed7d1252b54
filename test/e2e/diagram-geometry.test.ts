import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { encodeFrame } from '../../protocol/frame.ts';
import type { InspectEvent } from '../../protocol/inspect.ts';
import { WireRecorder } from '../../server/core/wire.ts';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';
import { builtPages, siteDir } from './pages.ts';

/**
 * What a person sees of the live sequence diagram, not only its DOM: after a
 * run of every playground that draws one, at 1280×900 and at 375×812 with
 * touch, every lane name, lifeline and row label lies inside the area its
 * scroll container can show, and scrolling there shows it; labels stay
 * between their lifelines. Then screenshots of a three-client run against
 * stored references (UPDATE_REFERENCES=1 rewrites them), so a layout
 * regression fails the build.
 */
const VIEWPORTS: { name: string; options: BrowserContextOptions }[] = [
  { name: '1280', options: { viewport: { width: 1280, height: 900 } } },
  { name: '375', options: { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 } },
];

/** Every live diagram in the built site: its page and the playground it draws. */
function liveDiagrams(): { path: string; playground: string }[] {
  const found: { path: string; playground: string }[] = [];
  for (const path of builtPages()) {
    const html = readFileSync(`${siteDir}${path}index.html`, 'utf8');
    for (const match of html.matchAll(/<fd-sequence-diagram[^>]*data-for="([^"]+)"/g)) {
      // Server labs' diagrams draw a check, not a run of client code: test/e2e/lab.test.ts covers them.
      if (html.includes(`<fd-server-lab id="${match[1]}"`)) continue;
      // The teacher's diagram draws a learner's run, not one of its own: test/e2e/classroom.test.ts covers it.
      if (html.includes(`<fd-teacher-desk id="${match[1]}"`)) continue;
      found.push({ path, playground: match[1] as string });
    }
  }
  return found;
}

const solution = (file: string): string => readFileSync(new URL(`../../samples/playgrounds/${file}`, import.meta.url), 'utf8');
/** Exercises whose starter stops short of the conversation: run their solution instead. */
const SOLUTIONS: Record<string, string> = {
  'echo-payload-limit': 'payload-limit.solution.js',
  'broadcast-trio': 'broadcast-trio.solution.js',
};

/** Pages whose playgrounds are run and checked side by side, each in a browser context (a window) of its own. */
const AT_ONCE = 2;

/** The status line once a run has ended (before the first run it says "Run the playground above"). */
const ENDED = /^Run (finished|stopped|crashed)/;

/** Runs a playground and waits until the run has ended and its diagram has stopped growing. */
async function runToEnd(page: Page, playground: string): Promise<void> {
  const diagram = page.locator(`#${playground}-diagram`);
  const rows = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
  // As a person does: the playground comes into view, its editor arrives, then Run is pressed.
  // Monaco taking the textarea's place changes the playground's height (up to 77 px when long
  // lines wrap), so a click in that instant can land where the button was.
  await page.locator(`#${playground}`).scrollIntoViewIfNeeded();
  await page.locator(`#${playground} [data-editor]`).first().waitFor({ state: 'visible' });
  await page.locator(`#${playground}`).getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  const status = diagram.getByRole('status');
  try {
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(ENDED);
  } catch {
    // A playground that keeps running (a chat left open) is stopped, as a learner would.
    await page.locator(`#${playground}`).getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(ENDED);
  }
  let last = -1;
  await expect
    .poll(
      async () => {
        const now = await rows.count();
        const settled = now === last;
        last = now;
        return settled;
      },
      { timeout: 15_000, interval: 400 },
    )
    .toBe(true);
}

/**
 * In the page: every lane name, lifeline and label checked against the scroll
 * container, scrolling to each. Returns what is wrong, in words; [] when all is well.
 */
function geometryProblems(page: Page, playground: string): Promise<string[]> {
  return page.evaluate(async (id) => {
    const settle = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
    const root = document.getElementById(`${id}-diagram`) as HTMLElement;
    const viewport = root.querySelector('[data-viewport]') as HTMLElement;
    const header = root.querySelector('[data-lanes]') as HTMLElement;
    const problems: string[] = [];
    const round = (n: number): number => Math.round(n * 10) / 10;
    const area = viewport.scrollWidth;
    const shown = viewport.clientWidth;
    if (shown < 100) problems.push(`the scroll container is only ${shown} px wide`);
    /** Left and right of a box in the container's content coordinates. */
    const span = (r: DOMRect): [number, number] => {
      const v = viewport.getBoundingClientRect();
      return [r.left - v.left - viewport.clientLeft + viewport.scrollLeft, r.right - v.left - viewport.clientLeft + viewport.scrollLeft];
    };
    // Following the newest row (on by default), the run's last arrow is in view as the run ends, not
    // off to the side of a diagram with more lanes than fit: a learner watching sees arrows, not empty lifelines.
    const newest = [...root.querySelectorAll<HTMLLIElement>('[data-rows] li:not([hidden])')].at(-1);
    const mark = newest?.querySelector('line.sd-arrow') ?? newest?.querySelector('text.sd-label');
    if (mark) {
      const [l, r] = span(mark.getBoundingClientRect());
      const at = viewport.scrollLeft;
      if (r <= at + 0.5 || l >= at + shown - 0.5) {
        problems.push(`the newest row (${newest?.querySelector('.fd-sr-only')?.textContent ?? ''}) spans ${round(l)}..${round(r)} px, none of it in the ${round(at)}..${round(at + shown)} px in view`);
      }
    }
    const inArea = (el: Element, what: string): [number, number] | null => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) {
        problems.push(`${what}: not drawn`);
        return null;
      }
      const [left, right] = span(r);
      if (left < -0.5 || right > area + 0.5) problems.push(`${what}: spans ${round(left)}..${round(right)} px, the container scrolls over 0..${area}`);
      return [left, right];
    };
    /** Scrolls to the element's left edge, then its right edge: each must then be inside what the container shows. */
    const reach = async (el: Element, what: string): Promise<void> => {
      const at = inArea(el, what);
      if (!at) return;
      for (const [edge, target] of [
        ['left', at[0] - 2],
        ['right', at[1] - shown + 2],
      ] as const) {
        viewport.scrollLeft = Math.max(0, target);
        await settle();
        const r = el.getBoundingClientRect();
        const v = viewport.getBoundingClientRect();
        const x = edge === 'left' ? r.left : r.right;
        const from = v.left + viewport.clientLeft;
        if (x < from - 0.5 || x > from + shown + 0.5) problems.push(`${what}: its ${edge} edge stays hidden after scrolling to it (${round(x - from)} px into a ${shown} px view)`);
      }
    };
    const rows = [...root.querySelectorAll<HTMLLIElement>('[data-rows] li:not([hidden])')];
    if (rows.length < 2) problems.push(`only ${rows.length} rows were drawn`);
    const names = [...header.querySelectorAll('text.sd-name')];
    if (names.length < 2) problems.push(`only ${names.length} lanes were drawn`);
    // Lane names: reachable, centred on their lifelines, not overlapping.
    viewport.scrollTop = 0;
    await settle();
    const lifelines = [...(rows[0]?.querySelectorAll('line.sd-life') ?? [])].map((l) => span(l.getBoundingClientRect())[0]);
    if (lifelines.length !== names.length) problems.push(`${names.length} lane names over ${lifelines.length} lifelines`);
    let previousRight = -Infinity;
    for (const [i, name] of names.entries()) {
      const what = `lane name "${name.textContent}"`;
      await reach(name, what);
      const [left, right] = span(name.getBoundingClientRect());
      if (Math.abs((left + right) / 2 - (lifelines[i] ?? NaN)) > 1.5) problems.push(`${what}: not centred on its lifeline`);
      if (left < previousRight) problems.push(`${what}: overlaps the lane name before it`);
      previousRight = right;
    }
    for (const row of rows) {
      const what = `row ${row.dataset['row']} (${row.querySelector('.fd-sr-only')?.textContent ?? ''})`;
      row.scrollIntoView({ block: 'nearest' });
      await settle();
      const r = row.getBoundingClientRect();
      const v = viewport.getBoundingClientRect();
      const below = v.top + header.offsetHeight;
      if (r.top < below - 0.5 || r.bottom > v.top + viewport.clientTop + viewport.clientHeight + 0.5) {
        problems.push(`${what}: not fully shown below the lane names after scrolling to it`);
      }
      for (const [i, line] of [...row.querySelectorAll('line.sd-life')].entries()) inArea(line, `${what}, lifeline ${i + 1}`);
      const label = row.querySelector('text.sd-label');
      if (!label) {
        problems.push(`${what}: no label`);
        continue;
      }
      await reach(label, `${what}, label`);
      const [left, right] = span(label.getBoundingClientRect());
      const arrow = row.querySelector('line.sd-arrow');
      const [lo, hi] = arrow ? span(arrow.getBoundingClientRect()) : span((row.querySelector('svg') as SVGSVGElement).getBoundingClientRect());
      if (left < lo - 0.5 || right > hi + 0.5) {
        problems.push(`${what}: label spans ${round(left)}..${round(right)} px, past its ${arrow ? 'lifelines' : 'drawing'} ${round(lo)}..${round(hi)}`);
      }
    }
    viewport.scrollLeft = 0;
    return problems;
  }, playground);
}

const RESPONSE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

/**
 * A three-client broadcast run as the server's tap records it, with a fixed
 * clock and order: alice, bob and carol join, each says hello (one frame in,
 * three out) and each leaves with close 1000 "bye". A real run's clients start
 * in whatever order the machine allows; the screenshots need the same rows every time.
 */
function trioRecording(runTag: string): InspectEvent[] {
  const events: InspectEvent[] = [];
  let t = 1_700_000_000_000;
  const key = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
  const bye = new Uint8Array([0x03, 0xe8, ...new TextEncoder().encode('bye')]);
  const names = ['alice', 'bob', 'carol'];
  const taps = names.map(
    (name, i) =>
      new WireRecorder({
        conn: `c${i + 1}`,
        endpoint: 'broadcast',
        tag: `${runTag}.${name}`,
        now: () => t,
        previewBytes: 64,
        request: { method: 'GET', target: '/broadcast', httpVersion: '1.1', headers: [['Host', 'localhost:8080'], ['Upgrade', 'websocket']] },
        emit: (_kind, make) => events.push(make()),
      }),
  );
  for (const tap of taps) {
    t += 120;
    tap.wrote(Buffer.from(RESPONSE, 'latin1'));
  }
  for (const [i, tap] of taps.entries()) {
    t += 300;
    const said = `${names[i] as string} says hello`;
    tap.read(encodeFrame({ opcode: 1, payload: said, maskingKey: key }));
    for (const to of taps) {
      t += 2;
      to.wrote(encodeFrame({ opcode: 1, payload: said }));
    }
  }
  for (const tap of taps) {
    t += 200;
    tap.read(encodeFrame({ opcode: 8, payload: bye, maskingKey: key }));
    t += 1;
    tap.wrote(encodeFrame({ opcode: 8, payload: bye }));
  }
  return events;
}

describeBrowser('the live diagram as a person sees it', () => {
  const env = useBrowser();
  const diagrams = liveDiagrams();

  it('finds every live diagram in the built site', () => {
    expect(diagrams.map((d) => d.playground).sort()).toEqual(
      [
        'binary-frames',
        'broadcast-trio',
        'conversation',
        'echo-payload-limit',
        'extensions-deflate',
        'extensions-negotiate',
        'first-client',
        'handshake-accept',
        'production-jitter',
        'project-chat',
        'scaling-redis-hop',
        'subprotocol-refused',
      ].sort(),
    );
  });

  for (const { name, options } of VIEWPORTS) {
    it(`at ${name} px, every lane, lifeline and label of every live diagram can be seen after a run`, async () => {
      // One load per page, its diagrams run one after another (Run upgrades the page to Monaco,
      // which costs more than the run), and AT_ONCE pages side by side, each lane in a browser
      // context (a window) of its own: two tabs of one window would leave one hidden, its
      // animation frames paused, and the geometry check waits for those.
      const byPage = new Map<string, string[]>();
      for (const { path, playground } of diagrams) byPage.set(path, [...(byPage.get(path) ?? []), playground]);
      const queue = [...byPage];
      const found: { playground: string; problems: string[] }[] = [];
      await Promise.all(
        Array.from({ length: AT_ONCE }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            const [path, playgrounds] = next;
            const { page, release } = await env.newPage({ keep: true, context: options });
            try {
              for (const playground of playgrounds) {
                const file = SOLUTIONS[playground];
                if (!file) continue;
                await page.addInitScript(
                  ([key, code]) => localStorage.setItem(key as string, code as string),
                  [progressKeys.code(playground, 'shared'), solution(file)],
                );
              }
              await load(page, `${env.origin}${path}`);
              for (const playground of playgrounds) {
                try {
                  await runToEnd(page, playground);
                  found.push({ playground, problems: await geometryProblems(page, playground) });
                } catch (error) {
                  found.push({ playground, problems: [`the run failed: ${(error as Error).message.split('\n')[0]}`] });
                }
              }
            } finally {
              await release();
            }
          }
        }),
      );
      // Every diagram's problems at once, so one does not hide another.
      const byName = (a: { playground: string }, b: { playground: string }): number => a.playground.localeCompare(b.playground);
      expect(found.sort(byName)).toEqual(diagrams.map(({ playground }) => ({ playground, problems: [] })).sort(byName));
    }, 240_000);
  }

  it('the geometry check itself fails on a label past its lifelines and a lane pushed out of reach', async () => {
    const { page } = await env.newPage({ context: VIEWPORTS[1]?.options ?? {} });
    await load(page, `${env.origin}/lessons/handshake-and-frames/`);
    await runToEnd(page, 'handshake-accept');
    expect(await geometryProblems(page, 'handshake-accept')).toEqual([]);
    // What the diagram looked like before labels were fitted, and a lane name drawn past the edge.
    await page.evaluate(() => {
      const root = document.getElementById('handshake-accept-diagram') as HTMLElement;
      const label = root.querySelectorAll('[data-rows] text.sd-label')[2] as SVGTextElement;
      label.textContent = 'text "a label far longer than the room between the two lifelines it belongs to" (80 bytes)';
      const name = root.querySelector('[data-lanes] text.sd-name:last-of-type') as SVGTextElement;
      name.setAttribute('x', String(Number(name.getAttribute('x')) + 400));
    });
    const problems = await geometryProblems(page, 'handshake-accept');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^row 2 \(.*\): label spans [-\d.]+\.\.[-\d.]+ px, past its lifelines/),
        expect.stringMatching(/^lane name "server": spans [-\d.]+\.\.[-\d.]+ px, the container scrolls over 0\.\.\d+$/),
      ]),
    );
  }, 120_000);

  const references = new URL('./references/', import.meta.url).pathname;
  const failures = new URL('../../reports/diagram-screenshots/', import.meta.url).pathname;
  const update = process.env['UPDATE_REFERENCES'] === '1';
  /** Share of pixels that may differ (anti-aliasing) before a screenshot counts as changed. */
  const MAX_DIFFERENT = 0.002;

  /** Compares two PNGs in Chromium itself (no image library): pixels whose channels differ by more than 48. */
  async function compare(page: Page, actual: Buffer, expected: Buffer): Promise<{ size: string; different: number; total: number; diff: string }> {
    return page.evaluate(
      async ([a, b]) => {
        const decode = async (base64: string): Promise<ImageData> => {
          // Not fetch('data:…'): the site's Content-Security-Policy (connect-src) rightly refuses it.
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
          context.drawImage(bitmap, 0, 0);
          return context.getImageData(0, 0, bitmap.width, bitmap.height);
        };
        const [x, y] = [await decode(a), await decode(b)];
        const size = x.width === y.width && x.height === y.height ? 'same' : `${x.width}×${x.height}, reference ${y.width}×${y.height}`;
        if (x.width !== y.width || x.height !== y.height) return { size, different: x.width * x.height, total: x.width * x.height, diff: '' };
        const out = new ImageData(x.width, x.height);
        let different = 0;
        for (let i = 0; i < x.data.length; i += 4) {
          const delta = Math.max(...[0, 1, 2, 3].map((c) => Math.abs((x.data[i + c] as number) - (y.data[i + c] as number))));
          const bad = delta > 48;
          if (bad) different++;
          out.data.set(bad ? [255, 0, 255, 255] : [x.data[i] as number, x.data[i + 1] as number, x.data[i + 2] as number, 60], i);
        }
        const canvas = new OffscreenCanvas(x.width, x.height);
        (canvas.getContext('2d') as OffscreenCanvasRenderingContext2D).putImageData(out, 0, 0);
        const blob = await canvas.convertToBlob({ type: 'image/png' });
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = '';
        for (const byte of bytes) binary += String.fromCharCode(byte);
        return { size, different, total: x.width * x.height, diff: btoa(binary) };
      },
      [actual.toString('base64'), expected.toString('base64')] as const,
    );
  }

  for (const { name, options } of VIEWPORTS) {
    it(`at ${name} px, a three-client run looks like its reference screenshots`, async () => {
      const { page } = await env.newPage({ context: { ...options, reducedMotion: 'reduce' } });
      // The playground really runs; the diagram is fed the fixed recording of such a run.
      await page.routeWebSocket(/\/inspect\?/, (socket) => {
        const tag = new URL(socket.url()).searchParams.get('fd-tag') ?? '';
        for (const event of trioRecording(tag)) socket.send(JSON.stringify(event));
      });
      await load(page, `${env.origin}/lessons/broadcasting/`);
      await runToEnd(page, 'broadcast-trio');
      const diagram = page.locator('#broadcast-trio-diagram');
      const viewport = diagram.locator('[data-viewport]');
      await viewport.scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
      const shots: { file: string; left: 'start' | 'end' }[] = [{ file: `diagram-trio-${name}.png`, left: 'start' }];
      if (name === '375') shots.push({ file: `diagram-trio-${name}-scrolled.png`, left: 'end' });
      const taken: Buffer[] = [];
      for (const shot of shots) {
        await viewport.evaluate((el, left) => el.scrollTo(left === 'start' ? 0 : el.scrollWidth, 0), shot.left);
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        // Times are fixed by the recording; hidden anyway, so a change to how they are written is not a layout change.
        // A clip of whole pixels: the element's own box can straddle a pixel and come out 448 or 449 px tall.
        const box = await viewport.boundingBox();
        if (!box) throw new Error('the diagram is not on screen');
        const clip = { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
        const actual = await page.screenshot({ clip, style: '.sd-time { visibility: hidden } :focus { outline: none !important }', animations: 'disabled' });
        taken.push(actual);
        const reference = `${references}${shot.file}`;
        if (update || !existsSync(reference)) {
          mkdirSync(references, { recursive: true });
          writeFileSync(reference, actual);
          if (!update) throw new Error(`No reference screenshot ${reference}: wrote one from this run; look at it, commit it, and run again.`);
          continue;
        }
        const result = await compare(page, actual, readFileSync(reference));
        if (result.different / result.total > MAX_DIFFERENT) {
          mkdirSync(failures, { recursive: true });
          writeFileSync(`${failures}${shot.file}`, actual);
          if (result.diff) writeFileSync(`${failures}${shot.file.replace('.png', '.diff.png')}`, Buffer.from(result.diff, 'base64'));
        }
        const changed = result.different / result.total > MAX_DIFFERENT ? `${result.different} of ${result.total} pixels (see ${failures})` : 'no';
        expect({ shot: shot.file, size: result.size, changed }).toEqual({ shot: shot.file, size: 'same', changed: 'no' });
      }
      // The comparison can fail: the same diagram scrolled sideways (lanes moved by 207 px) is far over the threshold.
      if (taken.length === 2 && !update) {
        const moved = await compare(page, taken[0] as Buffer, taken[1] as Buffer);
        expect(moved.different / moved.total).toBeGreaterThan(MAX_DIFFERENT * 10);
      }
    }, 120_000);
  }
});
