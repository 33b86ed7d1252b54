import { expect, it } from 'vitest';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * The extensions lesson's two handshake playgrounds in Chromium, which really
 * offers permessage-deflate and really fails a connection whose 101 names no
 * subprotocol: what the learner's Output prints and what the diagram draws.
 */
const PAGE = '/lessons/extensions-and-subprotocols/';

describeBrowser('the extensions lesson, run in the browser', () => {
  const env = useBrowser();

  async function run(id: string, lastLine: RegExp): Promise<{ output: string[]; rows: string[]; errors: string[] }> {
    const { page, consoleErrors, release } = await env.newPage();
    await load(page, `${env.origin}${PAGE}`);
    const playground = page.locator(`#${id}`);
    await playground.scrollIntoViewIfNeeded();
    await playground.getByRole('button', { name: 'Run', exact: true }).click();
    const lines = playground.locator('.fd-line');
    await expect.poll(async () => (await lines.allTextContents()).some((l) => lastLine.test(l)), { timeout: 30_000 }).toBe(true);
    const diagram = page.locator(`#${id}-diagram`);
    await expect.poll(() => diagram.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/^Run finished/);
    const rows = await diagram.getByRole('list', { name: 'Frames' }).getByRole('listitem').evaluateAll((items) => items.map((li) => li.getAttribute('aria-label') ?? li.textContent ?? ''));
    const output = (await lines.allTextContents()).filter((l) => !l.startsWith('Note: your code says'));
    await release();
    return { output, rows, errors: consoleErrors };
  }

  it('an offer of no known subprotocol: a 101 on the wire, yet an error event and 1006; then the fallback offer opens', async () => {
    const { output, rows } = await run('subprotocol-refused', /^ {2}closed 1000/);
    expect(output.slice(0, 4)).toEqual([
      'offered chat.v3: error event, the server chose none of them',
      '  closed 1006, clean: false',
      'offered chat.v3, chat.v2: open, protocol "chat.v2"',
      '  closed 1000, clean: true',
    ]);
    const text = rows.join('\n');
    expect(text).toContain('server → client: 101 Switching Protocols');
    expect(text).toContain('client: error event: subprotocols offered, the 101 names none, so the browser failed the connection');
    expect(text).toContain('server → client (2): 101 Switching Protocols');
  }, 120_000);

  it('permessage-deflate: agreed in the handshake, every browser message compressed, only the long reply compressed back', async () => {
    const { output, rows } = await run('extensions-deflate', /^closed 1000/);
    expect(output.slice(0, 4)).toEqual([
      'extensions agreed: permessage-deflate; server_no_context_takeover; client_no_context_takeover',
      'echo 1: 5 characters',
      'echo 2: 1221 characters',
      'closed 1000, clean: true',
    ]);
    const frames = rows.filter((r) => / text /.test(r));
    // Chromium compresses "hello" too (5 bytes become 7); the server leaves it under its 1,024-byte threshold.
    expect(frames.find((r) => r.includes('client → server') && r.includes('"hello"'))).toMatch(/text "hello" \(5 bytes compressed to 7 bytes\)$/);
    expect(frames.find((r) => r.includes('server → client') && r.includes('"hello"'))).toMatch(/text "hello" \(5 bytes\)$/);
    const long = frames.filter((r) => r.includes('1221 bytes compressed to'));
    expect(long.map((r) => r.split(':')[1]?.trim().split(' ')[0])).toEqual(['client', 'server']);
  }, 120_000);
});
