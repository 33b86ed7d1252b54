import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { parseQuiz, type Question } from '../../quiz/engine/index.ts';
import { axeViolations, box, describeBrowser, layoutFor, load, reload, useBrowser } from './harness.ts';



/**
 * The final quiz at /quiz/ in Chromium. The expected answers come from
 * quiz/final.md through the same parser the build uses, so the test follows
 * the content; every expected score below is an exact number.
 */
const final = parseQuiz(readFileSync(new URL('../../quiz/final.md', import.meta.url), 'utf8'), 'quiz/final.md');
const TOTAL = final.questions.length;

/** What a checked question's note says: before every question is answered (Retry is not there yet), and after. */
const LOCKED_UNTIL_DONE = 'Your answer is locked. To try again, answer the rest of the questions, then press Retry at the end of the quiz.';
const LOCKED_RETRY_NOW = 'Your answer is locked. To try again, press Retry at the end of the quiz.';

const correctIds = (question: Question) => question.answers.filter((a) => a.correct).map((a) => a.id);
const wrongIds = (question: Question) => [question.answers.find((a) => !a.correct)?.id ?? ''];

/** Questions answered wrongly in the "lower score" runs: one of each kind. */
const missed = [
  final.questions.find((q) => q.kind === 'single'),
  final.questions.find((q) => q.kind === 'multiple'),
  final.questions.find((q) => q.kind === 'true-false'),
].filter((q): q is Question => q !== undefined);

function group(page: Page, question: Question): Locator {
  return page.getByRole('group', { name: question.text });
}

function block(page: Page, question: Question): Locator {
  return page.locator('.fd-question', { has: group(page, question) });
}

/** Mouse-free but not keyboard-only: tick the answers by their accessible names and press Check. */
async function answer(page: Page, question: Question, ids: string[]): Promise<void> {
  const role = question.kind === 'multiple' ? 'checkbox' : 'radio';
  for (const id of ids) {
    const text = question.answers.find((a) => a.id === id)?.text ?? '';
    await group(page, question).getByRole(role, { name: text, exact: true }).check();
  }
  await block(page, question).getByRole('button', { name: 'Check answer' }).click();
}

async function scoreText(page: Page): Promise<string> {
  return (await page.locator('fd-quiz').getByRole('status').textContent()) ?? '';
}

async function questionOrder(page: Page): Promise<string[]> {
  return page.locator('.fd-question').evaluateAll((blocks) => blocks.map((b) => (b as HTMLElement).dataset['question'] ?? ''));
}

