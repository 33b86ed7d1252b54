import { expect, it } from 'vitest';
import { describeBrowser, hasBuild, useBrowser } from './harness.ts';
import { builtPages } from './pages.ts';

/**
 * Keyboard alone reaches every control of the course's own components
 * (playgrounds, diagrams, quizzes, charts, progress), and each shows where
 * focus is. Tab is pressed through the whole page; inside a code editor,
 * Tab leaves it (Ctrl+M would make Tab indent). A radio group counts as one
 * control, as it is one Tab stop.
 */
const WIDGETS = 'fd-playground, fd-server-lab, fd-sequence-diagram, fd-quiz, fd-live-chart, fd-progress, fd-collab-editors';
const CONTROLS = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"]), summary';
const pages = hasBuild ? builtPages() : [];

interface Focused {
  key: string;
  visible: boolean;
}

describeBrowser('keyboard access', () => {
  const env = useBrowser();

  it.each(pages)('%s: Tab reaches every component control, with a visible focus indicator', async (path) => {
    const { page } = await env.newPage();
    await page.goto(`${env.origin}${path}`, { waitUntil: 'networkidle' });
    const wanted = await page.evaluate(
      ({ widgets, controls }) => {
        const all = [...document.querySelectorAll(widgets)].flatMap((w) => [...w.querySelectorAll<HTMLElement>(controls)]);
        let n = 0;
        const keys = all
          .filter((el) => !el.closest('.monaco-editor') && !el.hasAttribute('disabled') && el.getClientRects().length > 0)
          .map((el) => {
            // A radio group is one Tab stop (arrow keys move inside it), so the group is the control.
            const radio = el instanceof HTMLInputElement && el.type === 'radio' && el.name;
            // A playground's code box is swapped for Monaco's own text box (same name) as it
            // comes into view, so the editor is keyed by playground and name, not by element.
            const editor = el instanceof HTMLTextAreaElement && el.closest('fd-playground, fd-server-lab');
            el.dataset['kbdProbe'] = radio
              ? `radio:${el.name}`
              : editor
                ? `editor:${editor.id}:${el.getAttribute('aria-label') ?? document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent?.trim()}`
                : String(n++);
            return el.dataset['kbdProbe'] as string;
          });
        return [...new Set(keys)];
      },
      { widgets: WIDGETS, controls: CONTROLS },
    );
    if (wanted.length === 0) return;
    // Where each Tab leaves focus is recorded in the page as the key comes up (a capturing keyup
    // listener: Tab moves focus on keydown), and the page is read after every BURST presses: the
    // same presses and the same readings as a read after every press, with half the round trips.
    await page.evaluate(() => {
      const seen: { key: string; visible: boolean }[] = [];
      (window as unknown as { kbdSeen: typeof seen }).kbdSeen = seen;
      window.addEventListener(
        'keyup',
        (event) => {
          if (event.key !== 'Tab') return;
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return;
          const style = getComputedStyle(el);
          const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
          const ring = style.boxShadow !== 'none';
          const playground = el.closest('fd-playground, fd-server-lab');
          const key =
            el.dataset['kbdProbe'] ??
            // Monaco's focus target is its own text box (a textarea or an EditContext div) named like ours.
            (playground && el.closest('.monaco-editor') ? `editor:${playground.id}:${el.getAttribute('aria-label')}` : '');
          if (key) seen.push({ key, visible: outline || ring });
        },
        true,
      );
    });
    const reached = new Map<string, boolean>();
    const limit = Math.min(600, 80 + wanted.length * 4);
    const BURST = 10;
    for (let pressed = 0; pressed < limit && reached.size < wanted.length; pressed += BURST) {
      for (let i = 0; i < BURST && pressed + i < limit; i++) await page.keyboard.press('Tab');
      const seen = await page.evaluate(() => (window as unknown as { kbdSeen: Focused[] }).kbdSeen.splice(0));
      for (const { key, visible } of seen) reached.set(key, visible);
    }
    const missed = wanted.filter((key) => !reached.has(key));
    const describe = (keys: string[]): Promise<string[]> =>
      page.evaluate(
        (ks) =>
          ks.map((k) => {
            const el = document.querySelector<HTMLElement>(`[data-kbd-probe="${CSS.escape(k)}"]`);
            return `${el?.tagName.toLowerCase()} "${(el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim().slice(0, 40)}"`;
          }),
        keys,
      );
    expect(await describe(missed)).toEqual([]);
    const invisible = [...reached].filter(([, visible]) => !visible).map(([key]) => key);
    expect(await describe(invisible)).toEqual([]);
  });
});
