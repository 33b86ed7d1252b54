import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { CLASSROOM_PATHS } from '../../protocol/classroom.ts';
import { HTTP_PATHS } from '../../protocol/endpoints.ts';
import { MONACO_REQUEST } from '../../tools/budgets.ts';
import { builtHtml, siteDir } from './pages.ts';

/**
 * What pages-laptop.test.ts and pages-phone.test.ts check on every built page, one function per check, each
 * reading a page that is already loaded: page weight, keyboard reach, and
 * sideways scroll at phone width. (axe is `axeViolations` in harness.ts.)
 */

// ── Page weight ───────────────────────────────────────────────────────────────

const gzipCache = new Map<string, number>();
// The companion's own answers (the classroom pages ask /api/classroom/me) are not files of the site.
const COMPANION_PATHS = new Set<string>([...Object.values(HTTP_PATHS), CLASSROOM_PATHS.me, CLASSROOM_PATHS.learners, CLASSROOM_PATHS.signIn, CLASSROOM_PATHS.teacherSession]);

/** The gzip size of the file dist/ serves for a path; a request with no file fails rather than weighing nothing. */
function gzipBytes(pathname: string): number {
  let file = join(siteDir, decodeURIComponent(pathname));
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) throw new Error(`${pathname} was requested, but dist/ has no file for it, so its weight is unknown.`);
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(file), { level: 9 }).length;
    gzipCache.set(file, size);
  }
  return size;
}

export interface Weight {
  page: string;
  js: number;
  total: number;
  requests: number;
  monaco: number;
}

/** Weighs every same-origin request a page made (the companion's own answers aside) as the gzip of its file. */
export function weigh(page: string, requests: string[], origin: string): Weight {
  const sameOrigin = requests
    .filter((url) => url.startsWith(origin))
    .map((url) => new URL(url).pathname)
    .filter((path) => !COMPANION_PATHS.has(path));
  const js = sameOrigin.filter((p) => /\.m?js$/.test(p) && !MONACO_REQUEST.test(p));
  return {
    page,
    js: js.reduce((sum, p) => sum + gzipBytes(p), 0),
    total: sameOrigin.reduce((sum, p) => sum + gzipBytes(p), 0),
    requests: sameOrigin.length,
    monaco: sameOrigin.filter((p) => MONACO_REQUEST.test(p)).length,
  };
}

// ── Keyboard ──────────────────────────────────────────────────────────────────

/**
 * Keyboard alone reaches every control of the course's own components
 * (playgrounds, diagrams, quizzes, charts, progress), and each shows where
 * focus is. Tab is pressed through the whole page; inside a code editor,
 * Tab leaves it (Ctrl+M would make Tab indent). A radio group counts as one
 * control, as it is one Tab stop.
 *
 * As a keyboard user does, the walk starts with Starlight's "Skip to content"
 * link (Tab, Enter) when every control it looks for comes after the link's
 * target: Tabbing through a lesson's sidebar (58 stops, none of them ours)
 * cost Chromium 0.85 CPU-seconds of the walk's 1.2 (each link scrolls the
 * sidebar's pane, which is repainted).
 */
const WIDGETS = 'fd-playground, fd-server-lab, fd-sequence-diagram, fd-quiz, fd-live-chart, fd-progress, fd-collab-editors';
const CONTROLS = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"]), summary';

interface Focused {
  key: string;
  visible: boolean;
}

