import { CLASSROOM_PATHS, meResponseSchema, rosterSchema, type Roster, type RosterLearner } from '../../../protocol/classroom.ts';
import { latestRun, learnerLine, NOT_A_CLASS, problem, watchingLine } from '../../runtime/classroom/words.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { currentCompanionOrigin } from '../../runtime/server-address.ts';
import { defineElement } from '../define.ts';

/** How often the list of learners is asked for while the page is visible. */
const REFRESH_MS = 3000;

/**
 * <fd-teacher-desk>: the teacher key, the list of learners, and the learner
 * being watched. It is the live diagram's RecordSource: "Watch" makes a
 * learner's newest run its tag, and the diagram opens /inspect for it (the
 * teacher cookie lets it see any learner's run); when the learner runs again
 * the list shows a newer run and the diagram follows.
 */
export class TeacherDeskElement extends HTMLElement implements RecordSource {
  #tag: string | null = null;
  #listeners = new Set<(event: ClientEvent | null) => void>();
  #watching: { id: string; name: string } | null = null;
  #timer: number | null = null;
  #items = new Map<string, HTMLLIElement>();

  get tag(): string | null {
    return this.#tag;
  }

  get events(): readonly ClientEvent[] {
    return [];
  }

  subscribe(listener: (event: ClientEvent | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #part<T extends HTMLElement>(name: string): T {
    return this.querySelector(`[data-${name}]`) as T;
  }

  connectedCallback(): void {
    this.#part<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#open();
    });
    this.#part('refresh').addEventListener('click', () => void this.#load());
    this.#part('forget').addEventListener('click', () => void this.#forget());
    this.#part('learners').addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-watch]');
      if (button) this.#watch(button.dataset['watch'] ?? '', button.dataset['name'] ?? '');
    });
    void this.#start();
  }

  disconnectedCallback(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }

  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    try {
      const response = await fetch(`${currentCompanionOrigin()}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        credentials: 'same-origin',
      });
      return { status: response.status, json: response.status === 204 ? null : await response.json().catch(() => null) };
    } catch {
      return { status: 0, json: null };
    }
  }

  #say(text: string): void {
    this.#part('status').textContent = text;
  }

  #problem(text: string | null): void {
    const p = this.#part('problem');
    p.hidden = text === null;
    p.textContent = text ?? '';
  }

  async #start(): Promise<void> {
    const { status, json } = await this.#call('GET', CLASSROOM_PATHS.me);
    const me = meResponseSchema.safeParse(json);
    if (status !== 200 || !me.success) return this.#say(problem(status, json as Record<string, unknown> | null));
    if (!me.data.classroom) return this.#say(NOT_A_CLASS);
    if (me.data.teacher) return this.#opened();
    this.#say('Enter the teacher key the server printed when it started.');
    this.#part('key-form').hidden = false;
  }

  async #open(): Promise<void> {
    const input = this.#part<HTMLInputElement>('key');
    const { status, json } = await this.#call('POST', CLASSROOM_PATHS.teacherSession, { key: input.value });
    if (status !== 204) {
      this.#problem(problem(status, json as Record<string, unknown> | null));
      input.select();
      input.focus();
      return;
    }
    input.value = '';
    this.#problem(null);
    await this.#opened();
    this.#part('refresh').focus();
  }

  async #opened(): Promise<void> {
    this.#part('key-form').hidden = true;
    this.#part('roster').hidden = false;
    this.#say('The class is open on this page.');
    await this.#load();
    this.#timer ??= window.setInterval(() => {
      if (document.visibilityState === 'visible') void this.#load();
    }, REFRESH_MS);
  }

  async #forget(): Promise<void> {
    await this.#call('DELETE', CLASSROOM_PATHS.teacherSession);
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#part('roster').hidden = true;
    this.#part('key-form').hidden = false;
    this.#say('The key is forgotten in this browser. Enter it again to open the class.');
    this.#part<HTMLInputElement>('key').focus();
  }

  async #load(): Promise<void> {
    const { status, json } = await this.#call('GET', CLASSROOM_PATHS.learners);
    const roster = rosterSchema.safeParse(json);
    if (status !== 200 || !roster.success) {
      this.#problem(problem(status, json as Record<string, unknown> | null));
      if (status === 401 || status === 403) void this.#forget();
      return;
    }
    this.#problem(null);
    this.#render(roster.data);
  }

  #render(roster: Roster): void {
    const list = this.#part<HTMLUListElement>('learners');
    const connected = roster.learners.filter((l) => Object.values(l.connections).some((n) => n > 0)).length;
    this.#part('count').textContent =
      roster.learners.length === 0
        ? 'Nobody has signed in yet: give learners the address the server printed (…/classroom/).'
        : `${connected} of ${roster.learners.length} learners connected.`;
    const seen = new Set<string>();
    for (const learner of roster.learners) {
      seen.add(learner.id);
      const item = this.#items.get(learner.id) ?? this.#item(learner);
      (item.querySelector('.fd-learner-name') as HTMLElement).textContent = learner.name;
      (item.querySelector('.fd-learner-line') as HTMLElement).textContent = learnerLine(learner, roster.now);
      // Kept in the server's order (connected first); moving a node keeps its focus.
      list.append(item);
      if (this.#watching?.id === learner.id) this.#follow(learner);
    }
    for (const [id, item] of this.#items) {
      if (!seen.has(id)) {
        item.remove();
        this.#items.delete(id);
      }
    }
  }

  #item(learner: RosterLearner): HTMLLIElement {
    const li = document.createElement('li');
    const name = Object.assign(document.createElement('p'), { className: 'fd-learner-name' });
    const line = Object.assign(document.createElement('p'), { className: 'fd-learner-line' });
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Watch' });
    button.dataset['watch'] = learner.id;
    button.dataset['name'] = learner.name;
    button.setAttribute('aria-label', `Watch ${learner.name}`);
    button.setAttribute('aria-pressed', 'false');
    li.append(name, line, button);
    this.#items.set(learner.id, li);
    return li;
  }

  #watch(id: string, name: string): void {
    this.#watching = { id, name };
    for (const [other, li] of this.#items) {
      const current = other === id;
      li.toggleAttribute('data-current', current);
      li.querySelector('button')?.setAttribute('aria-pressed', String(current));
    }
    this.#tag = null;
    this.#part('watching').textContent = watchingLine(name, null);
    void this.#load();
  }

  /** Points the diagram at the watched learner's newest run when it changed. */
  #follow(learner: RosterLearner): void {
    const run = latestRun(learner);
    this.#part('watching').textContent = watchingLine(learner.name, run);
    if (run === this.#tag) return;
    this.#tag = run;
    for (const listener of this.#listeners) listener(null);
  }
}

defineElement('fd-teacher-desk', TeacherDeskElement);