// Each test answers the whole quiz: 36 s beside a loaded run, past a minute on a slower one (a bound).
describeBrowser('the final quiz at /quiz/', { timeout: 150_000 }, () => {
  const env = useBrowser();

  it('has the questions of quiz/final.md, each with a unique name, visible before any answer', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/quiz/`);
    expect(TOTAL).toBeGreaterThanOrEqual(15);
    const texts = final.questions.map((q) => q.text.toLowerCase());
    // getByRole matches names by substring: no question text may contain another's.
    expect(texts.filter((t) => texts.some((other) => other !== t && other.includes(t)))).toEqual([]);
    await expect(page.locator('fd-quiz').getByRole('group').count()).resolves.toBe(TOTAL);
    for (const question of final.questions) {
      await expect(group(page, question).count()).resolves.toBe(1);
    }
    await expect(page.getByRole('button', { name: 'Check answer' }).count()).resolves.toBe(TOTAL);
    expect(consoleErrors).toEqual([]);
  });

  it('all correct answers give full marks; the explanation and a right/wrong word appear after each check', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/quiz/`);
    const events = page.evaluateHandle(() => {
      const seen: unknown[] = [];
      document.addEventListener('fd:quiz-answered', (e) => seen.push((e as CustomEvent).detail));
      document.addEventListener('fd:quiz-completed', (e) => seen.push((e as CustomEvent).detail));
      return seen;
    });
    const first = final.questions[0] as Question;
    await expect(block(page, first).locator('.fd-explanation').isVisible()).resolves.toBe(false);
    for (const question of final.questions) await answer(page, question, correctIds(question));
    await expect(block(page, first).locator('.fd-verdict').textContent()).resolves.toBe('✓ Correct.');
    await expect(block(page, first).locator('.fd-explanation').isVisible()).resolves.toBe(true);
    await expect.poll(() => scoreText(page)).toBe(`Your score: ${TOTAL} of ${TOTAL}. Full marks!`);
    await expect(page.getByText(`Best score: ${TOTAL} of ${TOTAL}.`).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: /^Review:/ }).count()).resolves.toBe(0);
    const seen = (await (await events).jsonValue()) as { question: string | null; correct: boolean | null; score: number }[];
    expect(seen).toHaveLength(TOTAL + 1);
    expect(seen.at(-1)).toEqual({
      quiz: 'final',
      lessons: final.lessons,
      question: null,
      correct: null,
      answered: TOTAL,
      score: TOTAL,
      total: TOTAL,
      best: TOTAL,
    });
    expect(seen.slice(0, TOTAL).every((e) => e.correct === true)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('chosen wrong answers give the exact lower score, review links to the right lessons, and everything survives a reload', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/quiz/`);
    expect(missed).toHaveLength(3);
    for (const question of final.questions) {
      await answer(page, question, missed.includes(question) ? wrongIds(question) : correctIds(question));
    }
    const expected = `Your score: ${TOTAL - 3} of ${TOTAL}.`;
    await expect.poll(() => scoreText(page)).toBe(expected);
    for (const question of missed) {
      await expect(block(page, question).locator('.fd-verdict').textContent()).resolves.toBe('✗ Not quite.');
      await expect(block(page, question).getByText('✗ your answer, wrong').count()).resolves.toBe(1);
    }
    // The first missed single-choice question is from "Why WebSockets", a written lesson: a real link.
    const review = block(page, missed[0] as Question).getByRole('link', { name: /^Review:/ });
    await expect(review.textContent()).resolves.toBe('Review: Why WebSockets');
    await expect(review.getAttribute('href')).resolves.toBe('/lessons/why-websockets/');

    const order = await questionOrder(page);
    const saved = await page.evaluate(() => localStorage.getItem('fd-quiz:final'));
    expect(JSON.parse(saved ?? '{}')).toMatchObject({ best: TOTAL - 3, total: TOTAL, version: final.version });

    await page.reload();
    await expect.poll(() => scoreText(page)).toBe(expected);
    await expect(page.getByText(`Best score: ${TOTAL - 3} of ${TOTAL}.`).isVisible()).resolves.toBe(true);
    await expect(questionOrder(page)).resolves.toEqual(order);
    for (const question of final.questions) {
      const ids = missed.includes(question) ? wrongIds(question) : correctIds(question);
      const checked = await group(page, question)
        .locator('input')
        .evaluateAll((inputs) => inputs.filter((i) => (i as HTMLInputElement).checked).map((i) => (i as HTMLInputElement).value));
      expect(checked.sort()).toEqual([...ids].sort());
    }
    await expect(page.getByRole('button', { name: 'Check answer' }).count()).resolves.toBe(0);

    // Retry clears the answers; a better second attempt raises the best score.
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('button', { name: 'Check answer' }).count()).resolves.toBe(TOTAL);
    await expect(scoreText(page)).resolves.toBe('');
    for (const question of final.questions) await answer(page, question, correctIds(question));
    await expect.poll(() => scoreText(page)).toBe(`Your score: ${TOTAL} of ${TOTAL}. Full marks!`);
    await expect(page.getByText(`Best score: ${TOTAL} of ${TOTAL}.`).isVisible()).resolves.toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('a checked answer is locked until Retry, and the page says so: in words, to screen readers, and on its options', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/quiz/`);
    const [wrong, right] = final.questions.filter((q) => q.kind === 'single') as [Question, Question];
    const chosen = wrongIds(wrong)[0] as string;
    // An option neither chosen nor correct: nothing marks it once the question is checked.
    const plain = wrong.answers.find((a) => !a.correct && a.id !== chosen) as Question['answers'][number];
    expect(plain).toBeDefined();
    const radio = (question: Question, id: string): Locator =>
      group(page, question).getByRole('radio', { name: question.answers.find((a) => a.id === id)?.text ?? '', exact: true });
    // The question's live region (role="alert"): what it says is spoken as it changes.
    const note = (question: Question): Locator => block(page, question).getByRole('alert');
    const spoken = page.evaluateHandle(() => {
      const said: string[] = [];
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          const target = record.target instanceof Element ? record.target : record.target.parentElement;
          const alert = target?.closest('[role="alert"]');
          if (alert?.textContent) said.push(alert.textContent);
        }
      });
      observer.observe(document.querySelector('fd-quiz') as Node, { subtree: true, childList: true, characterData: true });
      return said;
    });

    await answer(page, wrong, [chosen]);
    await expect(block(page, wrong).locator('.fd-verdict').textContent()).resolves.toBe('✗ Not quite.');
    await expect(note(wrong).textContent()).resolves.toBe(LOCKED_UNTIL_DONE);
    await expect.poll(async () => (await spoken).jsonValue()).toEqual([LOCKED_UNTIL_DONE]);
    // Every option is exposed as disabled, and looks it: the dimmed text and a not-allowed pointer.
    await expect(group(page, wrong).getByRole('radio', { disabled: true }).count()).resolves.toBe(wrong.answers.length);
    await expect(group(page, wrong).getByRole('radio', { disabled: false }).count()).resolves.toBe(0);
    const look = (locator: Locator) =>
      locator.evaluate((input) => {
        const label = input.closest('label') as HTMLElement;
        const probe = document.createElement('span');
        probe.style.color = 'var(--sl-color-gray-3)';
        label.append(probe);
        const dim = getComputedStyle(probe).color;
        probe.remove();
        return { color: getComputedStyle(label).color, cursor: getComputedStyle(label).cursor, dim };
      });
    const locked = await look(radio(wrong, plain.id));
    expect(locked).toEqual({ color: locked.dim, cursor: 'not-allowed', dim: locked.dim });
    const open = await look(radio(right, right.answers[0]?.id ?? ''));
    expect(open.cursor).toBe('pointer');
    expect(open.color).not.toBe(open.dim);

    // A right answer is locked too: trying another of its options says why nothing changes, and says it aloud.
    await answer(page, right, correctIds(right));
    await expect(note(right).textContent()).resolves.toBe('');
    const other = right.answers.find((a) => !a.correct) as Question['answers'][number];
    await radio(right, other.id).scrollIntoViewIfNeeded();
    const where = await box(radio(right, other.id).locator('xpath=ancestor::label'));
    await page.mouse.click(where.x + where.width - 4, where.y + where.height / 2);
    await expect(radio(right, other.id).isChecked()).resolves.toBe(false);
    await expect(radio(right, correctIds(right)[0] ?? '').isChecked()).resolves.toBe(true);
    await expect.poll(() => note(right).textContent()).toBe(LOCKED_UNTIL_DONE);
    // Clicking the wrong question's options again speaks its note again.
    await radio(wrong, plain.id).scrollIntoViewIfNeeded();
    const plainBox = await box(radio(wrong, plain.id));
    await page.mouse.click(plainBox.x + plainBox.width / 2, plainBox.y + plainBox.height / 2);
    await expect.poll(async () => (await spoken).jsonValue()).toEqual([LOCKED_UNTIL_DONE, LOCKED_UNTIL_DONE, LOCKED_UNTIL_DONE]);
    await expect(radio(wrong, chosen).isChecked()).resolves.toBe(true);
    await expect(radio(wrong, plain.id).isChecked()).resolves.toBe(false);

    // Once every question is answered, Retry is there: the note says to press it.
    for (const question of final.questions.filter((q) => q !== wrong && q !== right)) await answer(page, question, correctIds(question));
    await expect.poll(() => scoreText(page)).toBe(`Your score: ${TOTAL - 1} of ${TOTAL}.`);
    await expect(note(wrong).textContent()).resolves.toBe(LOCKED_RETRY_NOW);
    await page.reload();
    await expect.poll(() => note(wrong).textContent()).toBe(LOCKED_RETRY_NOW);
    await expect(note(right).textContent()).resolves.toBe('');
    await expect(group(page, wrong).getByRole('radio', { disabled: true }).count()).resolves.toBe(wrong.answers.length);

    // Retry unlocks every option and clears the notes.
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(note(wrong).textContent()).resolves.toBe('');
    await expect(group(page, wrong).getByRole('radio', { disabled: false }).count()).resolves.toBe(wrong.answers.length);
    expect((await look(radio(wrong, plain.id))).cursor).toBe('pointer');
    expect(consoleErrors).toEqual([]);
  });

  it('can be completed with the keyboard alone', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/quiz/`);
    const order = await questionOrder(page);
    const byId = new Map(final.questions.map((q) => [q.id, q]));
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return { tag: el?.tagName ?? '', value: el?.value ?? '', question: el?.closest<HTMLElement>('.fd-question')?.dataset['question'] ?? '' };
      });
    const tabUntil = async (done: (f: Awaited<ReturnType<typeof focused>>) => boolean) => {
      for (let i = 0; i < 300; i += 1) {
        if (done(await focused())) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`focus never got there; last: ${JSON.stringify(await focused())}`);
    };

    for (const [index, questionId] of order.entries()) {
      const question = byId.get(questionId) as Question;
      // Wrong on the first question, right on the others: the score proves each key press landed.
      const want = index === 0 ? wrongIds(question) : correctIds(question);
      await tabUntil((f) => f.tag === 'INPUT' && f.question === questionId);
      const values = await group(page, question)
        .locator('input')
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
      if (question.kind === 'multiple') {
        for (const value of values) {
          expect((await focused()).value).toBe(value);
          if (want.includes(value)) await page.keyboard.press('Space');
          await page.keyboard.press('Tab');
        }
      } else {
        const target = values.indexOf(want[0] ?? '');
        if (target === 0) await page.keyboard.press('Space');
        for (let i = 0; i < target; i += 1) await page.keyboard.press('ArrowDown');
        expect((await focused()).value).toBe(want[0]);
        await page.keyboard.press('Tab');
      }
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Check answer');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.className ?? '')).toContain('fd-result');
    }
    await expect.poll(() => scoreText(page)).toBe(`Your score: ${TOTAL - 1} of ${TOTAL}.`);
    await tabUntil((f) => f.tag === 'BUTTON' && f.question === '');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Retry');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Check answer' }).count()).resolves.toBe(TOTAL);
    expect(consoleErrors).toEqual([]);
  });

  it('axe finds nothing on /quiz/ with every question answered and explained, in both themes', async () => {
    for (const theme of ['dark', 'light']) {
      const { page } = await env.newPage();
      await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
      await page.goto(`${env.origin}/quiz/`);
      for (const question of final.questions) {
        await answer(page, question, missed.includes(question) ? wrongIds(question) : correctIds(question));
      }
      await expect.poll(() => scoreText(page)).toBe(`Your score: ${TOTAL - 3} of ${TOTAL}.`);
      await expect(axeViolations(page)).resolves.toEqual([]);
    }
    // Two full attempts and two axe runs: on a machine with both cores busy this outlasts the default minute.
  }, 180_000);
});

describeBrowser('a knowledge check in a lesson', () => {
  const env = useBrowser();

  it('reports each checked question on the quiz:answered event and in localStorage', async () => {
    const check = parseQuiz(readFileSync(new URL('../../quiz/lessons/echo-server.md', import.meta.url), 'utf8'), 'x.md', {
      id: 'lessons/echo-server',
    });
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/lessons/echo-server/`);
    const events = page.evaluateHandle(() => {
      const seen: unknown[] = [];
      document.addEventListener('fd:quiz-answered', (e) => seen.push((e as CustomEvent).detail));
      return seen;
    });
    const question = check.questions[0] as Question;
    await expect(page.getByRole('button', { name: 'Check answer' }).first().click()).resolves.toBeUndefined();
    await expect(page.getByRole('alert').filter({ hasText: 'Choose an answer first.' }).count()).resolves.toBe(1);
    await answer(page, question, correctIds(question));
    await expect((await events).jsonValue()).resolves.toEqual([
      { quiz: 'lessons/echo-server', lessons: ['lessons/echo-server'], question: 'q1', correct: true, answered: 1, score: 1, total: check.questions.length, best: null },
    ]);
    const saved = JSON.parse((await page.evaluate(() => localStorage.getItem('fd-quiz:lessons/echo-server'))) ?? '{}');
    expect(saved).toMatchObject({ answers: { q1: correctIds(question) }, best: null, total: check.questions.length });
    expect(consoleErrors).toEqual([]);
  });
});

