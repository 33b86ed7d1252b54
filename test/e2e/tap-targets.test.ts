import { expect, it } from 'vitest';
import { box, describeBrowser, expectTargetWithin, layoutFor, useBrowser } from './harness.ts';
import { DIAGRAM_PAGES, QUIZ_FILES, QUIZ_PAGES } from './tap-checks.ts';

/**
 * Tap targets in lesson content (tap-checks.ts). Every quiz's and live diagram's controls are
 * checked on the visits of each page by pages-laptop.test.ts (1280 px, a mouse) and
 * pages-phone.test.ts (375 px, touch); here, that those visits find what they should, and what
 * appears only once a question is checked.
 */
describeBrowser('tap targets in lesson content', () => {
  const env = useBrowser();

  it('finds the quizzes and the live diagrams', () => {
    expect(QUIZ_PAGES).toContain('/quiz/');
    expect(QUIZ_PAGES.length).toBe(QUIZ_FILES.length);
    expect(DIAGRAM_PAGES).toContain('/lessons/first-client/');
  });

  it.each([375, 1280])('at %i px: a checked question\'s Review link is a 44 px target', async (width) => {
    const { page } = await env.newPage({ context: layoutFor(width) });
    await page.goto(`${env.origin}/lessons/first-client/`);
    const quiz = page.locator('fd-quiz');
    const question = page.getByRole('group', { name: 'Which handler receives the data the server sends?' });
    await question.getByRole('radio', { name: 'onclose', exact: true }).check();
    await quiz.locator('.fd-question', { has: question }).getByRole('button', { name: 'Check answer' }).click();
    const review = quiz.getByRole('link', { name: 'Review: Your first client' });
    await review.waitFor();
    expectTargetWithin('Review link', await box(review), await box(quiz));
  });
});
