import { CHECK_PROGRESS_TYPE, LAB_ENDED_HEADER, LAB_LOG_AFTER, LAB_PATHS, type CaseResult, type CheckProgress, type LabLogLineJson as LabLogLine, type Verdict } from '../../../protocol/labs.ts';
import { forgetCode, loadCode, saveCode } from '../progress/playground.ts';
import type { KeyValueStore } from '../storage.ts';
import { skippedText } from './words.ts';

export type { Verdict, LabLogLine };

/**
 * The state of one <ServerLab> and the actions its buttons call, without the
 * DOM: the element renders what this holds. The network (fetch), the timer
 * and storage are passed in, so the store is unit-tested with fakes.
 *
 * Run: POST the code (a syntax error stops there), then POST …/check with the
 * page's inspector tag, then show the verdict and the server's log. The lab
 * server stays up after the check (the learner may poke at it) until Stop,
 * Run again, or the page goes away.
 *
 * The learner's own client (JavaScript, run in the page's sandbox by the
 * element) is kept here too: its code persists like the server's, and
 * serve() gives it a server running the code shown, without the check.
 */

/** `left`: the learner left the page, which stopped the server (it may come back from the back-forward cache). */
export type LabPhase = 'idle' | 'starting' | 'checking' | 'running' | 'stopping' | 'stopped' | 'left';

/** The server languages a lab may offer (labs/schema.ts LAB_LANGUAGES). */
export type LabLanguage = 'lua' | 'ts';
export const LAB_LANGUAGE_NAMES: Record<LabLanguage, string> = { lua: 'Lua', ts: 'TypeScript' };
/** Site-wide: the learner's last choice applies to every lab that offers it. */
export const LAB_LANGUAGE_KEY = 'fd:lab-language';

export interface LabState {
  /** The server language shown and run. */
  language: LabLanguage;
  code: string;
  /** The solution is shown read-only; the learner's own code is kept aside. */
  showingSolution: boolean;
  phase: LabPhase;
  /** The running lab server's id, from POST /api/labs. */
  labId: string | null;
  /** The lab server ended by itself (a crash, a watchdog): it takes no connection, and its log says why. */
  ended: boolean;
  engine: string | null;
  /** The inspector tag of the current run (the check's clients carry `<tag>.<client>`). */
  tag: string | null;
  /** The running lab server's WebSocket URL, from POST /api/labs: what the learner's client connects to. */
  url: string | null;
  /** The learner's own client (JavaScript), run against `url`. */
  clientCode: string;
  /**
   * The server's lines the Output shows, oldest first, at most OUTPUT_LINES. A line of level
   * `skipped` stands for lines the page never showed (its `seq` is the last of them): see skippedText.
   */
  log: LabLogLine[];
  syntax: { line: number; message: string } | null;
  /** While the check runs: the case under way (from 1, of how many, its name) and the results of those before it. */
  checking: { index: number; of: number; name: string; done: CaseResult[] } | null;
  verdict: Verdict | null;
  passed: boolean;
  /** How many hints are shown. */
  hints: number;
  /** What went wrong talking to the companion, said so the learner knows what to do. */
  problem: string | null;
}

/** One language's code and hints. */
export interface LabVariant {
  starter: string;
  solution: string;
  hints: readonly string[];
  /** The pitfall this language teaches that the other does not. */
  note?: string | null;
}

export interface LabContent extends LabVariant {
  /** The lab's id (labs/<id>/). */
  lab: string;
  /** Unique on the site: keys the saved code and pass record. */
  key: string;
  /** Every language the lab offers; the top-level starter, solution and hints are Lua's. */
  variants?: Partial<Record<LabLanguage, LabVariant>>;
  /** The starter of the learner's own client (JavaScript; labs/<id>/client.js). */
  client?: string;
}

export interface LabProgress {
  passed(key: string): boolean;
  pass(key: string): void;
}

export interface LabEnv {
  fetch: typeof fetch;
  /** The companion's HTTP origin. */
  origin: string;
  storage: KeyValueStore | null;
  /** The course progress (runtime/progress/store.ts), where a passed lab counts like a passed exercise. */
  progress: LabProgress | null;
  now(): Date;
  /** Calls fn every ms; returns a cancel. */
  every(ms: number, fn: () => void): () => void;
  newTag(): string;
}