// Each test answers the whole quiz: 36 s beside a loaded run, past a minute on a slower one (a bound).
describeBrowser('taking a quiz at 1280 px and at 375 px with touch', { timeout: 150_000 }, () => {
  const env = useBrowser();

  async function open(width: number, path: string): Promise<{ page: Page; errors: string[] }> {
    const { page, consoleErrors: errors } = await env.newPage({ context: layoutFor(width) });
    await load(page, `${env.origin}${path}`);
    return { page, errors };
  }

  it.each([1280, 375])('at %i px the final quiz counts the questions answered, in sight and announced politely', async (width) => {
    const { page, errors } = await open(width, '/quiz/');
    const count = page.locator('fd-quiz .fd-quiz-count');
    await expect(count.textContent()).resolves.toBe(`Answered 0 of ${TOTAL}`);
    await expect(count.getAttribute('aria-live')).resolves.toBe('polite');
    const inSight = async (): Promise<void> => {
      const where = await box(count);
      const viewport = page.viewportSize() ?? { width, height: 0 };
      // Stuck to the bottom of the screen while the questions above it are read.
      expect(where.y + where.height).toBeLessThanOrEqual(viewport.height + 1);
      expect(where.y + where.height).toBeGreaterThanOrEqual(viewport.height - 2);
      expect(where.x).toBeGreaterThanOrEqual(0);
      expect(where.x + where.width).toBeLessThanOrEqual(viewport.width);
    };
    const order = await questionOrder(page);
    const byId = new Map(final.questions.map((q) => [q.id, q]));
    const first = byId.get(order[0] as string) as Question;
    await group(page, first).scrollIntoViewIfNeeded();
    await inSight();
    await answer(page, first, correctIds(first));
    await expect(count.textContent()).resolves.toBe(`Answered 1 of ${TOTAL}`);
    const second = byId.get(order[1] as string) as Question;
    await answer(page, second, wrongIds(second));
    await expect(count.textContent()).resolves.toBe(`Answered 2 of ${TOTAL}`);
    await group(page, second).scrollIntoViewIfNeeded();
    await inSight();
    // It does not cover what the learner acts on: the next Check button is clear of it.
    const third = byId.get(order[2] as string) as Question;
    const button = block(page, third).getByRole('button', { name: 'Check answer' });
    await button.scrollIntoViewIfNeeded();
    const [buttonBox, countBox] = [await box(button), await box(count)];
    expect(buttonBox.y + buttonBox.height <= countBox.y || buttonBox.y >= countBox.y + countBox.height).toBe(true);
    await reload(page);
    await expect(count.textContent()).resolves.toBe(`Answered 2 of ${TOTAL}`);
    for (const question of final.questions.filter((q) => q !== first && q !== second)) await answer(page, question, correctIds(question));
    await expect(count.textContent()).resolves.toBe(`Answered ${TOTAL} of ${TOTAL}`);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(count.textContent()).resolves.toBe(`Answered 0 of ${TOTAL}`);
    expect(errors).toEqual([]);
  });

  it.each([1280, 375])('at %i px the "✓ your answer, correct" badge stays on one line with its mark', async (width) => {
    const { page, errors } = await open(width, '/quiz/');
    for (const question of final.questions) await answer(page, question, missed.includes(question) ? wrongIds(question) : correctIds(question));
    const marks = await page.locator('fd-quiz .fd-mark').evaluateAll((spans) =>
      spans
        .filter((s) => s.textContent)
        .map((s) => {
          const box = s.getBoundingClientRect();
          const lineHeight = parseFloat(getComputedStyle(s).lineHeight);
          return { text: s.textContent ?? '', lines: Math.round(box.height / lineHeight), right: box.right };
        }),
    );
    const correct = marks.filter((m) => m.text === '✓ your answer, correct');
    const wrong = marks.filter((m) => m.text === '✗ your answer, wrong');
    expect(correct.length).toBeGreaterThanOrEqual(TOTAL - 3);
    expect(wrong).toHaveLength(3);
    for (const mark of marks) {
      expect(mark.lines, mark.text).toBe(1);
      expect(mark.right).toBeLessThanOrEqual(width);
    }
    expect(errors).toEqual([]);
  });

  it.each([1280, 375])('at %i px the first-client lesson ends with the interactive knowledge check, not fold-out text', async (width) => {
    const check = parseQuiz(readFileSync(new URL('../../quiz/lessons/first-client.md', import.meta.url), 'utf8'), 'x.md', {
      id: 'lessons/first-client',
    });
    const { page, errors } = await open(width, '/lessons/first-client/');
    await expect(page.locator('main details > summary').allTextContents()).resolves.not.toContainEqual(expect.stringContaining('The server is not running'));
    const quiz = page.locator('fd-quiz[data-quiz="lessons/first-client"]');
    await expect(quiz.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('Check: your first client');
    await expect(quiz.getByRole('group').count()).resolves.toBe(check.questions.length);
    const sendEarly = check.questions.find((q) => q.text.includes('right after')) as Question;
    expect(sendEarly).toBeDefined();
    await answer(page, sendEarly, correctIds(sendEarly));
    await expect(block(page, sendEarly).locator('.fd-verdict').textContent()).resolves.toBe('✓ Correct.');
    const verdict = await box(block(page, sendEarly).locator('.fd-result'));
    expect(verdict.x + verdict.width).toBeLessThanOrEqual(width);
    await expect(quiz.locator('.fd-quiz-count').textContent()).resolves.toBe(`Answered 1 of ${check.questions.length}`);
    expect(errors).toEqual([]);
  });
});
