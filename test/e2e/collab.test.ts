import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, useBrowser } from './harness.ts';

/**
 * The collaborative editor project: two editors on one page, each with its
 * own socket to the real companion server. With a network delay, edits
 * typed in both cross in flight; transformed edits converge to one exact
 * text, whole documents lose one side's work.
 */
const PAGE = '/projects/collaborative-editor/';
const INITIAL = 'Shopping list:\n- bread\n- milk\n';

async function ready(page: Page): Promise<void> {
  const group = page.getByRole('region', { name: 'Two editors, one document' });
  await group.scrollIntoViewIfNeeded();
  await page.getByRole('status').filter({ hasText: 'Connected: both editors share one document' }).waitFor();
}

/** Puts the caret (or a selection) in an editor, as a click or Shift+arrows would. */
async function select(page: Page, label: string, start: number, end = start): Promise<void> {
  const box = page.getByRole('textbox', { name: label });
  await box.focus();
  await box.evaluate((el: HTMLTextAreaElement, [s, e]) => el.setSelectionRange(s, e), [start, end] as const);
}

const texts = (page: Page): Promise<string[]> =>
  Promise.all(["Alice's editor", "Bob's editor"].map((name) => page.getByRole('textbox', { name }).inputValue()));

describeBrowser('collaborative editor', () => {
  const env = useBrowser();

  it('edits that cross in flight (a deletion around new text, a line typed elsewhere) converge to one exact text', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}${PAGE}`, { waitUntil: 'networkidle' });
    await page.getByRole('combobox', { name: 'Network delay' }).selectOption('1500');
    await ready(page);

    const milk = INITIAL.indexOf('milk');
    // Alice puts "oat " in front of "milk" and a word at the very start…
    await select(page, "Alice's editor", milk);
    await page.keyboard.type('oat ');
    await select(page, "Alice's editor", 0);
    await page.keyboard.type('Saturday ');
    // …while Bob, who has not seen any of it yet, deletes "milk".
    await select(page, "Bob's editor", milk, milk + 4);
    await page.keyboard.press('Backspace');
    expect(await texts(page)).toEqual(['Saturday Shopping list:\n- bread\n- oat milk\n', 'Shopping list:\n- bread\n- \n']);

    await page.getByText('✓ Both copies are the same.').waitFor({ timeout: 15_000 });
    expect(await texts(page)).toEqual(['Saturday Shopping list:\n- bread\n- oat \n', 'Saturday Shopping list:\n- bread\n- oat \n']);
    expect(consoleErrors).toEqual([]);
  });

  it('sending whole documents loses an edit on each side, and the page says so', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}${PAGE}`, { waitUntil: 'networkidle' });
    await page.getByRole('combobox', { name: 'Network delay' }).selectOption('1500');
    await ready(page);
    await page.getByRole('radio', { name: 'the whole document (naive)' }).check();
    await ready(page);

    await select(page, "Alice's editor", INITIAL.length);
    await page.keyboard.type('- eggs\n');
    await select(page, "Bob's editor", INITIAL.length);
    await page.keyboard.type('- tea\n');

    await page.getByText('✗ The copies differ: an edit was lost.').waitFor({ timeout: 15_000 });
    expect(await texts(page)).toEqual([`${INITIAL}- tea\n`, `${INITIAL}- eggs\n`]);
    expect(consoleErrors).toEqual([]);
  });
});