export const NOT_RUNNING = 'The companion server is not running — start it with `npm start` in the course folder, then press Run again.';
export const LOG_POLL_MS = 500;
/** The Output keeps this many of the server's lines: the newest. */
export const OUTPUT_LINES = 1000;

/** Saved code per language; Lua keeps the key it had before labs had languages. */
const FILE: Record<LabLanguage, string> = { lua: 'server', ts: 'server.ts' };
/** The learner's own client, one for both server languages (it speaks WebSocket, not Lua or TypeScript). */
const CLIENT_FILE = 'client.js';

export class LabStore {
  #state: LabState;
  #listeners = new Set<(state: LabState) => void>();
  #mine: string;
  #stopPoll: (() => void) | null = null;
  /**
   * Log polls under way. Stop lets them answer before it deletes the lab server: one that reached the
   * companion after the DELETE met a lab that is gone, a 404 that Chromium prints in the console.
   */
  #polls = new Set<Promise<void>>();
  /** Bumped by every Run and Stop, so answers to a superseded run are ignored. */
  #generation = 0;
  /** The language and code the running lab server was started with. */
  #served: { language: LabLanguage; code: string } | null = null;
  /** The number (`seq`) of the newest log line of this run the page has: the next poll asks for the lines after it. */
  #logSeq = 0;

  readonly content: LabContent;
  readonly env: LabEnv;

