import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * A class in Chromium: a learner signs in and runs a playground; the teacher
 * enters the key, finds the learner in the list and watches the run drawn by
 * the live diagram, at 1280 px and at 375 px with touch. Found by role and
 * label, driven by the keyboard (and a tap on the phone).
 */
const KEY = 'teacher-key-e2e-0123456789abcdef';
const LESSON = '/lessons/handshake-and-frames/';
const PLAYGROUND = 'handshake-accept';

const layouts: { name: string; options: BrowserContextOptions; touch: boolean }[] = [
  { name: '1280', options: { viewport: { width: 1280, height: 900 } }, touch: false },
  { name: '375', options: { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 }, touch: true },
];

describeBrowser('teaching a class', () => {
  const env = useBrowser({ classroom: true, teacherKey: KEY });

  async function learner(name: string): Promise<Page> {
    const { page } = await env.newPage({ context: { viewport: { width: 1280, height: 900 } } });
    await load(page, `${env.origin}/classroom/`);
    await page.getByRole('textbox', { name: 'Your name' }).focus();
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(new RegExp(`^Signed in as ${name}\\.`));
    // The course link now has focus: the next step is the course.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Start the course');
    return page;
  }

  async function runPlayground(page: Page): Promise<void> {
    await load(page, `${env.origin}${LESSON}`);
    await page.locator(`#${PLAYGROUND}`).getByRole('button', { name: 'Run', exact: true }).focus();
    await page.keyboard.press('Enter');
    const frames = page.locator(`#${PLAYGROUND}-diagram`).getByRole('list', { name: 'Frames' }).getByRole('listitem');
    await expect.poll(async () => (await frames.allTextContents()).join('\n'), { timeout: 30_000 }).toMatch(/close 1000/);
  }

  it.each(layouts)('at $name px: the teacher enters the key, sees the learner, and watches their run live', async ({ name, options, touch }) => {
    const student = `Ada ${name}`;
    const ada = await learner(student);
    const { page } = await env.newPage({ context: options });
    const errors: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    await load(page, `${env.origin}/teacher/`);
    const key = page.getByLabel('Teacher key');
    // A wrong key says where the right one is, and keeps the field for another try.
    await key.focus();
    await page.keyboard.type('not-the-key-0123456789');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^That is not the teacher key: copy it from the terminal/);
    await page.keyboard.type(KEY);
    await page.keyboard.press('Enter');
    const list = page.getByRole('region', { name: 'Who is connected' });
    await list.waitFor();
    // The browser keeps a teacher session, HttpOnly, not the key.
    const cookie = (await page.context().cookies()).find((c) => c.name === 'fd-teacher');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(cookie?.value).not.toContain(KEY);
    const watch = list.getByRole('button', { name: `Watch ${student}` });
    await watch.waitFor();
    // A tap target, inside the page: no sideways scroll at 375 px.
    const box = await watch.boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect(box?.width).toBeGreaterThanOrEqual(44);
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(options.viewport?.width ?? 0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options.viewport?.width ?? 0);
    if (touch) await watch.tap();
    else {
      await watch.focus();
      await page.keyboard.press('Enter');
    }
    expect(await watch.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByText(`Watching ${student}: no run yet.`).count()).toBe(1);

    // The learner runs; the teacher's diagram draws it (the list refreshes every 3 s and follows the newest run).
    await runPlayground(ada);
    const frames = page.locator('#teacher-desk-diagram').getByRole('list', { name: 'Frames' }).getByRole('listitem');
    await expect.poll(async () => (await frames.allTextContents()).join('\n'), { timeout: 30_000 }).toMatch(/text "Hello, server!"/);
    await expect.poll(async () => (await frames.allTextContents()).join('\n'), { timeout: 15_000 }).toMatch(/close 1000/);
    const rows = await frames.allTextContents();
    expect(rows[0]).toMatch(/opening handshake, GET \/echo/);
    expect(await page.getByText(new RegExp(`^Watching ${student}'s newest run \\(`)).count()).toBe(1);
    const line = await list.getByRole('listitem').filter({ hasText: student }).textContent();
    expect(line).toMatch(/last run .* ago|last run just now/);
    await page.screenshot({ path: join(tmpdir(), `classroom-teacher-${name}.png`), fullPage: false });
    await page.locator('#teacher-desk-diagram').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(tmpdir(), `classroom-teacher-${name}-diagram.png`), fullPage: false });
    // The one console line is the browser's own about the wrong key's 403, on purpose above.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
  }, 120_000);

  it('a learner who has not signed in is told where to, by the live diagram of the playground they ran', async () => {
    const { page } = await env.newPage();
    await load(page, `${env.origin}${LESSON}`);
    await page.locator(`#${PLAYGROUND}`).getByRole('button', { name: 'Run', exact: true }).focus();
    await page.keyboard.press('Enter');
    const status = page.locator(`#${PLAYGROUND}-diagram`).getByRole('status');
    const signIn = `This course is served to a class: sign in at ${env.origin}/classroom/ (in this browser), then run again.`;
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe(signIn);
    // And it stays once the refused run has ended: the end ("closed with 1006") used to replace it
    // whenever the reason was found first.
    const stop = page.locator(`#${PLAYGROUND}`).getByRole('button', { name: 'Stop', exact: true });
    await expect.poll(() => stop.isDisabled(), { timeout: 30_000 }).toBe(true);
    expect(await status.textContent()).toBe(signIn);
  }, 60_000);

  it('a learner cannot open the teacher\'s list, and the key is nowhere in their pages', async () => {
    const bo = await learner('Bo');
    const status = await bo.evaluate(async () => (await fetch('/api/teacher/learners')).status);
    expect(status).toBe(403);
    await load(bo, `${env.origin}/teacher/`);
    expect(await bo.getByLabel('Teacher key').isVisible()).toBe(true);
    expect(await bo.content()).not.toContain(KEY);
  }, 60_000);
  it('two learners run the first-client lesson\'s three chat clients at once: in each one\'s Outputs, their three greet each other', async () => {
    const learners = [await learner('Cy'), await learner('Dee')];
    const chats = learners.map((page) => page.getByRole('region', { name: 'Three chat clients (JavaScript)' }));
    for (const page of learners) await load(page, `${env.origin}/lessons/first-client/`);
    for (const chat of chats) await chat.scrollIntoViewIfNeeded();
    // Both at once, as a class does: names are a room's, and each learner's room is their own.
    await Promise.all(chats.map((chat) => chat.getByRole('button', { name: 'Run', exact: true }).click()));
    const names = ['alice', 'bob', 'carol'];
    for (const chat of chats) {
      for (const name of names) {
        const output = chat.getByRole('log', { name: `Output ${name}`, exact: true });
        const greetings = async (): Promise<string[]> => (await output.locator('.fd-line').allTextContents()).filter((line) => line.includes(': Hi, ')).sort();
        const others = names.filter((other) => other !== name).map((other) => `${other}: Hi, ${other} here!`);
        await expect.poll(greetings, { timeout: 30_000 }).toEqual(others);
      }
    }
  });
});
