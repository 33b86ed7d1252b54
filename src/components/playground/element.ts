import { checks, feedbackFor, type Feedback } from '../../runtime/checks.ts';
import { whenNeeded } from '../../runtime/editor/lazy.ts';
import { loadMonaco } from '../../runtime/editor/monaco.ts';
import { textareaSurface, type CodeSurface } from '../../runtime/editor/surface.ts';
import { forgetCode, loadCode, saveCode } from '../../runtime/progress/playground.ts';
import { slugOf } from '../../runtime/progress/page.ts';
import { PAGE_EVENTS } from '../../runtime/events.ts';
import { ProgressStore } from '../../runtime/progress/store.ts';
import { browserStorage } from '../../runtime/storage.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { createSandboxWorker } from '../../runtime/runner/create-worker.ts';
import { wrapLearnerCode } from '../../runtime/runner/errors.ts';
import { Run, type RunClient } from '../../runtime/runner/runner.ts';
import { prepareJavaScript, type Prepared } from '../../runtime/runner/prepare.ts';
import { currentCompanionOrigin, healthUrl, rewriteNote } from '../../runtime/server-address.ts';
import { defineElement } from '../define.ts';
import { fileFor, type PlaygroundConfig, type PlaygroundFile } from './config.ts';
import { COMPANION_DOWN_TEXT, PREPARING_TS_TEXT, STILL_RUNNING_TEXT } from './texts.ts';

/**
 * <fd-playground>: the behaviour of Playground.astro. It works before Monaco
 * arrives (plain textareas), upgrades to Monaco when the playground comes
 * near the viewport or is used, runs the code in sandbox workers, shows each
 * client's output, and is the RecordSource the live diagram subscribes to.
 */

const MAX_LINES = 1_000;
/** How often the page asks /health, so a companion that stops mid-session shows within seconds. */
const HEALTH_POLL_MS = 3_000;
const HEALTH_TIMEOUT_MS = 5_000;
/** A run quiet this long while still running gets a note on how to end it. */
const QUIET_NOTE_MS = 3_000;

type Listener = (event: ClientEvent | null) => void;
type ServerState = 'up' | 'down';

let lastHealth: { at: number; answer: Promise<boolean> } | null = null;
/** The last answer /health gave; what a timed-out question falls back to. */
let lastKnownUp = true;

/**
 * One watcher per page: while any playground is on the page and the tab is
 * visible, /health is asked every few seconds and every playground hears the
 * answer, so a companion stopped mid-session shows without pressing Run.
 */
const watchers = new Set<(up: boolean) => void>();
let pollTimer = 0;

function pollHealth(): void {
  clearTimeout(pollTimer);
  if (watchers.size === 0) return;
  pollTimer = window.setTimeout(async () => {
    if (document.visibilityState === 'visible') {
      const up = await serverReachable();
      for (const watcher of watchers) watcher(up);
    }
    pollHealth();
  }, HEALTH_POLL_MS);
}

function watchHealth(watcher: (up: boolean) => void): () => void {
  watchers.add(watcher);
  if (watchers.size === 1) pollHealth();
  return () => {
    watchers.delete(watcher);
    if (watchers.size === 0) clearTimeout(pollTimer);
  };
}

function courseProgress(): ProgressStore | null {
  const store = browserStorage();
  return store ? new ProgressStore(store) : null;
}

/** Asks /health; playgrounds on one page share an answer for a second. */
function serverReachable(): Promise<boolean> {
  const now = performance.now();
  if (lastHealth && now - lastHealth.at < 1_000) return lastHealth.answer;
  const answer = askHealth();
  void answer.then((up) => (lastKnownUp = up));
  lastHealth = { at: now, answer };
  return lastHealth.answer;
}

