import { whenNeeded } from '../../runtime/editor/lazy.ts';
import { loadMonaco } from '../../runtime/editor/monaco.ts';
import { textareaSurface, type CodeSurface, type SurfaceOptions } from '../../runtime/editor/surface.ts';
import { LAB_LANGUAGE_NAMES, LabStore, OUTPUT_LINES, type LabContent, type LabLanguage, type LabState, type Verdict } from '../../runtime/lab/store.ts';
import { caseText, checkingText, codeSpans, verdictHeading } from '../../runtime/lab/words.ts';
import { slugOf } from '../../runtime/progress/page.ts';
import { PAGE_EVENTS } from '../../runtime/events.ts';
import { ProgressStore } from '../../runtime/progress/store.ts';
import { browserStorage } from '../../runtime/storage.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { labRunEnd } from '../../runtime/diagram/status.ts';
import { currentCompanionOrigin } from '../../runtime/server-address.ts';
import { createSandboxWorker } from '../../runtime/runner/create-worker.ts';
import { wrapLearnerCode } from '../../runtime/runner/errors.ts';
import { prepareJavaScript } from '../../runtime/runner/prepare.ts';
import { Run } from '../../runtime/runner/runner.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-server-lab>: the behaviour of ServerLab.astro. It renders the LabStore's
 * state and sends the buttons to its actions; it is the RecordSource the live
 * diagram follows (a fresh tag per Run, the check's clients carry it).
 * Works before Monaco arrives (a plain textarea) and upgrades when near.
 *
 * The learner's own client runs in the playgrounds' sandbox (runtime/runner)
 * as one client named CLIENT, tagged `<run tag>.you` like the check's
 * clients, so the diagram draws its frames from the server's wire view; its
 * console lines join the Output, ordered by time with the server's.
 */

const MAX_LINES = OUTPUT_LINES;
/** The learner's client in the sandbox, the inspector tag and the diagram's lane. */
const CLIENT = 'you';
const CLIENT_LABEL = 'your client';

/** One line of the Output: the server's (from the companion) or the learner's client's. */
interface OutputLine {
  time: number;
  level: string;
  text: string;
  line: number | null;
  client: boolean;
}

const CLIENT_END: Record<Extract<ClientEvent, { kind: 'run-end' }>['reason'], string> = {
  finished: 'finished: every socket closed and nothing left to run.',
  stopped: 'stopped.',
  timeout: 'stopped: it ran too long.',
  crashed: 'its sandbox failed; press Run your client again.',
  left: 'stopped: you left the page.',
};
/** The lab server ended by itself (a crash, process.exit, a watchdog): it runs no more, and its log says why. */
const ENDED_TEXT = 'Your server has stopped by itself: the Output says why. Fix it, then press Run again.';
const PHASE_TEXT: Record<LabState['phase'], string> = {
  idle: '',
  starting: 'Starting your server…',
  checking: 'Your server is running; the check’s clients are talking to it…',
  running: 'Your server is still running (Stop ends it).',
  stopping: 'Stopping your server…',
  stopped: 'Stopped: your server and its connections are closed.',
  left: 'Your server was stopped when you left the page. Press Run to start it again.',
};

export class ServerLabElement extends HTMLElement implements RecordSource {
  #store!: LabStore;
  #surface!: CodeSurface;
  #listeners = new Set<(event: ClientEvent | null) => void>();
  #tag: string | null = null;
  #passed = false;
  #stopLazy: (() => void) | null = null;
  #onPageHide = (): void => {
    this.#stopClient('left');
    this.#store.leave();
  };
  #onLanguage = (event: Event): void => {
    const detail = (event as CustomEvent<{ language: LabLanguage; from: EventTarget }>).detail;
    if (detail.from !== this) void this.#store.follow(detail.language);
  };
  #rendered: LabState | null = null;
  #monaco: Awaited<ReturnType<typeof loadMonaco>> | null = null;
  /** Whether the current check's end has been told to the live diagram. */
  #runEnded = false;
  /** Whether the current server ran the check (a server started for the learner's client alone did not). */
  #checked = false;
  #clientSurface!: CodeSurface;
  #clientRun: Run | null = null;
  #clientLines: OutputLine[] = [];
  /** Bumped by every client run and Stop, so a run still waiting for its server knows it was superseded. */
  #clientGeneration = 0;

  get tag(): string | null {
    return this.#tag;
  }

  /** The lab's frames all come from the server's wire view; the page itself sends none. */
  get events(): readonly ClientEvent[] {
    return [];
  }

  subscribe(listener: (event: ClientEvent | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connectedCallback(): void {
    if (this.#store) return;
    const content = JSON.parse(this.querySelector('script[data-config]')?.textContent ?? '{}') as LabContent;
    this.#store = new LabStore(content, {
      fetch: (input, init) => window.fetch(input, init),
      origin: currentCompanionOrigin(),
      storage: browserStorage(),
      progress: (() => {
        const store = browserStorage();
        if (!store) return null;
        const course = new ProgressStore(store);
        return {
          passed: (key: string) => course.exercisePassed(key),
          pass: (key: string) => course.passExercise(slugOf(location.pathname, import.meta.env.BASE_URL), key),
        };
      })(),
      now: () => new Date(),
      every: (ms, fn) => {
        const timer = window.setInterval(fn, ms);
        return () => window.clearInterval(timer);
      },
      newTag: () => `${this.id}-${Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('')}`,
    });
    this.#passed = this.#store.state.passed;
    const textarea = this.#part<HTMLTextAreaElement>('[data-textarea]');
    textarea.value = this.#store.state.code;
    this.#surface = textareaSurface(textarea, this.#surfaceOptions());
    const clientTextarea = this.#part<HTMLTextAreaElement>('[data-client-textarea]');
    clientTextarea.value = this.#store.state.clientCode;
    this.#clientSurface = textareaSurface(clientTextarea, this.#clientOptions());
    this.#button('run').addEventListener('click', () => void this.#store.run());
    this.#button('stop').addEventListener('click', () => {
      this.#stopClient();
      void this.#store.stop();
    });
    this.#button('client').addEventListener('click', () => this.#showClient(this.#button('client').getAttribute('aria-expanded') !== 'true'));
    this.#button('run-client').addEventListener('click', () => void this.#runClient());
    this.#button('reset-client').addEventListener('click', () => this.#resetClient());
    // A client the learner has written is shown on arrival; the starter waits behind "Your client".
    if (this.#store.clientChanged) this.#showClient(true);
    this.#button('reset').addEventListener('click', () => this.#reset());
    this.#button('solution').addEventListener('click', () => this.#store.solve());
    this.#button('hint').addEventListener('click', () => this.#store.hint());
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-languages] [data-language]')) {
      button.addEventListener('click', () => {
        const language = button.dataset['language'] as LabLanguage;
        void this.#store.setLanguage(language);
        // The choice is the site's: the other labs on this page follow at once, not on the next load.
        document.dispatchEvent(new CustomEvent(PAGE_EVENTS.labLanguage, { detail: { language, from: this } }));
      });
    }
    document.addEventListener(PAGE_EVENTS.labLanguage, this.#onLanguage);
    this.#store.subscribe((state) => this.#render(state));
    this.#render(this.#store.state);
    // Leaving the page ends the learner's server: pagehide fires on close, navigation and bfcache.
    window.addEventListener('pagehide', this.#onPageHide);
    this.#stopLazy = whenNeeded(this, () => void this.#upgrade());
  }

  disconnectedCallback(): void {
    window.removeEventListener('pagehide', this.#onPageHide);
    document.removeEventListener(PAGE_EVENTS.labLanguage, this.#onLanguage);
    this.#stopLazy?.();
    this.#stopClient();
    this.#store.leave();
  }

  #clientOptions(): SurfaceOptions {
    return {
      label: 'Your client (JavaScript)',
      language: 'js',
      path: `${this.id}/client.js`,
      onChange: (code) => this.#store.editClient(code),
      onRun: () => void this.#runClient(),
    };
  }

  #showClient(open: boolean): void {
    this.#part('[data-client]').hidden = !open;
    this.#button('client').setAttribute('aria-expanded', String(open));
    if (open) void this.#upgradeClient();
  }

  /** The client's editor becomes Monaco once Monaco is here and the client is shown. */
  async #upgradeClient(): Promise<void> {
    const monaco = this.#monaco;
    const host = this.#part('[data-client-editor]');
    if (!monaco || !host.hidden || this.#part('[data-client]').hidden) return;
    const textarea = this.#part<HTMLTextAreaElement>('[data-client-textarea]');
    const hadFocus = document.activeElement === textarea;
    host.hidden = false;
    const surface = monaco.monacoSurface(host, this.#clientSurface.getValue(), this.#clientOptions());
    this.#clientSurface.dispose();
    textarea.hidden = true;
    this.#clientSurface = surface;
    if (hadFocus) surface.focus();
  }

  #resetClient(): void {
    if (this.#store.clientChanged && !window.confirm('Replace your client with the starter code? Your changes will be lost.')) return;
    this.#store.resetClient();
  }

  #stopClient(reason: 'stopped' | 'left' = 'stopped'): void {
    this.#clientGeneration += 1;
    this.#clientRun?.stop(reason);
    this.#clientRun = null;
  }

  /**
   * Runs the learner's client against a server running the code shown
   * (started now, without the check, when none is), in the same sandbox
   * the playgrounds use, with the server's address as LAB_URL.
   */
  async #runClient(): Promise<void> {
    this.#stopClient();
    const generation = this.#clientGeneration;
    this.#clientLines = [];
    this.#clientSurface.clearMarks();
    this.#renderLog(this.#store.state);
    const url = await this.#store.serve();
    if (generation !== this.#clientGeneration) return;
    const { tag } = this.#store.state;
    if (url === null || tag === null) {
      this.#clientSay('error', 'not run: your server is not running (see above why), so there is nothing to connect to.');
      return;
    }
    const prepared = prepareJavaScript(this.#clientSurface.getValue());
    const run = new Run(
      { clients: [{ name: CLIENT, code: wrapLearnerCode(prepared.js), mapPosition: prepared.mapPosition }], companion: currentCompanionOrigin(), tag, globals: { LAB_URL: url } },
      {
        createWorker: createSandboxWorker,
        now: () => performance.timeOrigin + performance.now(),
        onEvent: (event) => this.#clientEvent(event, run),
      },
    );
    this.#clientRun = run;
    this.#clientSay('system', `connecting to your server (LAB_URL = ${url}).`);
    run.start();
  }

  #clientEvent(event: ClientEvent, run: Run): void {
    if (event.kind === 'console') this.#clientSay(event.level, event.text);
    else if (event.kind === 'uncaught') {
      this.#clientSay('error', `uncaught error: ${event.message}`, event.line);
      if (event.line !== null) this.#clientSurface.markError(event.line, event.column, event.message);
    } else if (event.kind === 'run-end') {
      if (this.#clientRun === run) this.#clientRun = null;
      this.#clientSay('system', CLIENT_END[event.reason]);
    }
    // The diagram draws what only the browser sees (a refused handshake's error) from these; the lab's end is the check's, not this client's.
    if (event.kind !== 'run-end') for (const listener of this.#listeners) listener(event);
  }

  #clientSay(level: string, text: string, line: number | null = null): void {
    this.#clientLines.push({ time: Date.now(), level, text, line, client: true });
    if (this.#clientLines.length > MAX_LINES) this.#clientLines.shift();
    this.#renderLog(this.#store.state);
  }

  #surfaceOptions(): SurfaceOptions {
    const language = this.#store.state.language;
    return {
      label: `Your server (${LAB_LANGUAGE_NAMES[language]})`,
      language,
      path: `${this.id}/server`,
      onChange: (code) => this.#store.edit(code),
      onRun: () => void this.#store.run(),
    };
  }

  async #upgrade(): Promise<void> {
    let monaco: Awaited<ReturnType<typeof loadMonaco>>;
    try {
      monaco = await loadMonaco();
    } catch {
      return; // The textarea keeps working.
    }
    this.#monaco = monaco;
    const textarea = this.#part<HTMLTextAreaElement>('[data-textarea]');
    const host = this.#part('[data-editor]');
    const hadFocus = document.activeElement === textarea;
    host.hidden = false;
    if (this.#store.state.language === 'ts') await monaco.useNodeTypes().catch(() => undefined);
    const surface = monaco.monacoSurface(host, this.#store.state.code, this.#surfaceOptions());
    this.#surface.dispose();
    textarea.hidden = true;
    this.#surface = surface;
    this.#rendered = null;
    this.#render(this.#store.state);
    if (hadFocus) surface.focus();
    await this.#upgradeClient();
  }

  /** A new language needs a new editor model (Monaco's language is the model's). */
  async #switchSurface(): Promise<void> {
    const monaco = this.#monaco;
    if (!monaco) return; // The textarea has no language: render() already set its text.
    if (this.#store.state.language === 'ts') await monaco.useNodeTypes().catch(() => undefined);
    const host = this.#part('[data-editor]');
    this.#surface.dispose();
    host.replaceChildren();
    this.#surface = monaco.monacoSurface(host, this.#store.state.code, this.#surfaceOptions());
    this.#rendered = null;
    this.#render(this.#store.state);
  }

  #renderLanguage(state: LabState): void {
    const language = state.language;
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-languages] [data-language]')) {
      button.setAttribute('aria-pressed', String(button.dataset['language'] === language));
    }
    this.#part('[data-code-label]').textContent = `Your server (${LAB_LANGUAGE_NAMES[language]})`;
    this.#part('[data-textarea]').setAttribute('aria-label', `Your server (${LAB_LANGUAGE_NAMES[language]})`);
    const { hints, note } = this.#store.variant;
    const pitfall = this.#part('[data-pitfall]');
    pitfall.hidden = !note;
    pitfall.replaceChildren(...(note ? withCode(note) : []));
    this.#part('[data-hints]').replaceChildren(
      ...hints.map((hint) => {
        const li = document.createElement('li');
        li.hidden = true;
        li.append(...withCode(hint));
        return li;
      }),
    );
  }

  #reset(): void {
    if (this.#store.changed && !window.confirm('Replace your server with the starter code? Your changes will be lost.')) return;
    this.#store.reset();
  }

  #render(state: LabState): void {
    const before = this.#rendered;
    this.#rendered = state;
    if (state.tag !== before?.tag) {
      this.#tag = state.tag;
      this.#runEnded = false;
      this.#checked = false;
      for (const listener of this.#listeners) listener(null);
    }
    if (before !== null && state.language !== before.language) {
      this.#renderLanguage(state);
      void this.#switchSurface();
    } else if (before === null && state.language !== 'lua') {
      this.#renderLanguage(state);
    }
    if (state.phase === 'checking') this.#checked = true;
    const end = labRunEnd(state);
    // A server started for the learner's client alone had no check to end: stopping it says nothing about one.
    if (end !== null && this.#tag !== null && !this.#runEnded && (this.#checked || end === 'crashed')) {
      this.#runEnded = true;
      for (const listener of this.#listeners) listener({ kind: 'run-end', t: 0, client: 'check', reason: end });
    }
    if (state.code !== this.#surface.getValue()) this.#surface.setValue(state.code);
    if (state.clientCode !== this.#clientSurface.getValue()) this.#clientSurface.setValue(state.clientCode);
    // A new server (Run): the last client's lines were about the old one.
    if (state.tag !== before?.tag && before !== null) this.#clientLines = [];
    if (state.showingSolution !== before?.showingSolution) {
      this.#surface.setReadOnly(state.showingSolution);
      this.#button('solution').setAttribute('aria-pressed', String(state.showingSolution));
      this.#part('[data-solution-note]').hidden = !state.showingSolution;
    }
    const busy = state.phase === 'starting' || state.phase === 'checking';
    this.#button('stop').disabled = state.labId === null && !busy;
    const engine = this.#part('[data-engine]');
    if (state.engine !== null) engine.textContent = `Engine: ${state.engine}`;

    const hints = this.#part('[data-hints]').querySelectorAll('li');
    hints.forEach((li, i) => (li.hidden = i >= state.hints));
    const hint = this.#button('hint');
    hint.textContent = `Hint (${state.hints} of ${hints.length})`;
    hint.disabled = state.hints >= hints.length;

    const status = this.#part('[data-status]');
    if (state.syntax) {
      status.textContent = `Your server did not start: fix line ${state.syntax.line}: ${state.syntax.message}`;
      status.dataset['state'] = 'problem';
    } else if (state.problem) {
      status.textContent = state.problem;
      status.dataset['state'] = 'problem';
    } else if (state.ended && (state.phase === 'running' || state.phase === 'checking')) {
      status.textContent = ENDED_TEXT;
      status.dataset['state'] = 'problem';
    } else {
      status.textContent = state.phase === 'checking' && state.checking ? checkingText(state.checking) : PHASE_TEXT[state.phase];
      delete status.dataset['state'];
    }
    if (state.syntax !== before?.syntax) {
      this.#surface.clearMarks();
      if (state.syntax) this.#surface.markError(state.syntax.line, null, state.syntax.message);
    }
    if (state.verdict !== before?.verdict) this.#renderVerdict(state.verdict, state.showingSolution);
    if (state.log !== before?.log) this.#renderLog(state);
    if (state.passed && !this.#passed) {
      this.#passed = true;
      this.dispatchEvent(new CustomEvent(PAGE_EVENTS.exercisePassed, { bubbles: true, detail: { id: this.id } }));
    }
  }

  #renderVerdict(verdict: Verdict | null, solution: boolean): void {
    const box = this.#part('[data-verdict]');
    box.hidden = verdict === null;
    if (!verdict) return;
    box.dataset['state'] = verdict.passed ? 'passed' : 'failed';
    this.#part('[data-verdict-head]').textContent = verdictHeading(verdict, solution);
    const list = this.#part('[data-cases]');
    list.replaceChildren(
      ...verdict.cases.map((c) => {
        const li = document.createElement('li');
        li.textContent = caseText(c);
        return li;
      }),
    );
  }

  /** The server's log and the learner's client's lines, by time: both clocks are this machine's. */
  #renderLog(state: LabState): void {
    const log = this.#part('[data-log]');
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    const merged: OutputLine[] = [...state.log.map((entry) => ({ ...entry, client: false })), ...this.#clientLines];
    // A stable sort: lines of one side with the same time keep their order.
    merged.sort((a, b) => a.time - b.time);
    const lines = merged.slice(-MAX_LINES).map((entry) => {
      const div = document.createElement('div');
      const level = entry.level === 'error' || entry.level === 'crit' || entry.level === 'alert' || entry.level === 'emerg' ? 'error' : entry.level === 'warn' ? 'warn' : 'info';
      const where = entry.line === null ? '' : ` line ${entry.line}:`;
      if (entry.client) {
        div.className = `fd-line fd-client fd-${entry.level === 'system' ? 'system' : level}`;
        div.textContent = `[${CLIENT_LABEL}${entry.level === 'error' ? ' error' : ''}]${where} ${entry.text}`;
      } else if (entry.level === 'skipped') {
        // Lines of the server's log the page never showed (the store counts them): no level, not the server's words.
        div.className = 'fd-line fd-system';
        div.textContent = entry.text;
      } else {
        div.className = `fd-line fd-${level}`;
        div.textContent = `[${entry.level}]${where} ${entry.text}`;
      }
      return div;
    });
    log.replaceChildren(...lines);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  #button(action: string): HTMLButtonElement {
    return this.#part<HTMLButtonElement>(`[data-action="${action}"]`);
  }

  #part<T extends HTMLElement = HTMLElement>(selector: string): T {
    const element = this.querySelector<T>(selector);
    if (!element) throw new Error(`Server lab ${this.id}: missing ${selector}.`);
    return element;
  }
}

/** A hint's `code` spans as <code>, the rest as text (as ServerLab.astro renders them). */
function withCode(text: string): Node[] {
  return codeSpans(text).map((part) => {
    if (!part.code) return document.createTextNode(part.text);
    const code = document.createElement('code');
    code.textContent = part.text;
    return code;
  });
}

defineElement('fd-server-lab', ServerLabElement);
