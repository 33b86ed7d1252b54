import { expect, it } from 'vitest';
import { QUIZ_COMPLETED_EVENT } from '../../quiz/engine/storage.ts';
import { PROGRESS_ATTRS, PROGRESS_EVENTS } from '../../src/runtime/progress/store.ts';
import { describeBrowser, hasBuild, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';

const lessons = hasBuild ? builtPages().filter((p) => /^\/(lessons|projects)\//.test(p)) : [];

describeBrowser('course progress', () => {
  const env = useBrowser();

  it('marks a visited lesson, completes it, shows the count on the home page and resets by keyboard', async () => {
    const { page, consoleErrors } = await env.newPage();
    await page.goto(`${env.origin}/`, { waitUntil: 'networkidle' });
    const homeBar = page.getByRole('progressbar', { name: 'Your progress' });
    await expect(homeBar.evaluate((el: HTMLProgressElement) => [el.value, el.max])).resolves.toEqual([0, lessons.length]);
    await expect(page.getByText(`0 of ${lessons.length} lessons done`).first().isVisible()).resolves.toBe(true);

    await page.goto(`${env.origin}/lessons/why-websockets/`, { waitUntil: 'networkidle' });
    const sidebarLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Why WebSockets/ });
    await expect(sidebarLink.textContent()).resolves.toMatch(/\((done|in progress)\)$/);

    // Pass whatever the lesson asks, as its playgrounds and quizzes would report it.
    await page.evaluate(
      ({ attrs, events }) => {
        for (const el of document.querySelectorAll(`[${attrs.exercise}]`)) {
          document.dispatchEvent(new CustomEvent(events.exercisePassed, { detail: { id: el.getAttribute(attrs.exercise) } }));
        }
        for (const el of document.querySelectorAll(`[${attrs.quiz}]`)) {
          document.dispatchEvent(new CustomEvent(events.quizCompleted, { detail: { quiz: el.getAttribute(attrs.quiz), score: 1, total: 2 } }));
        }
      },
      { attrs: PROGRESS_ATTRS, events: { ...PROGRESS_EVENTS, quizCompleted: QUIZ_COMPLETED_EVENT } },
    );
    await expect(sidebarLink.textContent()).resolves.toMatch(/\(done\)$/);
    await expect(page.getByText(`1 of ${lessons.length} lessons done`).first().isVisible()).resolves.toBe(true);

    await page.goto(`${env.origin}/`, { waitUntil: 'networkidle' });
    await expect(homeBar.evaluate((el: HTMLProgressElement) => el.value)).resolves.toBe(1);
    await expect(
      page.getByRole('main').getByRole('link', { name: 'Why WebSockets (done)' }).count(),
    ).resolves.toBe(1);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset progress' }).focus();
    await page.keyboard.press('Enter');
    await expect(homeBar.evaluate((el: HTMLProgressElement) => el.value)).resolves.toBe(0);
    await expect(page.getByRole('main').getByRole('link', { name: 'Why WebSockets', exact: true }).count()).resolves.toBe(1);
    expect(consoleErrors).toEqual([]);
  });
});
