import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PAGE_EVENTS } from '../../src/runtime/events.ts';
import { PROGRESS_ATTRS } from '../../src/runtime/progress/store.ts';
import { describeBrowser, hasBuild, layoutFor, load, reload, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';

const lessons = hasBuild ? builtPages().filter((p) => /^\/(lessons|projects)\//.test(p)) : [];

describeBrowser('course progress', () => {
  const env = useBrowser();

  it('marks a visited lesson, completes it, shows the count on the home page and resets by keyboard', async () => {
    const { page, consoleErrors } = await env.newPage();
    await load(page, `${env.origin}/`);
    const homeBar = page.getByRole('progressbar', { name: 'Your progress' });
    await expect(homeBar.evaluate((el: HTMLProgressElement) => [el.value, el.max])).resolves.toEqual([0, lessons.length]);
    await expect(page.getByText(`0 of ${lessons.length} lessons done`).first().isVisible()).resolves.toBe(true);

    await load(page, `${env.origin}/lessons/why-websockets/`);
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
      { attrs: PROGRESS_ATTRS, events: PAGE_EVENTS },
    );
    await expect(sidebarLink.textContent()).resolves.toMatch(/\(done\)$/);
    await expect(page.getByText(`1 of ${lessons.length} lessons done`).first().isVisible()).resolves.toBe(true);

    await load(page, `${env.origin}/`);
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

/** Relative luminance contrast of two sRGB colours, as WCAG defines it. */
function contrast(a: number[], b: number[]): number {
  const lum = (rgb: number[]): number => {
    const [r, g, bl] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describeBrowser('course progress, as the learner sees it', () => {
  const env = useBrowser();
  const KEY = 'full-duplex:progress';

  it.each([375, 1280])('at %i px the lesson text stays where the built page put it as the script fills in "To finish this page"', async (width) => {
    const textTop = async (javaScriptEnabled: boolean): Promise<number> => {
      const { page } = await env.newPage({ context: { ...layoutFor(width), javaScriptEnabled } });
      await load(page, `${env.origin}/lessons/echo-server/`);
      if (javaScriptEnabled) await page.getByRole('region', { name: 'To finish this page' }).getByText('Knowledge check').waitFor();
      return page.locator('.sl-markdown-content > p').first().evaluate((el) => Math.round(el.getBoundingClientRect().top + window.scrollY));
    };
    const built = await textTop(false);
    expect(built).toBeGreaterThan(0);
    await expect(textTop(true)).resolves.toBe(built);
  });

  it('clears passed marks on exercises with "Reset progress", lists what a lesson still needs, and offers to continue', async () => {
    const { page, consoleErrors } = await env.newPage();
    await load(page, `${env.origin}/lessons/echo-server/`);
    const checklist = page.getByRole('region', { name: 'To finish this page' });
    const items = async (): Promise<string[]> => (await checklist.getByRole('listitem').allTextContents()).map((t) => t.trim());
    // The page also carries the echo server lab, an exercise of its own; this test is about the playground.
    const withoutLab = async (): Promise<string[]> => {
      const all = await items();
      expect(all.filter((t) => /^○Exercise “Server lab: An echo server”: not passed yet$/.test(t))).toHaveLength(1);
      return all.filter((t) => !t.includes('Server lab:'));
    };
    await expect(withoutLab()).resolves.toEqual(['○Exercise “The payload limit”: not passed yet', '○Knowledge check: not answered yet']);
    await expect(checklist.getByRole('link', { name: 'Exercise “The payload limit”' }).getAttribute('href')).resolves.toBe('#echo-payload-limit');

    // The learner's own code passes the exercise: the playground, the checklist and the store agree.
    const answer = readFileSync(new URL('../../samples/playgrounds/payload-limit.solution.js', import.meta.url), 'utf8');
    await page.evaluate((code) => localStorage.setItem('fd:v1:code:echo-payload-limit:shared', code), answer);
    await reload(page);
    const exercise = page.locator('fd-playground#echo-payload-limit');
    await exercise.scrollIntoViewIfNeeded();
    await exercise.getByRole('button', { name: 'Run' }).click();
    await exercise.locator('[data-check-status]').getByText('Check passed: well done!').waitFor({ timeout: 60_000 });
    await expect(withoutLab()).resolves.toEqual(['✓Exercise “The payload limit”: passed', '○Knowledge check: not answered yet']);

    // Home: continue where I left off (this lesson, not done: its knowledge check is open).
    await load(page, `${env.origin}/`);
    const resume = page.getByRole('link', { name: 'Continue where you left off: Your first server: echo' });
    await expect(resume.getAttribute('href')).resolves.toBe('/lessons/echo-server/');
    await expect(resume.isVisible()).resolves.toBe(true);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset progress' }).click();
    await expect(resume.isVisible()).resolves.toBe(false);
    await load(page, `${env.origin}/lessons/echo-server/`);
    await expect(exercise.locator('[data-check-status]').innerText()).resolves.toBe('');
    await expect(withoutLab()).resolves.toEqual(['○Exercise “The payload limit”: not passed yet', '○Knowledge check: not answered yet']);
    await expect(page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '{}').lessons['lessons/echo-server'].passed, KEY)).resolves.toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 240_000);

  it('draws an empty progress bar as empty in the dark theme, and the done part in a contrasting colour', async () => {
    const { page } = await env.newPage();
    await page.addInitScript(() => localStorage.setItem('starlight-theme', 'dark'));
    await load(page, `${env.origin}/`);
    const bar = page.getByRole('progressbar', { name: 'Your progress' });
    const pixels = async (): Promise<{ inside: number[]; start: number[]; page: number[] }> => {
      const shot = (await bar.screenshot()).toString('base64');
      const pageShot = (await page.screenshot({ clip: { x: 2, y: 2, width: 4, height: 4 } })).toString('base64');
      return page.evaluate(async ([barPng, pagePng]) => {
        const read = async (png: string, at: (w: number, h: number) => [number, number]): Promise<number[]> => {
          // Not fetch('data:…'): the site's Content-Security-Policy (connect-src) refuses it.
          const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' }));
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
          ctx.drawImage(bitmap, 0, 0);
          const [x, y] = at(bitmap.width, bitmap.height);
          return [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
        };
        return {
          inside: await read(barPng as string, (w, h) => [Math.floor(w * 0.75), Math.floor(h / 2)]),
          start: await read(barPng as string, (_w, h) => [6, Math.floor(h / 2)]),
          page: await read(pagePng as string, () => [1, 1]),
        };
      }, [shot, pageShot]);
    };
    const empty = await pixels();
    // Empty: the inside of the bar is the page's own dark background, not a light fill.
    expect(contrast(empty.inside, empty.page), `inside ${empty.inside} vs page ${empty.page}`).toBeLessThan(1.3);
    // One lesson done: the start of the bar is filled, clearly apart from the empty part.
    await page.evaluate((key) => {
      localStorage.setItem(key, JSON.stringify({ version: 1, lessons: { 'lessons/why-websockets': { visitedAt: 1, exercises: [], quizzes: [], passed: [], answered: {} } } }));
    }, KEY);
    await reload(page);
    await expect(bar.evaluate((el: HTMLProgressElement) => el.value)).resolves.toBe(1);
    const one = await pixels();
    expect(contrast(one.start, one.inside), `done ${one.start} vs empty ${one.inside}`).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
