import { readdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { box, expectTargetWithin, hasBuild } from './harness.ts';
import { builtHtml, builtPages } from './pages.ts';

/**
 * The controls a learner taps in a lesson's quiz and live sequence diagram are 44×44 CSS px targets
 * (the house standard): every answer of every quiz (the label that holds its box, which takes the
 * tap), every Check answer button and Hint, and each live diagram's Follow newest and Hide ping/pong
 * (with their labels), buttons and legend summary. A tap in the far corner of a label ticks its box.
 * The page tests make these checks on their visits of each page (pages-laptop.test.ts at 1280 px
 * with a mouse, pages-phone.test.ts at 375 px with touch), so no page is loaded for them alone;
 * tap-targets.test.ts checks what needs a quiz answered first.
 */
const pages = hasBuild ? builtPages() : [];
export const QUIZ_PAGES = pages.filter((path) => /<fd-quiz\b/.test(builtHtml(path)));
export const DIAGRAM_PAGES = pages.filter((path) => /^\/(lessons|projects)\//.test(path) && /<fd-sequence-diagram\b/.test(builtHtml(path)));

/** Every quiz file (a `.md` under quiz/) is on one page. */
export const QUIZ_FILES = readdirSync(new URL('../../quiz/', import.meta.url), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md'));

type Box = { x: number; y: number; width: number; height: number };

/** The box a tap on a radio button or checkbox lands in: its label, which holds it. */
async function clickableBox(name: string, input: Locator): Promise<Box> {
  const [found] = await clickableBoxes(input);
  if (!found) throw new Error(`${name}: ${String(input)} is not on the page`);
  expect(found.inside, `${name} lies within its label`).toBe(true);
  return found.box;
}

/**
 * For every radio button or checkbox `inputs` finds, in one round trip: the box of the label that
 * holds it (null without one), its label's words, and whether the box itself lies within the label.
 */
function clickableBoxes(inputs: Locator): Promise<{ words: string; box: Box; inside: boolean }[]> {
  return inputs.evaluateAll((elements) =>
    elements.map((input) => {
      const label = input.closest('label');
      const outer = (label ?? input).getBoundingClientRect();
      const inner = input.getBoundingClientRect();
      return {
        words: (label?.textContent ?? '(no label)').trim().replace(/\s+/g, ' ').slice(0, 40),
        box: { x: outer.x, y: outer.y, width: outer.width, height: outer.height },
        inside: label !== null && inner.left >= outer.left && inner.top >= outer.top && inner.right <= outer.right && inner.bottom <= outer.bottom,
      };
    }),
  );
}

/** The boxes of everything `locator` finds, in one round trip. */
function boxes(locator: Locator): Promise<Box[]> {
  return locator.evaluateAll((elements) =>
    elements.map((element) => {
      const r = element.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
}

/** Taps (or clicks) 2 px inside the far corner of `target`'s box, away from its box and its words. */
async function pressCorner(page: Page, target: Box, touch: boolean): Promise<void> {
  const x = target.x + target.width - 2;
  const y = target.y + target.height - 2;
  if (touch) await page.touchscreen.tap(x, y);
  else await page.mouse.click(x, y);
}

/** Checks the page's quiz: every answer's label, every Check answer button and Hint; returns how many answers and hints. */
export async function checkQuiz(page: Page, path: string, touch: boolean): Promise<{ answers: number; hints: number }> {
  const quiz = page.locator('fd-quiz');
  const questions = quiz.getByRole('group').filter({ hasText: /^Question \d+ of \d+:/ });
  const count = await questions.count();
  expect(count, `${path}: questions`).toBeGreaterThan(0);
  // The element shows the buttons once it has arranged the questions.
  await expect.poll(() => quiz.getByRole('button', { name: 'Check answer' }).count(), { timeout: 15_000 }).toBe(count);
  const outer = await box(quiz);
  for (const [index, button] of (await boxes(quiz.getByRole('button', { name: 'Check answer' }))).entries()) {
    expectTargetWithin(`${path} Check answer ${index + 1}`, button, outer);
  }
  const hints = await boxes(quiz.getByText('Hint', { exact: true }));
  for (const [index, hint] of hints.entries()) expectTargetWithin(`${path} Hint ${index + 1}`, hint, outer);
  const answers = await clickableBoxes(quiz.getByRole('radio').or(quiz.getByRole('checkbox')));
  expect(answers.length, `${path}: answers`).toBeGreaterThanOrEqual(count * 2);
  for (const answer of answers) {
    const name = `${path} answer "${answer.words}"`;
    expect(answer.inside, `${name} lies within its label`).toBe(true);
    expectTargetWithin(name, answer.box, outer);
  }
  // The whole label takes the tap: its far corner, away from the box and the words, ticks the box.
  const first = questions.first().getByRole('radio').or(questions.first().getByRole('checkbox')).first();
  // To the middle of the screen: "if needed" can leave it at the bottom edge, under the quiz's sticky
  // "Answered N of M" bar, where the tap lands on the bar.
  await first.evaluate((input) => input.closest('label')?.scrollIntoView({ block: 'center' }));
  expect(await first.isChecked()).toBe(false);
  await pressCorner(page, await clickableBox(path, first), touch);
  await expect.poll(() => first.isChecked(), { message: `${path}: a tap in the corner of the first answer's label` }).toBe(true);
  return { answers: answers.length, hints: hints.length };
}

/** Checks each live diagram's toolbar (Follow newest and Hide ping/pong with their labels, and its buttons) and its legend's summary. */
export async function checkDiagrams(page: Page, path: string, touch: boolean): Promise<number> {
  const diagrams = page.locator('fd-sequence-diagram');
  const count = await diagrams.count();
  expect(count, `${path}: live diagrams`).toBeGreaterThan(0);
  for (let d = 0; d < count; d++) {
    const where = `${path} diagram ${d + 1}`;
    const controls = diagrams.nth(d).getByRole('toolbar', { name: 'Diagram controls' });
    const outer = await box(controls);
    for (const name of ['Follow newest', 'Hide ping/pong']) {
      expectTargetWithin(`${where} ${name}`, await clickableBox(`${where} ${name}`, controls.getByRole('checkbox', { name, exact: true })), outer);
    }
    for (const name of ['Pause', 'Clear', 'Export Mermaid', 'Export JSON']) {
      expectTargetWithin(`${where} ${name}`, await box(controls.getByRole('button', { name, exact: true })), outer);
    }
    expectTargetWithin(`${where} Legend`, await box(diagrams.nth(d).getByText('Legend', { exact: true })), outer);
    // On a phone the diagram is compact: the legend starts folded, and the export buttons say "Mermaid"
    // and "JSON" (named "Export …" still), so the toolbar takes two rows, not three.
    const shape = await diagrams.nth(d).evaluate((diagram) => ({
      legendOpen: diagram.querySelector<HTMLDetailsElement>('details[data-legend]')?.open,
      exportWordShown: [...diagram.querySelectorAll('.sd-export-word')].map((word) => word.getBoundingClientRect().width > 1),
      toolbarRows: new Set([...(diagram.querySelector('[role="toolbar"]')?.children ?? [])].map((c) => Math.round(c.getBoundingClientRect().top))).size,
    }));
    if (touch) expect(shape, where).toEqual({ legendOpen: false, exportWordShown: [false, false], toolbarRows: 2 });
    else expect([shape.legendOpen, shape.exportWordShown], where).toEqual([true, [true, true]]);
  }
  // The label takes the tap: its far corner, away from the box, unticks Follow newest.
  const follow = diagrams.first().getByRole('checkbox', { name: 'Follow newest', exact: true });
  // To the middle of the screen, as the quiz's first answer is, by the page's own scroll, which waits
  // for no animation frame. playwright's scrollIntoViewIfNeeded first waits for two frames with the
  // element in one place; once (CI on 67be5e4, /lessons/first-client/ at 1280 px) that wait ran out
  // its 30 s though the page had just answered the evaluations above.
  await follow.evaluate((input) => input.closest('label')?.scrollIntoView({ block: 'center' }));
  expect(await follow.isChecked()).toBe(true);
  await pressCorner(page, await clickableBox(path, follow), touch);
  await expect.poll(() => follow.isChecked(), { message: `${path}: a tap in the corner of Follow newest's label` }).toBe(false);
  // The legend's summary takes a tap in its far corner too: it unfolds the legend on a phone and folds it on a laptop.
  const first = diagrams.first();
  const legend = first.getByRole('list', { name: 'Legend' });
  const summary = first.getByText('Legend', { exact: true });
  await expect.poll(() => legend.isVisible()).toBe(!touch);
  await summary.evaluate((element) => element.scrollIntoView({ block: 'center' }));
  await pressCorner(page, await box(summary), touch);
  await expect.poll(() => legend.isVisible(), { message: `${path}: a tap in the corner of the legend's summary` }).toBe(touch);
  return count;
}