  constructor(content: LabContent, env: LabEnv) {
    this.content = content;
    this.env = env;
    let preferred: string | null = null;
    try {
      preferred = env.storage?.getItem(LAB_LANGUAGE_KEY) ?? null;
    } catch {
      // Storage refused (private mode): Lua, as before.
    }
    const language: LabLanguage = preferred === 'ts' && this.languages.includes('ts') ? 'ts' : 'lua';
    this.#mine = this.#saved(language);
    this.#state = {
      language,
      code: this.#mine,
      showingSolution: false,
      phase: 'idle',
      labId: null,
      ended: false,
      engine: null,
      tag: null,
      url: null,
      clientCode: (env.storage ? loadCode(env.storage, content.key, CLIENT_FILE) : null) ?? content.client ?? '',
      log: [],
      syntax: null,
      checking: null,
      verdict: null,
      passed: env.progress?.passed(content.key) ?? false,
      hints: 0,
      problem: null,
    };
  }

  get state(): LabState {
    return this.#state;
  }

  /** The languages this lab offers, Lua first. */
  get languages(): LabLanguage[] {
    const offered = Object.keys(this.content.variants ?? {}) as LabLanguage[];
    return (['lua', 'ts'] as const).filter((l) => l === 'lua' || offered.includes(l));
  }

  /** The code, solution and hints of the language shown now. */
  get variant(): LabVariant {
    return this.#variant(this.#state.language);
  }

  #variant(language: LabLanguage): LabVariant {
    return this.content.variants?.[language] ?? this.content;
  }

  #saved(language: LabLanguage): string {
    const saved = this.env.storage ? loadCode(this.env.storage, this.content.key, FILE[language]) : null;
    return saved ?? this.#variant(language).starter;
  }

  /**
   * Switches the server language: the running server stops, the learner's
   * code for that language comes back (or its starter), and the choice is
   * remembered for every lab on the site.
   */
  async setLanguage(language: LabLanguage): Promise<void> {
    if (language === this.#state.language || !this.languages.includes(language)) return;
    await this.stop();
    try {
      this.env.storage?.setItem(LAB_LANGUAGE_KEY, language);
    } catch {
      // Not remembered; this page still switches.
    }
    this.#mine = this.#saved(language);
    this.#set({ language, code: this.#mine, showingSolution: false, syntax: null, checking: null, verdict: null, log: [], hints: 0, problem: null, engine: null, phase: 'idle' });
  }

  /**
   * The learner chose `language` on another lab of the page: this one follows if it offers it and
   * runs nothing (a server the learner started here is theirs to stop). Nothing is stored again.
   */
  async follow(language: LabLanguage): Promise<void> {
    if (!['idle', 'stopping', 'stopped', 'left'].includes(this.#state.phase)) return;
    await this.setLanguage(language);
  }

  subscribe(listener: (state: LabState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(patch: Partial<LabState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }

  #url(path: string): string {
    return `${this.env.origin}${LAB_PATHS.api}${path}`;
  }

  /** The learner typed: kept, and saved (never while the solution is shown). */
  edit(code: string): void {
    if (this.#state.showingSolution || code === this.#state.code) return;
    this.#mine = code;
    if (this.env.storage) saveCode(this.env.storage, this.content.key, FILE[this.#state.language], code);
    this.#set({ code });
  }

  /** Starts the code shown and runs the check; with `check: false`, only starts it (for the learner's own client). */
  async run(options: { check?: boolean } = {}): Promise<void> {
    await this.stop();
    // Another Run (Ctrl+Enter held down) may have started a server while this one waited for its
    // DELETE: that one goes too. Then a generation of its own, or a Run still starting would read the
    // same number, and both would keep the server they start.
    while (this.#state.labId !== null) await this.stop();
    this.#generation += 1;
    const generation = this.#generation;
    const { code, language } = this.#state;
    const credit = !this.#state.showingSolution;
    const tag = this.env.newTag();
    this.#logSeq = 0;
    this.#set({ phase: 'starting', tag, url: null, ended: false, log: [], syntax: null, checking: null, verdict: null, problem: null, engine: null });
    let response: Response;
    try {
      response = await this.env.fetch(this.#url(''), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: this.#state.language, code, lab: this.content.lab }),
      });
    } catch {
      if (generation === this.#generation) this.#set({ phase: 'idle', problem: NOT_RUNNING });
      return;
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (generation !== this.#generation) {
      // Stopped while starting: the server that did start must not linger.
      if (response.status === 201 && typeof body['id'] === 'string') void this.#delete(body['id']);
      return;
    }
    if (response.status === 400 && (body['error'] === 'syntax' || body['error'] === 'import')) {
      this.#set({ phase: 'idle', syntax: { line: Number(body['line']), message: String(body['message']) } });
      return;
    }
    if (response.status !== 201 || typeof body['id'] !== 'string') {
      this.#set({ phase: 'idle', problem: `The companion refused the lab (${response.status}): ${String(body['message'] ?? body['error'] ?? 'no reason given')}` });
      return;
    }
    const labId = body['id'];
    this.#served = { language, code };
    const url = typeof body['url'] === 'string' ? body['url'] : null;
    const engine = typeof body['engine'] === 'string' ? body['engine'] : null;
    this.#set({ phase: options.check === false ? 'running' : 'checking', labId, url, engine });
    this.#stopPoll = this.env.every(LOG_POLL_MS, () => void this.#poll(labId, generation));
    if (options.check === false) return;
    let verdict: Verdict;
    try {
      const checked = await this.env.fetch(this.#url(`/${labId}/check`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: CHECK_PROGRESS_TYPE },
        body: JSON.stringify({ tag }),
      });
      if (!checked.ok) {
        const answer = (await checked.json().catch(() => ({}))) as { message?: string };
        throw new Error(answer.message ?? String(checked.status));
      }
      verdict = await this.#followCheck(checked, generation);
    } catch (error) {
      if (generation === this.#generation) this.#set({ phase: 'running', checking: null, problem: `The check could not run: ${(error as Error).message}` });
      return;
    }
    if (generation !== this.#generation) return;
    await this.#poll(labId, generation);
    if (generation !== this.#generation) return;
    const passed = verdict.passed && credit;
    if (passed && !this.#state.passed) this.env.progress?.pass(this.content.key);
    this.#set({ phase: 'running', checking: null, verdict, passed: this.#state.passed || passed });
  }

  /**
   * Reads the check as it goes (CheckProgress, one JSON object per line) into `checking`, and
   * resolves with its verdict. A plain JSON answer (a companion without progress) is the verdict.
   * The answer is read to its end, which the companion writes with the verdict: a request left
   * unread is still open, and leaving the page then aborts it (net::ERR_ABORTED in the network log).
   */
  async #followCheck(response: Response, generation: number): Promise<Verdict> {
    if (!(response.headers.get('content-type') ?? '').startsWith(CHECK_PROGRESS_TYPE) || response.body === null) return (await response.json()) as Verdict;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    let verdict: Verdict | null = null;
    for (;;) {
      const { value, done } = await reader.read();
      pending += value ?? '';
      let end: number;
      while ((end = pending.indexOf('\n')) !== -1) {
        const text = pending.slice(0, end).trim();
        pending = pending.slice(end + 1);
        if (text === '' || verdict !== null) continue;
        const event = JSON.parse(text) as CheckProgress;
        if (event.t === 'verdict') {
          verdict = event.verdict;
          continue;
        }
        if (event.t === 'error') throw new Error(event.message.replace(/^The check could not run: /, ''));
        if (generation !== this.#generation) continue;
        const done = this.#state.checking?.done ?? [];
        if (event.t === 'case') this.#set({ checking: { index: event.index, of: event.of, name: event.name, done } });
        else if (this.#state.checking) this.#set({ checking: { ...this.#state.checking, done: [...done, event.result] } });
      }
      if (done) {
        if (verdict !== null) return verdict;
        throw new Error('the companion ended its answer before the verdict');
      }
    }
  }

  #poll(labId: string, generation: number): Promise<void> {
    const poll = this.#pollLog(labId, generation).finally(() => this.#polls.delete(poll));
    this.#polls.add(poll);
    return poll;
  }

  /**
   * Asks for the log lines after the newest one the page has, and adds them to the Output. The
   * companion keeps its newest 2,000 lines, so a full log keeps its length as it moves on: each
   * line's number (`seq`) is what moves. Two polls under way at once answer the same lines: only
   * those numbered past the newest one shown are added, so none is shown twice.
   */
  async #pollLog(labId: string, generation: number): Promise<void> {
    try {
      const response = await this.env.fetch(this.#url(`/${labId}/log?${LAB_LOG_AFTER.param}=${this.#logSeq}`), { cache: 'no-store' });
      if (!response.ok) return;
      const text = await response.text();
      if (generation !== this.#generation || this.#state.labId !== labId) return;
      const fresh = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LabLogLine)
        .filter((line) => line.seq > this.#logSeq);
      this.#addLog(fresh);
      // Ended by itself: nothing more will come, and the page must stop saying it runs. The lines
      // above are its last (the companion logs why before it marks the server ended).
      if (response.headers.get(LAB_ENDED_HEADER) === 'true' && !this.#state.ended) {
        this.#stopPoll?.();
        this.#stopPoll = null;
        this.#set({ ended: true });
      }
    } catch {
      // The next poll tries again; Stop ends polling.
    }
  }

  /**
   * Adds new lines (numbered past the newest shown, oldest first) to the Output, within OUTPUT_LINES.
   * Lines the page never shows, because the companion dropped them before it asked or more came at
   * once than the Output keeps, are counted in one `skipped` line where they were.
   */
  #addLog(fresh: readonly LabLogLine[]): void {
    const first = fresh[0];
    const last = fresh.at(-1);
    if (!first || !last) return;
    let skipped = first.seq - this.#logSeq - 1;
    let shown = fresh;
    if (skipped > 0 || fresh.length > OUTPUT_LINES) {
      // The skipped line leads what is shown, within the Output's lines.
      const room = OUTPUT_LINES - 1;
      if (fresh.length > room) {
        skipped += fresh.length - room;
        shown = fresh.slice(-room);
      }
    }
    this.#logSeq = last.seq;
    const lead = shown[0] as LabLogLine;
    const added = skipped > 0 ? [{ time: lead.time, level: 'skipped', text: skippedText(skipped), line: null, seq: lead.seq - 1 }, ...shown] : shown;
    this.#set({ log: [...this.#state.log, ...added].slice(-OUTPUT_LINES) });
  }

  async #delete(labId: string, keepalive = false): Promise<void> {
    await this.env.fetch(this.#url(`/${labId}`), { method: 'DELETE', keepalive }).catch(() => undefined);
  }

  /** Ends the lab server and its connections (DELETE). */
  async stop(): Promise<void> {
    this.#generation += 1;
    this.#stopPoll?.();
    this.#stopPoll = null;
    const labId = this.#state.labId;
    if (labId === null) {
      if (!['idle', 'stopped', 'left'].includes(this.#state.phase)) this.#set({ phase: 'stopped', checking: null, ended: false });
      return;
    }
    // 'stopped' says the server and its connections are closed, so it waits for the companion's answer.
    this.#set({ labId: null, url: null, phase: 'stopping', checking: null, ended: false });
    const generation = this.#generation;
    await Promise.all(this.#polls);
    await this.#delete(labId);
    // Unless the learner moved on meanwhile: Run again, or another lab's language switch followed here.
    if (generation === this.#generation && this.#state.phase === 'stopping') this.#set({ phase: 'stopped' });
  }

  /**
   * A lab server running the code shown, for the learner's own client: the
   * one running now if it runs this code (after its check, if one is under
   * way), else a fresh one without the check. Its URL, or null when it did
   * not start (the state says why: a syntax error, the companion down).
   */
  async serve(): Promise<string | null> {
    const current = (): boolean => this.#served?.language === this.#state.language && this.#served.code === this.#state.code;
    if (this.#state.labId !== null && current() && !this.#state.ended) {
      if (this.#state.phase === 'checking') {
        await new Promise<void>((resolve) => {
          const off = this.subscribe((state) => {
            if (state.phase === 'checking') return;
            off();
            resolve();
          });
        });
      }
      if (this.#state.labId !== null && current() && !this.#state.ended) return this.#state.url;
    }
    await this.run({ check: false });
    return this.#state.labId === null ? null : this.#state.url;
  }

  /** The learner edited their own client: kept and saved (one client per lab, whatever the server language). */
  editClient(code: string): void {
    if (code === this.#state.clientCode) return;
    if (this.env.storage) saveCode(this.env.storage, this.content.key, CLIENT_FILE, code);
    this.#set({ clientCode: code });
  }

  /** The client back to its starter; the saved one is forgotten. */
  resetClient(): void {
    if (this.env.storage) forgetCode(this.env.storage, this.content.key, CLIENT_FILE);
    this.#set({ clientCode: this.content.client ?? '' });
  }

  /** Whether the learner's client differs from its starter. */
  get clientChanged(): boolean {
    return this.#state.clientCode !== (this.content.client ?? '');
  }

  /**
   * The page is going away: DELETE with keepalive, which outlives the page. The page may come back
   * from the back-forward cache as it was left, so what it shows then is published now: a server
   * that was starting or running is `left`, one being stopped is `stopped`, and a lab that ran
   * nothing stays as it was.
   */
  leave(): void {
    this.#generation += 1;
    this.#stopPoll?.();
    this.#stopPoll = null;
    const labId = this.#state.labId;
    if (labId !== null) void this.#delete(labId, true);
    const { phase } = this.#state;
    const next = phase === 'starting' || phase === 'checking' || phase === 'running' ? 'left' : phase === 'stopping' ? 'stopped' : phase;
    this.#set({ labId: null, url: null, phase: next, checking: null });
  }

  /** Back to the starter; the saved code is forgotten. */
  reset(): void {
    const { starter } = this.variant;
    this.#mine = starter;
    if (this.env.storage) forgetCode(this.env.storage, this.content.key, FILE[this.#state.language]);
    this.#set({ code: starter, showingSolution: false, syntax: null });
  }

  /** Shows the solution read-only, or brings the learner's code back: never overwrites it. */
  solve(): void {
    const showing = !this.#state.showingSolution;
    this.#set({ showingSolution: showing, code: showing ? this.variant.solution : this.#mine, syntax: null });
  }

  /** Shows one more hint. */
  hint(): void {
    this.#set({ hints: Math.min(this.variant.hints.length, this.#state.hints + 1) });
  }

  /** Whether the learner's code differs from the starter (Reset asks first then). */
  get changed(): boolean {
    return this.#mine !== this.variant.starter;
  }
}
