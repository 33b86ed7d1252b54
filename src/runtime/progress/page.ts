import { PAGE_EVENTS } from '../events.ts';
import { PROGRESS_ATTRS, PROGRESS_STORAGE_KEY, type LessonState, type ProgressStore } from './store.ts';

/**
 * The browser edge of progress tracking: records the visit of the current
 * lesson, listens for components reporting passed exercises and answered
 * checks, and keeps every status mark and progress bar on the page current
 * (also when another tab changes the progress).
 */

const STATE_TEXT: Record<Exclude<LessonState, 'not-started'>, string> = {
  'in-progress': 'in progress',
  done: 'done',
};

/** The lesson slug of a URL path: "/lessons/chat/" → "lessons/chat". */
export function slugOf(pathname: string, base = '/'): string {
  const path = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  return path.replace(/^\/+|\/+$/g, '').replace(/\/index\.html$/, '');
}

interface TrackOptions {
  store: ProgressStore;
  /** Slugs of the written lessons, in course order. */
  lessons: readonly string[];
  base: string;
  doc?: Document;
  win?: Window;
}

let tracking = false;

export function trackProgress({ store, lessons, base, doc = document, win = window }: TrackOptions): void {
  // Sidebar and home page may both start tracking; one set of listeners is enough.
  if (tracking) return;
  tracking = true;
  const current = slugOf(win.location.pathname, base);
  const isLesson = lessons.includes(current);
  const changed = (): void => void doc.dispatchEvent(new CustomEvent(PAGE_EVENTS.progressChanged));
  if (isLesson) {
    const ids = (attr: string): string[] =>
      [...doc.querySelectorAll(`[${attr}]`)].map((el) => el.getAttribute(attr) ?? '').filter(Boolean);
    store.visit(current, { exercises: ids(PROGRESS_ATTRS.exercise), quizzes: ids(PROGRESS_ATTRS.quiz) });
    doc.addEventListener(PAGE_EVENTS.exercisePassed, (event) => {
      const id = (event as CustomEvent<{ id?: unknown }>).detail?.id;
      if (typeof id !== 'string') return;
      store.passExercise(current, id);
      changed();
    });
    doc.addEventListener(PAGE_EVENTS.quizCompleted, (event) => {
      const detail = (event as CustomEvent<{ quiz?: unknown; score?: unknown; total?: unknown }>).detail;
      if (typeof detail?.quiz !== 'string' || typeof detail.score !== 'number' || typeof detail.total !== 'number') return;
      store.answerQuiz(current, detail.quiz, detail.score, detail.total);
      changed();
    });
  }
  win.addEventListener('storage', (event) => {
    if (event.key === PROGRESS_STORAGE_KEY || event.key === null) changed();
  });
  doc.addEventListener(PAGE_EVENTS.progressChanged, () => render({ store, lessons, base, doc }));
  render({ store, lessons, base, doc });
}

/** Marks every link to a lesson with its state and fills every progress bar. */
export function render({ store, lessons, base, doc = document }: Omit<TrackOptions, 'win'>): void {
  const progress = store.read();
  for (const link of doc.querySelectorAll<HTMLAnchorElement>('a[href][data-progress-link], nav.sidebar a[href]')) {
    const slug = slugOf(new URL(link.href, doc.baseURI).pathname, base);
    if (!lessons.includes(slug)) continue;
    const state = store.status(slug, progress).state;
    let mark = link.querySelector<HTMLElement>(':scope > .fd-lesson-state');
    if (state === 'not-started') {
      // Saying "not started" on every link would only add noise for screen readers.
      mark?.remove();
      continue;
    }
    if (!mark) {
      mark = doc.createElement('span');
      mark.className = 'fd-lesson-state';
      link.append(mark);
    }
    if (mark.dataset['state'] === state) continue;
    mark.dataset['state'] = state;
    // The icon is decoration; the words are what screen readers hear, after the title.
    mark.innerHTML = `<span aria-hidden="true" class="fd-lesson-state-icon"></span><span class="fd-sr-only">(${STATE_TEXT[state]})</span>`;
  }
  renderChecklists(store, progress, doc);
  renderContinue(store, progress, lessons, base, doc);
  const { done, total } = store.overall(lessons);
  for (const bar of doc.querySelectorAll<HTMLElement>('[data-progress-bar]')) {
    const meter = bar.querySelector('progress');
    const text = bar.querySelector('[data-progress-text]');
    if (meter) {
      meter.max = total;
      meter.value = done;
    }
    if (text) text.textContent = `${done} of ${total} lessons done`;
  }
}