/** Presses Tab through the page: the controls never reached, and those reached with no visible focus, in words. */
export async function keyboardProblems(page: Page): Promise<{ missed: string[]; invisible: string[] }> {
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
  if (wanted.length === 0) return { missed: [], invisible: [] };
  const skippable = await page.evaluate(() => {
    const link = document.querySelector<HTMLAnchorElement>('a.sl-skip-link');
    const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return false;
    const probes = [...document.querySelectorAll('[data-kbd-probe]')];
    return probes.every((el) => target.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  if (skippable) {
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
    if (first !== 'Skip to content') throw new Error(`The first Tab stop is ${JSON.stringify(first)}, not the "Skip to content" link.`);
    await page.keyboard.press('Enter');
  }
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
  const describe = (keys: string[]): Promise<string[]> =>
    page.evaluate(
      (ks) =>
        ks.map((k) => {
          const el = document.querySelector<HTMLElement>(`[data-kbd-probe="${CSS.escape(k)}"]`);
          return `${el?.tagName.toLowerCase()} "${(el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim().slice(0, 40)}"`;
        }),
      keys,
    );
  return {
    missed: await describe(wanted.filter((key) => !reached.has(key))),
    invisible: await describe([...reached].filter(([, visible]) => !visible).map(([key]) => key)),
  };
}

// ── Sideways scroll ───────────────────────────────────────────────────────────

/**
 * Phones first: at the page's current width it scrolls only vertically; wide
 * code and diagrams scroll inside their own boxes. Returns the page's widths
 * and up to three elements that stick out of it outside any such box.
 */
export function sidewaysOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    // Inside a box that scrolls or clips sideways (code, tab lists, wide
    // diagrams), overflowing is what the box is for.
    const inScroller = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    const wide = [...document.querySelectorAll('main *')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .filter((el) => !inScroller(el))
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
  });
}

// ── Tables ────────────────────────────────────────────────────────────────────

/** Whether the built page has a table in its content (Markdown tables become `<table>`). */
export function hasTables(path: string): boolean {
  return /<table\b/.test(builtHtml(path));
}

/**
 * The cells of the page's content tables that a reader cannot see whole at the page's current width:
 * one line each (`table 1, row 2, column 3: "the handshake has…"`), `[]` when there are none. A cell is
 * cut off when its table scrolls sideways (Starlight's tables are their own scroll box: scrollWidth
 * past clientWidth) and the cell reaches past the table's visible edge, or when its own content spills
 * out of it (its scrollWidth past its clientWidth). A table that scrolls sideways with every cell
 * in sight still counts, as its whole table.
 */
export function cutTableCells(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const cut: string[] = [];
    const tables = [...document.querySelectorAll<HTMLTableElement>('.sl-markdown-content table')].filter((t) => !t.closest('.not-content'));
    tables.forEach((table, t) => {
      const rect = table.getBoundingClientRect();
      const visibleRight = rect.left + table.clientLeft + table.clientWidth;
      const scrolls = table.scrollWidth > table.clientWidth;
      const before = cut.length;
      [...table.rows].forEach((row, r) => {
        [...row.cells].forEach((cell, c) => {
          const spills = cell.scrollWidth > cell.clientWidth;
          const beyond = scrolls && cell.getBoundingClientRect().right > visibleRight;
          if (!spills && !beyond) return;
          const words = (cell.textContent ?? '').trim().replace(/\s+/g, ' ');
          cut.push(`table ${t + 1}, row ${r + 1}, column ${c + 1}: "${words.length > 30 ? `${words.slice(0, 30)}…` : words}"`);
        });
      });
      if (scrolls && cut.length === before) cut.push(`table ${t + 1}: scrolls sideways (${table.scrollWidth} px in ${table.clientWidth} px)`);
    });
    return cut;
  });
}

// ── Code boxes ────────────────────────────────────────────────────────────────

const CODE_WIDGETS = 'fd-playground, fd-server-lab';
/** A code box still a textarea: Monaco has not replaced it yet (a lab's own client box is hidden until opened). */
const WAITING_TEXTAREA = 'fd-playground textarea[data-file]:not([hidden]), fd-server-lab textarea[data-textarea]:not([hidden])';

/** Which code-box components the built page has, read from its HTML (no browser needed). */
export function hasCodeBoxes(path: string): boolean {
  return /<fd-(playground|server-lab)\b/.test(builtHtml(path));
}

/** Where each playground's and lab's Run button sits, in px below the top of its component, by component id. */
export function runOffsets(page: Page): Promise<Record<string, number>> {
  return page.evaluate(
    (widgets) =>
      Object.fromEntries(
        [...document.querySelectorAll<HTMLElement>(widgets)].map((element) => {
          const run = element.querySelector('[data-action="run"]');
          if (!run) throw new Error(`#${element.id} has no Run button`);
          return [element.id, Math.round(run.getBoundingClientRect().top - element.getBoundingClientRect().top)];
        }),
      ),
    CODE_WIDGETS,
  );
}

/** Brings every code box into view, so Monaco replaces each textarea, and resolves once it has. */
export async function editorsArrived(page: Page): Promise<void> {
  for (const element of await page.locator(CODE_WIDGETS).all()) await element.scrollIntoViewIfNeeded();
  await page.waitForFunction((selector) => document.querySelector(selector) === null, WAITING_TEXTAREA, { timeout: 120_000 });
}

// ── Lesson checklist ──────────────────────────────────────────────────────────

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The items of the "To finish this page" list as the built page has them, before any script: text of each. */
export function builtChecklist(path: string): string[] {
  const list = /<section[^>]*data-progress-checklist[^>]*>([\s\S]*?)<\/section>/.exec(builtHtml(path))?.[1] ?? '';
  return [...list.matchAll(/<li\b[^>]*>([\s\S]*?)<\/li>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, '').replace(/&[a-z#0-9]+;/g, (e) => ENTITIES[e] ?? e));
}

/** The same list after the page's progress script filled it in (empty when it hid it). */
export function shownChecklist(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const section = document.querySelector<HTMLElement>('[data-progress-checklist]');
    return !section || section.hidden ? [] : [...section.querySelectorAll('li')].map((li) => li.textContent ?? '');
  });
}
