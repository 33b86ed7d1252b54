import { checks, type CheckResult } from '../../runtime/checks.ts';
import { whenNeeded } from '../../runtime/editor/lazy.ts';
import { loadMonaco } from '../../runtime/editor/monaco.ts';
import { textareaSurface, type CodeSurface } from '../../runtime/editor/surface.ts';
import { forgetCode, loadCode, markPassed, passRecord, saveCode } from '../../runtime/progress/playground.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { createSandboxWorker } from '../../runtime/runner/create-worker.ts';
import { wrapLearnerCode } from '../../runtime/runner/errors.ts';
import { Run, type RunClient } from '../../runtime/runner/runner.ts';
import { prepareJavaScript, type Prepared } from '../../runtime/runner/prepare.ts';
import { currentCompanionOrigin, healthUrl } from '../../runtime/server-address.ts';
import { fileFor, type PlaygroundConfig, type PlaygroundFile } from './config.ts';
import { PROGRESS_EVENTS } from '../../runtime/progress/store.ts';

/**
 * <fd-playground>: the behaviour of Playground.astro. It works before Monaco
 * arrives (plain textareas), upgrades to Monaco when the playground comes
 * near the viewport or is used, runs the code in sandbox workers, shows each
 * client's output, and is the RecordSource the live diagram subscribes to.
 */

const MAX_LINES = 1_000;
const HEALTH_RETRY_MS = 10_000;

type Listener = (event: ClientEvent | null) => void;
type ServerState = 'up' | 'down';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

let lastHealth: { at: number; answer: Promise<boolean> } | null = null;

/** Asks /health; playgrounds on one page share an answer for a second. */
function serverReachable(): Promise<boolean> {
  const now = performance.now();
  if (lastHealth && now - lastHealth.at < 1_000) return lastHealth.answer;
  lastHealth = { at: now, answer: askHealth() };
  return lastHealth.answer;
}

async function askHealth(): Promise<boolean> {
  const url = healthUrl(currentCompanionOrigin());
  // Under `npm run dev` the server is another origin (8080 vs 4321). An opaque
  // no-cors answer still proves it is up, without the server having to send CORS headers.
  const crossOrigin = new URL(url).origin !== location.origin;
  try {
    const response = await fetch(url, { cache: 'no-store', mode: crossOrigin ? 'no-cors' : 'cors', signal: AbortSignal.timeout(2_000) });
    if (response.type === 'opaque') return true;
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: unknown };
    return body.status === 'ok';
  } catch {
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
  #passed = false;
  #healthTimer = 0;
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
    const store = storage();
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
    if (this.#config.check && store && passRecord(store, this.id)) {
      this.#passed = true;
      this.#setCheck('Check passed earlier. Run again any time.', 'passed');
    }
    this.#stopLazy = whenNeeded(this, () => void this.#upgrade());
    void this.#refreshServer();
  }

  disconnectedCallback(): void {
    this.#run?.stop();
    this.#stopLazy?.();
    clearTimeout(this.#healthTimer);
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
    if (!this.#passed) this.#setCheck('', null);
    this.#button('stop').disabled = false;

    const serverUp = await serverReachable();
    if (generation !== this.#generation) return;
    this.#showServer(serverUp ? 'up' : 'down');
    if (!serverUp) {
      for (const client of this.#config.clients) {
        this.#print(client, 'The companion server is not running, so connections to ws://localhost:8080 will fail. Start it with "npm start" in the course folder, then press Run again.', 'warn');
      }
    }

    let prepared: Map<string, Prepared>;
    try {
      prepared = await this.#prepare();
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
    run.start();
  }

  stop(): void {
    this.#generation += 1;
    if (this.#run) this.#run.stop();
    else this.#button('stop').disabled = true;
  }

  reset(): void {
    const changed = this.#config.files.some((file) => this.#learnerCode(file) !== file.starter);
    if (changed && !window.confirm('Replace your code with the starter code? Your changes will be lost.')) return;
    if (this.#showingSolution) this.toggleSolution();
    const store = storage();
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
    const store = storage();
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

  #learnerCode(file: PlaygroundFile, store = storage()): string {
    if (!this.#showingSolution) return this.#surface(file.key).getValue();
    return (store ? loadCode(store, this.id, file.key) : null) ?? file.starter;
  }

  #surfaceOptions(file: PlaygroundFile) {
    return {
      label: file.label,
      language: this.#config.lang,
      path: `${this.id}/${file.key}`,
      onChange: (code: string) => {
        const store = storage();
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

  async #prepare(): Promise<Map<string, Prepared>> {
    const out = new Map<string, Prepared>();
    for (const file of this.#config.files) {
      const code = this.#surface(file.key).getValue();
      if (this.#config.lang === 'js') {
        out.set(file.key, prepareJavaScript(code));
        continue;
      }
      const [monaco, { prepareTranspiled }] = await Promise.all([loadMonaco(), import('../../runtime/runner/transpile.ts')]);
      const { js, map } = await monaco.emitJavaScript(`${this.id}/${file.key}`, code);
      out.set(file.key, prepareTranspiled(js, map));
    }
    return out;
  }

  #record(event: ClientEvent): void {
    this.#events.push(event);
    for (const listener of this.#listeners) listener(event);
    switch (event.kind) {
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
        this.#print(event.client, RUN_END_TEXT[event.reason], 'system');
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
    this.#button('stop').disabled = true;
    this.#evaluateCheck(true);
  }

  #evaluateCheck(final: boolean): void {
    const name = this.#config.check;
    if (!name) return;
    const result: CheckResult = checks[name](this.#events);
    if (result.passed) {
      if (!this.#passed || final) {
        const store = storage();
        if (!this.#passed) {
          if (store) markPassed(store, this.id, name, new Date());
          // The course progress listens on document (PROGRESS_EVENTS.exercisePassed in the progress store).
          this.dispatchEvent(new CustomEvent(PROGRESS_EVENTS.exercisePassed, { bubbles: true, detail: { id: this.id } }));
        }
        this.#passed = true;
      }
      this.#setCheck('Check passed: well done!', 'passed');
    } else if (final) {
      this.#setCheck(`Not yet. Still missing: ${result.missing.join(' ')}`, 'missing');
    }
  }

  #setCheck(text: string, state: 'passed' | 'missing' | null): void {
    const status = this.#part('[data-check-status]');
    status.textContent = text;
    if (state) status.dataset['state'] = state;
    else delete status.dataset['state'];
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

  async #refreshServer(): Promise<void> {
    clearTimeout(this.#healthTimer);
    const up = await serverReachable();
    this.#showServer(up ? 'up' : 'down');
  }

  #showServer(state: ServerState): void {
    const badge = this.#part('[data-server]');
    badge.textContent = state === 'up' ? 'Server: connected' : 'Server: not running';
    badge.dataset['state'] = state;
    this.#part('[data-server-help]').hidden = state !== 'down';
    clearTimeout(this.#healthTimer);
    if (state === 'down') this.#healthTimer = window.setTimeout(() => void this.#refreshServer(), HEALTH_RETRY_MS);
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
};

if (!customElements.get('fd-playground')) customElements.define('fd-playground', PlaygroundElement);
