import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { progressKeys } from '../../src/runtime/progress/playground.ts';
import { describeBrowser, useBrowser } from './harness.ts';

/**
 * The live sequence diagram in Chromium, fed by real playground runs and the
 * companion server's /inspect stream: what it draws, in which order, the
 * frame detail, and a Mermaid export that Mermaid itself accepts.
 */
const mermaidSource = readFileSync(createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js'), 'utf8');
const solution = (file: string): string => readFileSync(new URL(`../../samples/playgrounds/${file}`, import.meta.url), 'utf8');

async function run(page: Page, playground: string): Promise<string[]> {
  await page.locator(`#${playground}`).getByRole('button', { name: 'Run', exact: true }).click();
  const frames = page.locator(`#${playground}-diagram`).getByRole('list', { name: 'Frames' }).getByRole('listitem');
  // The run ends by itself; the diagram has every row once the closing handshake is drawn.
  await expect.poll(async () => (await frames.allTextContents()).join('\n'), { timeout: 10_000 }).toMatch(/server → .*: close|✕/);
  // Whatever follows the close (the other side's close, or how the connection ended) is drawn within moments.
  await page.waitForTimeout(500);
  return (await frames.allTextContents()).map((t) => t.replace(/^\+[\d.]+ m?s: /, '').split(/\+[\d.]+ m?s/)[0] ?? t);
}

describeBrowser('live sequence diagram', () => {
  const env = useBrowser();

  it('draws the echo run in order: handshake, text, echo, close 1000 both ways; a client frame shows MASK 1 and a 4-byte key', async () => {
    const { page, consoleErrors, foreignRequests } = await env.newPage();
    await page.goto(`${env.origin}/lessons/handshake-and-frames/`, { waitUntil: 'networkidle' });
    const rows = await run(page, 'handshake-accept');
    expect(rows).toEqual([
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
  });

  it('draws the server closing with 1009 when the client sends more than 64 KiB', async () => {
    const { page } = await env.newPage();
    await page.addInitScript(
      ([key, code]) => localStorage.setItem(key as string, code as string),
      [progressKeys.code('echo-payload-limit', 'shared'), solution('payload-limit.solution.js')],
    );
    await page.goto(`${env.origin}/lessons/echo-server/`, { waitUntil: 'networkidle' });
    const rows = await run(page, 'echo-payload-limit');
    // The server refuses as soon as it reads the frame's length, before the payload has all arrived,
    // so its close 1009 is the first thing after the handshake. What follows depends on timing: the
    // client's close reply may or may not reach the tap before the server drops the connection.
    expect(rows[2]).toBe('server → client: close 1009');
    expect(rows).toContain('client → server: text "xxxxxxxxxxxxxxxxxxxxxxxx…" (65537 bytes)');
  });

  it('draws one incoming and three outgoing frames per broadcast message, and exports Mermaid that Mermaid parses', async () => {
    const { page } = await env.newPage();
    await page.goto(`${env.origin}/lessons/broadcasting/`, { waitUntil: 'networkidle' });
    const diagram = page.locator('#broadcast-trio-diagram');
    await page.locator('#broadcast-trio').getByRole('button', { name: 'Run', exact: true }).click();
    const frames = diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem');
    await expect.poll(async () => (await frames.allTextContents()).filter((t) => t.includes('close')).length, { timeout: 10_000 }).toBe(6);
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
  });
});
