import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';
import { sayGo, speakOnGo } from './speak-on-go.ts';

/**
 * The live sequence diagram in Chromium, fed by real playground runs and the
 * companion server's /inspect stream: what it draws, in which order, the
 * frame detail, and a Mermaid export that Mermaid itself accepts.
 */
const mermaidSource = readFileSync(createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js'), 'utf8');
const solution = (file: string): string => readFileSync(new URL(`../../samples/playgrounds/${file}`, import.meta.url), 'utf8');

/** Clicks the playground's Run and waits until its diagram's status says the run has ended. */
async function run(page: Page, playground: string): Promise<void> {
  await page.locator(`#${playground}`).getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.locator(`#${playground}-diagram`).getByRole('status');
  await expect.poll(async () => (await status.textContent()) ?? '', { timeout: 30_000 }).toMatch(/^Run (finished|stopped|crashed)/);
}

/** The diagram's rows as text, without their timestamps. */
async function rows(page: Page, playground: string): Promise<string[]> {
  const frames = page.locator(`#${playground}-diagram`).getByRole('list', { name: 'Frames' }).getByRole('listitem');
  return (await frames.allTextContents()).map((t) => t.replace(/^\+[\d.]+ m?s: /, '').split(/\+[\d.]+ m?s/)[0] ?? t);
}

describeBrowser('live sequence diagram', () => {
  const env = useBrowser();

  it('draws the echo run in order: handshake, text, echo, close 1000 both ways; a client frame shows MASK 1 and a 4-byte key', async () => {
    const { page, consoleErrors, foreignRequests } = await env.newPage();
    await load(page, `${env.origin}/lessons/handshake-and-frames/`);
    await run(page, 'handshake-accept');
    // The server's side comes from the companion's tap, which may draw a moment after the run ended: waited for,
    // where a fixed 500 ms was (a loaded machine can take longer).
    await expect.poll(() => rows(page, 'handshake-accept')).toEqual([
      'client → server: opening handshake, GET /echo',
      'server → client: 101 Switching Protocols',
      'client → server: text "Hello, server!" (14 bytes)',
      'server → client: text "Hello, server!" (14 bytes)',
      'client → server: close 1000 "done"',
      'server → client: close 1000 "done"',
    ]);
    const diagram = page.locator('#handshake-accept-diagram');
    const frames = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
    await frames.nth(2).focus();
    await page.keyboard.press('Enter');
    const detail = diagram.getByRole('region', { name: 'Frame detail' });
    await expect.poll(() => detail.isVisible()).toBe(true);
    const text = (await detail.textContent()) ?? '';
    expect(text).toMatch(/MASK1client to server/);
    expect(text).toMatch(/masking key([0-9a-f]{2} ){3}[0-9a-f]{2}header bytes/);
    expect(text).toMatch(/opcode1 \(text\)/);
    expect(text).toMatch(/payload length14/);
    // The handshake row explains the accept value from the key.
    await frames.nth(0).click();
    await expect.poll(async () => (await detail.textContent()) ?? '').toMatch(/it matches what the server sent/);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 120_000);

  it('draws a 1009 run in wire order: the refused frame, the close it caused, the unread reply, and how it really ended (3 runs)', async () => {
    const { page } = await env.newPage();
    await page.addInitScript(
      ([key, code]) => localStorage.setItem(key as string, code as string),
      [progressKeys.code('echo-payload-limit', 'shared'), solution('payload-limit.solution.js')],
    );
    await load(page, `${env.origin}/lessons/echo-server/`);
    const diagram = page.locator('#echo-payload-limit-diagram');
    const status = diagram.getByRole('status');
    for (let round = 0; round < 3; round++) {
      await page.locator('#echo-payload-limit').getByRole('button', { name: 'Run', exact: true }).click();
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Run finished: 1 connection closed with 1009 (clean).');
      const frames = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
      // The end row is completed by the browser's close event, whichever of the two streams is last.
      await expect.poll(async () => (await frames.allTextContents()).at(-1) ?? '', { timeout: 30_000 }).toMatch(/wasClean true/);
      const rows = (await frames.allTextContents()).map((t) => t.replace(/^\+[\d.]+ m?s: /, '').split(/\+[\d.]+ m?s/)[0] ?? t);
      // ws refuses the frame as soon as its header announces 65537 bytes, then stops reading: the tap shows it
      // then, before the close it causes, and the client's close reply arrives where nobody reads it.
      expect(rows).toEqual([
        'client → server: opening handshake, GET /echo',
        'server → client: 101 Switching Protocols',
        'client → server: text "xxxxxxxxxxxxxxxxxxxxxxxx…" (65537 bytes): refused, over the 65536-byte limit; the server refused it from its header and read nothing after it',
        'server → client: close 1009',
        'client → server: close 1009 (not read): it reached the server, which had stopped reading',
        "server ✕ client: the server closed the connection after its close 1009, without reading the client's close reply; the browser reported close code 1009, wasClean true",
      ]);
    }
  }, 180_000);

  it('brings a clicked frame\'s detail into view and focus, and Escape goes back to the row', async () => {
    const { page } = await env.newPage();
    await page.setViewportSize({ width: 1280, height: 700 });
    await load(page, `${env.origin}/lessons/handshake-and-frames/`);
    await run(page, 'handshake-accept');
    const diagram = page.locator('#handshake-accept-diagram');
    await expect.poll(() => diagram.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/^Run finished: 1 connection closed with 1000 \(clean\)\.$/);
    const frames = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
    const detail = diagram.getByRole('region', { name: 'Frame detail' });
    // Row 2 near the bottom of the 700 px window: the detail, below the rest of the diagram, starts off-screen.
    await frames.nth(2).evaluate((row) => window.scrollBy(0, row.getBoundingClientRect().top - 620));
    const below = await diagram.locator('[data-detail]').evaluate((el: HTMLElement) => {
      el.hidden = false;
      const top = el.getBoundingClientRect().top;
      el.hidden = true;
      return top;
    });
    expect(below).toBeGreaterThan(700);
    await frames.nth(2).click();
    await expect.poll(() => detail.isVisible(), { timeout: 15_000 }).toBe(true);
    const inView = async (): Promise<boolean> => {
      const box = await detail.boundingBox();
      return box !== null && box.y >= 0 && box.y + Math.min(box.height, 100) <= 700;
    };
    await expect.poll(inView, { timeout: 15_000 }).toBe(true);
    expect(await detail.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await frames.nth(2).evaluate((el) => el === document.activeElement)).toBe(true);
  }, 120_000);

  it('draws one incoming and three outgoing frames per broadcast message, and exports Mermaid that Mermaid parses', async () => {
    const { page } = await env.newPage();
    // The exercise's starter only connects. Its solution has each client speak a second after it
    // connects; these speak on "go", once all three are connected, so none can miss a line.
    await page.addInitScript(
      ([key, code]) => localStorage.setItem(key as string, code as string),
      [progressKeys.code('broadcast-trio', 'shared'), speakOnGo(3)],
    );
    await load(page, `${env.origin}/lessons/broadcasting/`);
    const diagram = page.locator('#broadcast-trio-diagram');
    await page.locator('#broadcast-trio').getByRole('button', { name: 'Run', exact: true }).click();
    await sayGo(page, env.origin, 'broadcast-trio', 3);
    const frames = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
    await expect.poll(async () => (await frames.allTextContents()).filter((t) => t.includes('close')).length, { timeout: 30_000 }).toBe(6);
    const rows = await frames.allTextContents();
    for (const sender of ['alice', 'bob', 'carol']) {
      const said = `text "${sender} says hello"`;
      expect(rows.filter((r) => r.includes(`${sender} → server: ${said}`))).toHaveLength(1);
      expect(rows.filter((r) => new RegExp(`server → (alice|bob|carol): ${said}`).test(r))).toHaveLength(3);
    }
    await diagram.getByRole('button', { name: 'Export Mermaid' }).click();
    const mermaidText = await diagram.getByRole('textbox', { name: 'Export as Mermaid' }).inputValue();
    expect(mermaidText.split('\n')[0]).toBe('sequenceDiagram');
    await page.addScriptTag({ content: mermaidSource });
    const parsed = await page.evaluate(async (text) => {
      const mermaid = (window as unknown as { mermaid: { parse(t: string): Promise<{ diagramType: string } | false> } }).mermaid;
      return mermaid.parse(text);
    }, mermaidText);
    expect(parsed).toMatchObject({ diagramType: 'sequence' });
  }, 120_000);
});
