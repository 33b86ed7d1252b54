import type { ClientEvent } from './events.ts';
import { formatArgs } from './format.ts';
import { describePayload } from './payload.ts';

/**
 * The recording side of a run, with every environment dependency injected:
 * the real WebSocket constructor, the clock, where events go and how URLs map.
 * The sandbox worker wires it to the browser; the unit tests to fakes.
 */

/** Distributes `Omit` over the union, so each event kind keeps its own fields. */
export type EventBody = ClientEvent extends infer E ? (E extends ClientEvent ? Omit<E, 't' | 'client'> : never) : never;

export interface Recorder {
  record(body: EventBody): void;
  /** Number of console events dropped after the cap. */
  readonly dropped: number;
}

/** Console lines kept per run and client; beyond it one notice, then silence. */
export const CONSOLE_CAP = 5_000;

export function createRecorder(client: string, now: () => number, emit: (event: ClientEvent) => void): Recorder {
  let consoleCount = 0;
  let dropped = 0;
  return {
    record(body) {
      if (body.kind === 'console') {
        consoleCount += 1;
        if (consoleCount > CONSOLE_CAP) {
          if (dropped === 0) {
            emit({ kind: 'console', level: 'warn', text: `Output stopped after ${CONSOLE_CAP} lines; the run goes on.`, t: now(), client });
          }
          dropped += 1;
          return;
        }
      }
      emit({ ...body, t: now(), client } as ClientEvent);
    },
    get dropped() {
      return dropped;
    },
  };
}

export interface SocketWiring {
  /** The browser's own WebSocket (or a fake with the same surface). */
  Native: typeof WebSocket;
  recorder: Recorder;
  /** Where the socket really connects, and what `ws.url` shows. */
  mapUrl(url: string | URL): { target: string; shown: string };
  /** Told about each socket, so the sandbox can tell when the run is idle. */
  track?(socket: WebSocket): void;
}

/**
 * A WebSocket subclass that records construction, open, send, message, close
 * and error, then behaves exactly like the original: same prototype chain
 * (instanceof works), same constants, same events. Its own listeners are
 * added in the constructor, before the learner's, so the record of an event
 * always precedes whatever the learner's handler does with it.
 */
export function instrumentWebSocket(wiring: SocketWiring): typeof WebSocket {
  const { Native, recorder } = wiring;
  let nextSock = 0;
  class WebSocket extends Native {
    readonly #sock: number;

    constructor(url: string | URL, protocols?: string | string[]) {
      const mapped = wiring.mapUrl(url);
      if (protocols === undefined) super(mapped.target);
      else super(mapped.target, protocols);
      const sock = nextSock++;
      this.#sock = sock;
      Object.defineProperty(this, 'url', { get: () => mapped.shown, enumerable: true, configurable: true });
      const requested = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
      recorder.record({ kind: 'create', sock, url: String(url), protocols: requested });
      this.addEventListener('open', () => recorder.record({ kind: 'open', sock, protocol: this.protocol }));
      this.addEventListener('message', (event) => recorder.record({ kind: 'message', sock, ...describePayload(event.data) }));
      this.addEventListener('error', () => recorder.record({ kind: 'error', sock }));
      this.addEventListener('close', (event) =>
        recorder.record({ kind: 'close', sock, code: event.code, reason: event.reason, wasClean: event.wasClean }),
      );
      wiring.track?.(this);
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      super.send(data as string);
      recorder.record({ kind: 'send', sock: this.#sock, ...describePayload(data) });
    }
  }
  return WebSocket;
}

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error';
export const CONSOLE_LEVELS: readonly ConsoleLevel[] = ['log', 'info', 'warn', 'error'];

/**
 * Replaces console.log/info/warn/error (and debug, as log) with recording
 * versions that still call the original, so the browser's devtools show them.
 */
export function instrumentConsole(target: Console, recorder: Recorder): void {
  for (const level of CONSOLE_LEVELS) {
    const original = target[level].bind(target);
    target[level] = (...args: unknown[]) => {
      recorder.record({ kind: 'console', level, text: formatArgs(args) });
      original(...args);
    };
  }
  const log = target.log;
  target.debug = (...args: unknown[]) => log(...args);
}