async function askHealth(): Promise<boolean> {
  const url = healthUrl(currentCompanionOrigin());
  // Under `npm run dev` the server is another origin (8080 vs 4321). An opaque
  // no-cors answer still proves it is up, without the server having to send CORS headers.
  const crossOrigin = new URL(url).origin !== location.origin;
  try {
    const response = await fetch(url, { cache: 'no-store', mode: crossOrigin ? 'no-cors' : 'cors', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    if (response.type === 'opaque') return true;
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: unknown };
    return body.status === 'ok';
  } catch (error) {
    // A stopped server refuses at once. A slow answer is a busy machine, not a missing
    // server: saying "not running" then would block Run for nothing.
    if (error instanceof DOMException && error.name === 'TimeoutError') return lastKnownUp;
    return false;
  }
}

function freshTag(id: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${id}-${Array.from(random, (n) => n.toString(36)).join('')}`;
}

export class PlaygroundElement extends HTMLElement implements RecordSource {
  #config!: PlaygroundConfig;
  #surfaces = new Map<string, CodeSurface>();
  #logs = new Map<string, HTMLElement>();
  #pending = new Map<string, HTMLElement[]>();
  #frame = 0;
  #listeners = new Set<Listener>();
  #events: ClientEvent[] = [];
  #tag: string | null = null;
  #run: Run | null = null;
  #showingSolution = false;
  /** Whether the run in progress (or the last one) ran the solution: that earns no credit. */
  #ranSolution = false;
  #passed = false;
  #unwatchHealth: (() => void) | null = null;
  #serverUp: boolean | null = null;
  #quietTimer = 0;
  #lastEventAt = 0;
  #noted = new Set<string>();
  #onProgressChanged = (): void => this.#readPassed();
  // Leaving the page ends the run, as it ends a lab's server: a page kept in the back-forward cache
  // would come back with its sockets closed under the learner's code, mid-run.
  #onPageHide = (): void => {
    if (this.#run) this.stop('left');
  };
  #stopLazy: (() => void) | null = null;
  #upgradeDone!: () => void;
  /** Settles when Monaco has replaced the textareas (or failed to load, leaving them). */
  #upgraded = new Promise<void>((resolve) => (this.#upgradeDone = resolve));
  /** Bumped by every Run and Stop, so a run still being prepared knows it was superseded. */
  #generation = 0;
  #checkPending = false;

  get tag(): string | null {
    return this.#tag;
  }

  get events(): readonly ClientEvent[] {
    return this.#events;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connectedCallback(): void {
    if (this.#surfaces.size > 0) return;
    const json = this.querySelector<HTMLScriptElement>('script[data-config]')?.textContent ?? '';
    this.#config = JSON.parse(json) as PlaygroundConfig;
    const store = browserStorage();
    for (const file of this.#config.files) {
      const textarea = this.#part<HTMLTextAreaElement>(`textarea[data-file="${file.key}"]`);
      const saved = store ? loadCode(store, this.id, file.key) : null;
      if (saved !== null) textarea.value = saved;
      this.#surfaces.set(file.key, textareaSurface(textarea, this.#surfaceOptions(file)));
    }
    for (const client of this.#config.clients) this.#logs.set(client, this.#part(`[data-log="${client}"]`));
    this.#button('run').addEventListener('click', () => void this.run());
    this.#button('stop').addEventListener('click', () => this.stop());
    this.#button('reset').addEventListener('click', () => this.reset());
    this.querySelector('[data-action="solution"]')?.addEventListener('click', () => this.toggleSolution());
    const diagram = this.#part<HTMLAnchorElement>('[data-diagram-link]');
    diagram.hidden = document.getElementById(`${this.id}-diagram`) === null;
    this.#readPassed();
    document.addEventListener(PAGE_EVENTS.progressChanged, this.#onProgressChanged);
    window.addEventListener('pagehide', this.#onPageHide);
    this.#stopLazy = whenNeeded(this, () => void this.#upgrade());
    if (this.#config.lang === 'ts') this.#warmTypeScript();
    void serverReachable().then((up) => this.#showServer(up));
    this.#unwatchHealth = watchHealth((up) => this.#showServer(up));
  }

  disconnectedCallback(): void {
    this.#run?.stop();
    this.#stopLazy?.();
    this.#unwatchHealth?.();
    clearTimeout(this.#quietTimer);
    document.removeEventListener(PAGE_EVENTS.progressChanged, this.#onProgressChanged);
    window.removeEventListener('pagehide', this.#onPageHide);
  }

  /** The passed mark comes from the course progress, so "Reset progress" clears it too. */
  #readPassed(): void {
    if (!this.#config.check) return;
    const passed = courseProgress()?.exercisePassed(this.id) ?? false;
    if (passed === this.#passed) return;
    this.#passed = passed;
    if (passed) this.#setCheck({ state: 'passed', headline: 'Check passed earlier. Run again any time.', items: [] });
    else this.#setCheck(null);
  }

  /** Stops any run in progress, then runs every client's current code. */
  async run(): Promise<void> {
    this.stop();
    const generation = this.#generation;
    this.#tag = freshTag(this.id);
    this.#events = [];
    for (const listener of this.#listeners) listener(null);
    for (const log of this.#logs.values()) log.replaceChildren();
    for (const surface of this.#surfaces.values()) surface.clearMarks();
    this.#noted.clear();
    this.#ranSolution = this.#showingSolution;
    if (!this.#passed) this.#setCheck(null);
    this.#button('stop').disabled = false;

    // TypeScript is transpiled while /health answers, not after.
    const preparing = this.#prepare();
    void preparing.catch(() => {}); // Reported below, once the server is known to be up.
    const serverUp = await serverReachable();
    if (generation !== this.#generation) return;
    this.#showServer(serverUp);
    if (!serverUp) {
      for (const client of this.#config.clients) this.#print(client, COMPANION_DOWN_TEXT, 'error');
      // The page came from the companion (npm start): without it the sandbox cannot even load.
      // Under `npm run dev` the site is served apart, so code that needs no server may still run.
      if (!import.meta.env.DEV) {
        this.#button('stop').disabled = true;
        return;
      }
    }

    if (this.#config.lang === 'ts') for (const client of this.#config.clients) this.#print(client, PREPARING_TS_TEXT, 'system');
    let prepared: Map<string, Prepared>;
    try {
      prepared = await preparing;
    } catch (error) {
      for (const client of this.#config.clients) this.#print(client, `Could not prepare the code: ${String(error)}`, 'error');
      this.#button('stop').disabled = true;
      return;
    }
    if (generation !== this.#generation) return;
    const clients: RunClient[] = this.#config.clients.map((name) => {
      const code = prepared.get(fileFor(this.#config, name).key) as Prepared;
      return { name, code: wrapLearnerCode(code.js), mapPosition: code.mapPosition };
    });
    const run = new Run(
      { clients, companion: currentCompanionOrigin(), tag: this.#tag },
      {
        createWorker: createSandboxWorker,
        now: () => performance.timeOrigin + performance.now(),
        onEvent: (event) => this.#record(event),
        onEnd: () => this.#ended(run),
      },
    );
    this.#run = run;
    this.#lastEventAt = performance.now();
    run.start();
    this.#quietSoon();
  }

  /**
   * A run that has gone quiet but has not ended (a socket left open, a
   * timer) says so, with how to finish, instead of leaving the Output as it is.
   */
  #quietSoon(wait = QUIET_NOTE_MS): void {
    clearTimeout(this.#quietTimer);
    const run = this.#run;
    if (!run) return;
    this.#quietTimer = window.setTimeout(() => {
      if (this.#run !== run) return;
      const quietFor = performance.now() - this.#lastEventAt;
      if (quietFor < QUIET_NOTE_MS) {
        this.#quietSoon(QUIET_NOTE_MS - quietFor);
        return;
      }
      for (const client of this.#config.clients) this.#print(client, STILL_RUNNING_TEXT, 'system');
      if (this.#config.check && !this.#passed) {
        this.#setCheck({ state: 'running', headline: 'Still running. Press Stop to end the run and check it.', items: [] });
      }
    }, wait);
  }

  stop(reason: 'stopped' | 'left' = 'stopped'): void {
    this.#generation += 1;
    if (this.#run) this.#run.stop(reason);
    else this.#button('stop').disabled = true;
  }

  reset(): void {
    const changed = this.#config.files.some((file) => this.#learnerCode(file) !== file.starter);
    if (changed && !window.confirm('Replace your code with the starter code? Your changes will be lost.')) return;
    if (this.#showingSolution) this.toggleSolution();
    const store = browserStorage();
    for (const file of this.#config.files) {
      this.#surface(file.key).setValue(file.starter);
      if (store) forgetCode(store, this.id, file.key);
    }
  }

  /**
   * What the editor's language service reports for each file as shown now
   * (the learner's code, or the solution while it is shown), keyed by file.
   * Resolves once Monaco has loaded; the plain textareas report nothing.
   */
  async problems(): Promise<Record<string, string[]>> {
    await this.#upgraded;
    const out: Record<string, string[]> = {};
    for (const file of this.#config.files) out[file.key] = await this.#surface(file.key).problems();
    return out;
  }

  /** Shows the solution read-only, or brings the learner's code back: never overwrites it. */
  toggleSolution(): void {
    const button = this.querySelector<HTMLButtonElement>('[data-action="solution"]');
    if (!button) return;
    const store = browserStorage();
    // Read the learner's code before the flag flips: it decides where the code lives.
    const mine = new Map(this.#config.files.map((file) => [file.key, this.#learnerCode(file, store)]));
    this.#showingSolution = !this.#showingSolution;
    button.setAttribute('aria-pressed', String(this.#showingSolution));
    for (const file of this.#config.files) {
      const surface = this.#surface(file.key);
      surface.setValue(this.#showingSolution ? (file.solution ?? file.starter) : (mine.get(file.key) ?? file.starter));
      surface.setReadOnly(this.#showingSolution);
    }
    this.#part('[data-solution-note]').hidden = !this.#showingSolution;
  }

  #learnerCode(file: PlaygroundFile, store = browserStorage()): string {
    if (!this.#showingSolution) return this.#surface(file.key).getValue();
    return (store ? loadCode(store, this.id, file.key) : null) ?? file.starter;
  }

  #surfaceOptions(file: PlaygroundFile) {
    return {
      label: file.label,
      language: this.#config.lang,
      path: `${this.id}/${file.key}`,
      onChange: (code: string) => {
        const store = browserStorage();
        if (!this.#showingSolution && store) saveCode(store, this.id, file.key, code);
      },
      onRun: () => void this.run(),
    };
  }

  async #upgrade(): Promise<void> {
    let monaco: Awaited<ReturnType<typeof loadMonaco>>;
    try {
      monaco = await loadMonaco();
    } catch {
      this.#upgradeDone();
      return; // The textareas keep working.
    }
    for (const file of this.#config.files) {
      const textarea = this.#part<HTMLTextAreaElement>(`textarea[data-file="${file.key}"]`);
      const host = this.#part<HTMLElement>(`[data-editor="${file.key}"]`);
      const old = this.#surface(file.key);
      const hadFocus = document.activeElement === textarea;
      host.hidden = false;
      const surface = monaco.monacoSurface(host, old.getValue(), this.#surfaceOptions(file));
      surface.setReadOnly(this.#showingSolution);
      old.dispose();
      textarea.hidden = true;
      this.#surfaces.set(file.key, surface);
      if (hadFocus) surface.focus();
    }
    this.#upgradeDone();
  }

  /**
   * Run strips TypeScript's types with a small chunk (runtime/runner/
   * transpile.ts and Sucrase) fetched on first use. It is fetched and run
   * once ahead: when the page is idle after the editor arrives, or at once
   * when the learner enters the playground, whichever comes first. A Run
   * before it finishes waits for the same import.
   */
  #warmTypeScript(): void {
    let started = false;
    const warm = (): void => {
      if (started) return;
      started = true;
      this.removeEventListener('focusin', warm);
      const file = this.#config.files[0];
      if (!file) return;
      void this.#transpile(file, this.#surface(file.key).getValue())
        .then(() => (this.dataset['typescript'] = 'ready'))
        .catch(() => {});
    };
    this.addEventListener('focusin', warm);
    void this.#upgraded.then(() => {
      if (typeof requestIdleCallback === 'function') requestIdleCallback(warm, { timeout: 2_000 });
      else setTimeout(warm, 500);
    });
  }

  async #transpile(file: PlaygroundFile, code: string): Promise<Prepared> {
    const { prepareTypeScript } = await import('../../runtime/runner/transpile.ts');
    return prepareTypeScript(code, `${this.id}/${file.key}.ts`);
  }

  async #prepare(): Promise<Map<string, Prepared>> {
    const out = new Map<string, Prepared>();
    for (const file of this.#config.files) {
      const code = this.#surface(file.key).getValue();
      out.set(file.key, this.#config.lang === 'js' ? prepareJavaScript(code) : await this.#transpile(file, code));
    }
    return out;
  }

  #record(event: ClientEvent): void {
    this.#events.push(event);
    for (const listener of this.#listeners) listener(event);
    this.#lastEventAt = performance.now();
    switch (event.kind) {
      case 'create': {
        // Say where the course's address really goes, once per client and run, where it happens.
        const note = rewriteNote(event.url, currentCompanionOrigin());
        if (note && !this.#noted.has(event.client)) {
          this.#noted.add(event.client);
          this.#print(event.client, note, 'system');
        }
        break;
      }
      case 'console':
        this.#print(event.client, event.text, event.level);
        break;
      case 'uncaught': {
        const where = event.line === null ? '' : ` (line ${event.line}${event.column === null ? '' : `, column ${event.column}`})`;
        this.#print(event.client, `Uncaught error${where}: ${event.message}`, 'error');
        if (event.line !== null) {
          const file = fileFor(this.#config, event.client);
          this.#surface(file.key).markError(event.line, event.column, event.message);
        }
        break;
      }
      case 'run-end':
        if (event.reason === 'crashed') void this.#explainCrash(event.client);
        else this.#print(event.client, RUN_END_TEXT[event.reason], 'system');
        break;
      default:
        break;
    }
    // Checks read the whole run, so they are evaluated once per frame, not per event.
    if (this.#config.check && !this.#checkPending) {
      this.#checkPending = true;
      this.#schedule();
    }
  }

  #ended(run: Run): void {
    if (this.#run !== run) return;
    this.#run = null;
    clearTimeout(this.#quietTimer);
    this.#button('stop').disabled = true;
    this.#evaluateCheck(true);
  }

  #evaluateCheck(final: boolean): void {
    const name = this.#config.check;
    if (!name) return;
    const outcome = checks[name](this.#events);
    if (outcome.passed && this.#ranSolution) {
      // The solution shows what passing looks like; the mark is for the learner's own code.
      this.#setCheck({ state: 'solution', headline: 'The solution passes the check. Press Solution again to go back to your code: the exercise counts when your code passes.', items: [] });
      return;
    }
    if (outcome.passed) {
      if (!this.#passed) {
        this.#passed = true;
        const slug = slugOf(location.pathname, import.meta.env.BASE_URL);
        courseProgress()?.passExercise(slug, this.id);
        // Other components (the lesson's checklist, the sidebar) re-read the progress on these.
        this.dispatchEvent(new CustomEvent(PAGE_EVENTS.exercisePassed, { bubbles: true, detail: { id: this.id } }));
        document.dispatchEvent(new CustomEvent(PAGE_EVENTS.progressChanged));
      }
      this.#setCheck(feedbackFor(this.#events, outcome));
    } else if (final) {
      this.#setCheck(feedbackFor(this.#events, outcome));
    }
  }

  #setCheck(feedback: (Omit<Feedback, 'state'> & { state: Feedback['state'] | 'running' | 'solution' }) | null): void {
    const status = this.#part('[data-check-status]');
    if (!feedback) {
      status.replaceChildren();
      delete status.dataset['state'];
      return;
    }
    const headline = document.createElement('p');
    headline.textContent = feedback.headline;
    const parts: HTMLElement[] = [headline];
    if (feedback.items.length > 0) {
      const list = document.createElement('ul');
      for (const item of feedback.items) {
        const li = document.createElement('li');
        li.textContent = item;
        list.append(li);
      }
      parts.push(list);
    }
    status.replaceChildren(...parts);
    status.dataset['state'] = feedback.state;
  }

  #print(client: string, text: string, level: string): void {
    const line = document.createElement('div');
    line.className = `fd-line fd-${level}`;
    line.textContent = text;
    const queue = this.#pending.get(client) ?? [];
    queue.push(line);
    this.#pending.set(client, queue);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  /** Output is written once per frame, so a chatty loop cannot flood the page. */
  #flush(): void {
    this.#frame = 0;
    if (this.#checkPending) {
      this.#checkPending = false;
      this.#evaluateCheck(false);
    }
    for (const [client, lines] of this.#pending) {
      const log = this.#logs.get(client);
      if (!log) continue;
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(...lines.slice(-MAX_LINES));
      while (log.childElementCount > MAX_LINES) log.firstElementChild?.remove();
      if (atBottom) log.scrollTop = log.scrollHeight;
    }
    this.#pending.clear();
  }

  /** A sandbox that fails to start is most often a companion that has gone: the page's files come from it. */
  async #explainCrash(client: string): Promise<void> {
    lastHealth = null;
    const up = await serverReachable();
    this.#showServer(up);
    if (up) this.#print(client, RUN_END_TEXT.crashed, 'system');
    else this.#print(client, COMPANION_DOWN_TEXT, 'error');
  }

  #showServer(up: boolean): void {
    if (up === this.#serverUp) return;
    this.#serverUp = up;
    const state: ServerState = up ? 'up' : 'down';
    const badge = this.#part('[data-server]');
    badge.textContent = up ? 'Server: connected' : 'Server: not running';
    badge.dataset['state'] = state;
    this.#part('[data-server-help]').hidden = up;
  }

  #surface(key: string): CodeSurface {
    const surface = this.#surfaces.get(key);
    if (!surface) throw new Error(`Playground ${this.id}: no editor for "${key}".`);
    return surface;
  }

  #button(action: string): HTMLButtonElement {
    return this.#part<HTMLButtonElement>(`[data-action="${action}"]`);
  }

  #part<T extends HTMLElement = HTMLElement>(selector: string): T {
    const element = this.querySelector<T>(selector);
    if (!element) throw new Error(`Playground ${this.id}: missing ${selector}.`);
    return element;
  }
}

const RUN_END_TEXT: Record<Extract<ClientEvent, { kind: 'run-end' }>['reason'], string> = {
  finished: 'Run finished.',
  stopped: 'Run stopped.',
  timeout: 'Run stopped: it took too long.',
  crashed: 'The sandbox crashed.',
  left: 'Run stopped: you left the page.',
};

defineElement('fd-playground', PlaygroundElement);
