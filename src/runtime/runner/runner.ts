import type { ClientEvent } from '../recorder/events.ts';
import type { Position } from './errors.ts';
import type { RunMessage, SandboxMessage } from './messages.ts';

/**
 * One run of a playground on the page side: a sandbox worker per client,
 * their events merged in arrival order, and the ways a run ends. Workers,
 * clock and event sink are injected so the unit tests drive it with fakes.
 */

export interface WorkerLike {
  postMessage(message: RunMessage): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<SandboxMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface RunClient {
  name: string;
  /** Wrapped JavaScript (wrapLearnerCode). */
  code: string;
  /** Wrapped position → position in what the learner wrote; null when outside it. */
  mapPosition(wrapped: Position): Position | null;
}

export interface RunSpec {
  clients: readonly RunClient[];
  companion: string;
  tag: string;
  /** Read-only globals every client's code sees (RunMessage.globals). */
  globals?: Readonly<Record<string, string>>;
}

export interface RunDeps {
  createWorker(client: string): WorkerLike;
  /** Absolute milliseconds (performance.timeOrigin + performance.now() in the browser). */
  now(): number;
  onEvent(event: ClientEvent): void;
  /** Called once, after every client's run-end. */
  onEnd?(): void;
}

type EndReason = Extract<ClientEvent, { kind: 'run-end' }>['reason'];

export class Run {
  readonly #spec: RunSpec;
  readonly #deps: RunDeps;
  readonly #workers = new Map<string, WorkerLike>();
  #startedAt = 0;

  constructor(spec: RunSpec, deps: RunDeps) {
    this.#spec = spec;
    this.#deps = deps;
  }

  get running(): boolean {
    return this.#workers.size > 0;
  }

  start(): void {
    this.#startedAt = this.#deps.now();
    for (const client of this.#spec.clients) {
      const worker = this.#deps.createWorker(client.name);
      this.#workers.set(client.name, worker);
      worker.onmessage = (event) => this.#receive(client, event.data);
      worker.onerror = (event) => {
        // Reaching here means the sandbox itself failed (the learner's errors are handled inside it).
        event.preventDefault();
        this.#emit({ kind: 'console', client: client.name, level: 'error', text: `The sandbox failed: ${event.message || 'unknown error'}` });
        this.#end(client.name, 'crashed');
      };
      worker.postMessage({
        type: 'run',
        client: client.name,
        code: client.code,
        companion: this.#spec.companion,
        tag: this.#spec.tag,
        startedAt: this.#startedAt,
        ...(this.#spec.globals ? { globals: this.#spec.globals } : {}),
      });
    }
  }

  /** Ends every client's run at once: terminate() stops any loop and closes the sockets. */
  stop(reason: EndReason = 'stopped'): void {
    for (const name of [...this.#workers.keys()]) this.#end(name, reason);
  }

  #receive(client: RunClient, message: SandboxMessage): void {
    if (!this.#workers.has(client.name)) return;
    if (message.type === 'idle') {
      this.#end(client.name, 'finished');
      return;
    }
    const event = message.event;
    if (event.kind === 'uncaught' && event.line !== null) {
      const mapped = client.mapPosition({ line: event.line, column: event.column ?? 1 });
      this.#deps.onEvent({ ...event, line: mapped?.line ?? null, column: mapped?.column ?? null });
      return;
    }
    this.#deps.onEvent(event);
  }

  #emit(body: Omit<Extract<ClientEvent, { kind: 'console' }>, 't'>): void {
    this.#deps.onEvent({ ...body, t: this.#elapsed() });
  }

  #elapsed(): number {
    return Math.round((this.#deps.now() - this.#startedAt) * 10) / 10;
  }

  #end(name: string, reason: EndReason): void {
    const worker = this.#workers.get(name);
    if (!worker) return;
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    this.#workers.delete(name);
    this.#deps.onEvent({ kind: 'run-end', client: name, t: this.#elapsed(), reason });
    if (this.#workers.size === 0) this.#deps.onEnd?.();
  }
}
