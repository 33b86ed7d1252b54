import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * The collaborative editor project: two editors on one page, each with its
 * own socket to the real companion server. With a network delay, lines typed
 * in both cross in flight; Yjs keeps each person's line whole in both copies,
 * sending whole documents loses one side's work. Every wait is for something
 * the page shows (a status, the verdict), never for a length of time. The
 * lines cross because the test holds the page's clock while both are typed
 * (Playwright's clock): the simulated network delivers nothing until it is
 * released, however slowly a busy machine types.
 */
const PAGE = '/projects/collaborative-editor/';
const INITIAL = 'Shopping list:\n- bread\n- milk\n';
const shots = new URL('../../reports/screenshots/', import.meta.url).pathname;

async function ready(page: Page): Promise<void> {
  const group = page.getByRole('region', { name: 'Two editors, one document' });
  await group.scrollIntoViewIfNeeded();
  await page.getByRole('status').filter({ hasText: 'Connected: both editors share one document' }).waitFor();
  for (const name of ["Alice's editor", "Bob's editor"]) await expect.poll(() => page.getByRole('textbox', { name }).isEnabled()).toBe(true);
}

/** Goes to the end of an editor's text with the keyboard, then types `text` key by key. */
async function typeAtEnd(page: Page, label: string, text: string): Promise<void> {
  await page.getByRole('textbox', { name: label }).focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

const texts = (page: Page): Promise<string[]> =>
  Promise.all(["Alice's editor", "Bob's editor"].map((name) => page.getByRole('textbox', { name }).inputValue()));

async function open(page: Page, origin: string): Promise<void> {
  // Fake timers that follow real time until held (hold below).
  await page.clock.install();
  await load(page, `${origin}${PAGE}`);
  await page.getByRole('combobox', { name: 'Network delay' }).selectOption('1500');
  await ready(page);
}

/**
 * Stops the page's clock: from here, whatever the simulated network holds back stays on the wire.
 * pauseAt needs a time still ahead of the page's clock, which keeps running while we ask it the
 * time; on a busy machine the answer can come late, so a time already past is asked again.
 */
async function hold(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const now = await page.evaluate(() => Date.now());
    try {
      await page.clock.pauseAt(now + 2_000);
      return;
    } catch (error) {
      if (attempt >= 5 || !String(error).includes('past')) throw error;
    }
  }
}

describeBrowser('collaborative editor', () => {
  const env = useBrowser();

  it('keeps both lines whole when Alice and Bob each add one within the delay (Yjs)', async () => {
    const { page, consoleErrors } = await env.newPage();
    await open(page, env.origin);
    await hold(page);
    await typeAtEnd(page, "Alice's editor", '- eggs\n');
    await typeAtEnd(page, "Bob's editor", '- apples\n');
    // The lines crossed: neither editor has seen the other's yet.
    expect(await texts(page)).toEqual([`${INITIAL}- eggs\n`, `${INITIAL}- apples\n`]);
    await page.clock.resume();

    await page.getByText('✓ Both copies are the same.').waitFor({ timeout: 30_000 });
    const [alice, bob] = await texts(page);
    expect(alice).toBe(bob);
    // Which line comes first is Yjs's tie-break between two authors; each line is whole either way.
    expect([`${INITIAL}- eggs\n- apples\n`, `${INITIAL}- apples\n- eggs\n`]).toContain(alice);
    expect(consoleErrors).toEqual([]);
  });

  it('merges a deletion with text typed inside it and a word typed elsewhere (Yjs)', async () => {
    const { page, consoleErrors } = await env.newPage();
    await open(page, env.origin);
    const milk = INITIAL.indexOf('milk');
    await hold(page);
    const alice = page.getByRole('textbox', { name: "Alice's editor" });
    await alice.focus();
    await alice.evaluate((el: HTMLTextAreaElement, at) => el.setSelectionRange(at, at), milk);
    await page.keyboard.type('oat ');
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('Saturday ');
    const bob = page.getByRole('textbox', { name: "Bob's editor" });
    await bob.focus();
    await bob.evaluate((el: HTMLTextAreaElement, at) => el.setSelectionRange(at, at + 4), milk);
    await page.keyboard.press('Backspace');
    expect(await texts(page)).toEqual(['Saturday Shopping list:\n- bread\n- oat milk\n', 'Shopping list:\n- bread\n- \n']);
    await page.clock.resume();

    await page.getByText('✓ Both copies are the same.').waitFor({ timeout: 30_000 });
    expect(await texts(page)).toEqual(['Saturday Shopping list:\n- bread\n- oat \n', 'Saturday Shopping list:\n- bread\n- oat \n']);
    expect(consoleErrors).toEqual([]);
  });

  it('sending whole documents loses a line on each side, and the page says so', async () => {
    const { page, consoleErrors } = await env.newPage();
    await open(page, env.origin);
    await page.getByRole('radio', { name: 'the whole document (naive)' }).check();
    await ready(page);

    await hold(page);
    await typeAtEnd(page, "Alice's editor", '- eggs\n');
    await typeAtEnd(page, "Bob's editor", '- apples\n');
    expect(await texts(page)).toEqual([`${INITIAL}- eggs\n`, `${INITIAL}- apples\n`]);
    await page.clock.resume();

    await page.getByText('✗ The copies differ: an edit was lost.').waitFor({ timeout: 30_000 });
    expect(await texts(page)).toEqual([`${INITIAL}- apples\n`, `${INITIAL}- eggs\n`]);
    expect(consoleErrors).toEqual([]);
  });

  it('the playground on the same page never hears the editors: each run ends with the two sentences, not a document id', async () => {
    const { page, consoleErrors } = await env.newPage();
    await load(page, `${env.origin}${PAGE}`);
    await page.getByRole('combobox', { name: 'Network delay' }).selectOption('0');
    await ready(page);
    const playground = page.getByRole('region', { name: 'Two clients, one document (JavaScript)' });
    await playground.scrollIntoViewIfNeeded();
    await playground.getByRole('button', { name: 'Run' }).click();
    // Keep the editors talking while the run lasts: every key Alice types goes out on /broadcast.
    const logs = ['alice', 'bob'].map((name) => playground.getByRole('log', { name: `Output ${name}`, exact: true }));
    const alice = page.getByRole('textbox', { name: "Alice's editor" });
    const finished = async (): Promise<boolean> => (await Promise.all(logs.map((log) => log.getByText('document:').count()))).every((n) => n === 1);
    for (let keys = 0; !(await finished()); keys++) {
      if (keys > 2_000) throw new Error('the run never printed its documents');
      await alice.press('x');
    }
    const lines = await Promise.all(logs.map((log) => log.getByText('document:').textContent()));
    for (const line of lines) expect(line).toMatch(/^document: Plan:( (alice|bob) brings snacks\.){1,2}$/);
    expect(consoleErrors).toEqual([]);
  });

  it.each([
    { width: 1280, height: 900, touch: false },
    { width: 375, height: 812, touch: true },
  ])('at $width px the editors and controls are whole, inside the page, and easy to tap', async ({ width, height, touch }) => {
    const { page } = await env.newPage({ context: { viewport: { width, height }, hasTouch: touch, isMobile: touch } });
    await open(page, env.origin);
    const region = page.getByRole('region', { name: 'Two editors, one document' });
    const box = await region.boundingBox();
    if (!box) throw new Error('the editors are not rendered');
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    // Nothing inside scrolls sideways or sticks out of the group.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const controls = [
      page.getByRole('textbox', { name: "Alice's editor" }),
      page.getByRole('textbox', { name: "Bob's editor" }),
      page.getByRole('combobox', { name: 'Network delay' }),
      page.getByRole('button', { name: 'Start over' }),
      page.locator('label').filter({ hasText: 'changes, merged by Yjs' }),
      page.locator('label').filter({ hasText: 'the whole document (naive)' }),
    ];
    for (const control of controls) {
      const b = await control.boundingBox();
      if (!b) throw new Error('a control is not rendered');
      expect(b.x).toBeGreaterThanOrEqual(box.x);
      expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
      expect(b.height).toBeGreaterThanOrEqual(44);
    }
    // Side by side where there is room, one above the other on a phone, each wide enough for a line of the list.
    const [a, b] = await Promise.all(["Alice's editor", "Bob's editor"].map((name) => page.getByRole('textbox', { name }).boundingBox()));
    if (!a || !b) throw new Error('an editor is not rendered');
    expect(a.width).toBeGreaterThanOrEqual(200);
    if (width >= 1280) expect(a.y).toBe(b.y);
    else expect(b.y).toBeGreaterThan(a.y + a.height);
    await page.locator('fd-collab-editors[data-quiet]').waitFor();
    mkdirSync(shots, { recursive: true });
    await region.screenshot({ path: `${shots}collab-${width}.png` });
  });
});