/**
 * The words of one "To finish this page" item: an exercise by its title, or the knowledge check.
 * PageTitle.astro writes the same items into the built page, not done yet.
 */
export function checklistWords(item: { kind: 'exercise'; title: string } | { kind: 'quiz' }, done: boolean): { label: string; state: string } {
  return item.kind === 'exercise'
    ? { label: `Exercise “${item.title}”`, state: done ? 'passed' : 'not passed yet' }
    : { label: 'Knowledge check', state: done ? 'answered' : 'not answered yet' };
}

/** One checklist item: what it is, where it is on the page, whether it is done. */
function item(doc: Document, done: boolean, label: string, href: string | null, state: string): HTMLLIElement {
  const li = doc.createElement('li');
  li.dataset['done'] = String(done);
  const icon = doc.createElement('span');
  icon.className = 'fd-check-icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = done ? '✓' : '○';
  const name = doc.createElement(href ? 'a' : 'span');
  if (href) name.setAttribute('href', href);
  name.textContent = label;
  // One text box beside the icon, so the line wraps as text rather than as separate pieces.
  const text = doc.createElement('span');
  text.append(name, doc.createTextNode(`: ${state}`));
  li.append(icon, text);
  return li;
}

/** The lesson page's "To finish this page" list, from what the store knows about the lesson. */
function renderChecklists(store: ProgressStore, progress: ReturnType<ProgressStore['read']>, doc: Document): void {
  for (const section of doc.querySelectorAll<HTMLElement>('[data-progress-checklist]')) {
    const slug = section.dataset['progressChecklist'] ?? '';
    const list = section.querySelector('[data-checklist-items]');
    if (!list) continue;
    const { exercises, quizzes } = store.checklist(slug, progress);
    const items = [
      ...exercises.map(({ id, done }) => {
        const title = doc.getElementById(id)?.querySelector('.fd-pg-title, .fd-lab-title')?.textContent?.trim() ?? id;
        const { label, state } = checklistWords({ kind: 'exercise', title }, done);
        return item(doc, done, label, doc.getElementById(id) ? `#${id}` : null, state);
      }),
      ...quizzes.map(({ id, done }) => {
        const quiz = doc.querySelector<HTMLElement>(`[${PROGRESS_ATTRS.quiz}="${CSS.escape(id)}"]`);
        const { label, state } = checklistWords({ kind: 'quiz' }, done);
        return item(doc, done, label, quiz?.id ? `#${quiz.id}` : null, state);
      }),
    ];
    list.replaceChildren(...items);
    section.hidden = items.length === 0;
  }
}

/** The home page's "Continue where you left off" link. */
function renderContinue(
  store: ProgressStore,
  progress: ReturnType<ProgressStore['read']>,
  lessons: readonly string[],
  base: string,
  doc: Document,
): void {
  for (const holder of doc.querySelectorAll<HTMLElement>('[data-continue]')) {
    const link = holder.querySelector('a');
    const titles = JSON.parse(holder.dataset['titles'] ?? '{}') as Record<string, string>;
    const slug = store.resumeAt(lessons, progress);
    holder.hidden = slug === null;
    if (!link || slug === null) continue;
    link.href = `${base.replace(/\/?$/, '/')}${slug}/`;
    const title = link.querySelector('[data-continue-title]');
    if (title) title.textContent = titles[slug] ?? slug;
  }
}
