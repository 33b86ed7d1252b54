import type { ClientEvent } from '../recorder/events.ts';
import { mapLearnerHttpUrl, mapLearnerUrl } from '../server-address.ts';
import { Activity } from './activity.ts';
import { frameInLearnerCode, SOURCE_NAME, type Position } from './errors.ts';
import { formatArgs } from '../recorder/format.ts';
import type { RunMessage, SandboxMessage } from './messages.ts';
import { createRecorder, instrumentConsole, instrumentWebSocket, type Recorder } from '../recorder/record.ts';

/**
 * The sandbox: a dedicated worker per client and run. The learner's code is
 * evaluated here, away from the page's DOM, so nothing it does can break the
 * lesson; the page ends the run with worker.terminate(), which also stops an
 * infinite loop and closes every socket. Everything observable leaves as
 * ClientEvents over postMessage.
 */
// The project compiles against the DOM library; this is the worker surface used here.
interface WorkerScope {
  postMessage(message: SandboxMessage): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (event: PromiseRejectionEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<RunMessage>) => void): void;
  setTimeout(handler: TimerHandler, delay?: number, ...args: unknown[]): number;
  clearTimeout(id?: number): void;
  setInterval(handler: TimerHandler, delay?: number, ...args: unknown[]): number;
  clearInterval(id?: number): void;
  console: Console;
  WebSocket: typeof WebSocket;
  fetch: typeof fetch;
}
const self = globalThis as unknown as WorkerScope;

const post = (message: SandboxMessage): void => self.postMessage(message);
const activity = new Activity();
const realSetTimeout = self.setTimeout.bind(self);
let recorder: Recorder | null = null;
let evaluating = false;
let idleSent = false;

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : formatArgs([error]);
}

function reportUncaught(message: string, position: Position | null): void {
  recorder?.record({ kind: 'uncaught', message, line: position?.line ?? null, column: position?.column ?? null });
}

/** Idle is checked a moment later, so work queued by the last callback counts. */
function checkIdle(): void {
  realSetTimeout(() => {
    if (activity.idle && !idleSent) {
      idleSent = true;
      post({ type: 'idle' });
    }
  }, 50);
}

function instrumentTimers(): void {
  const st = self.setTimeout.bind(self);
  const ct = self.clearTimeout.bind(self);
  const si = self.setInterval.bind(self);
  const ci = self.clearInterval.bind(self);
  self.setTimeout = (handler, delay, ...args) => {
    const id: number = st(
      (...inner: unknown[]) => {
        activity.timerEnded(id);
        try {
          if (typeof handler === 'function') (handler as (...a: unknown[]) => void)(...inner);
          else (0, eval)(String(handler));
        } finally {
          checkIdle();
        }
      },
      delay,
      ...args,
    );
    activity.timerStarted(id);
    return id;
  };
  self.clearTimeout = (id?: number) => {
    ct(id);
    activity.timerEnded(id);
    checkIdle();
  };
  self.setInterval = (handler, delay, ...args) => {
    const id = si(handler, delay, ...args);
    activity.timerStarted(id);
    return id;
  };
  self.clearInterval = (id?: number) => {
    ci(id);
    activity.timerEnded(id);
    checkIdle();
  };
}

self.addEventListener('error', (event) => {
  event.preventDefault();
  const error: unknown = event.error;
  let position = frameInLearnerCode(error instanceof Error ? error.stack : undefined);
  // A syntax error aborts the eval itself: its position is in the evaluated source.
  if (!position && (evaluating || event.filename === SOURCE_NAME) && event.lineno > 0) {
    position = { line: event.lineno, column: event.colno };
  }
  reportUncaught(error === undefined || error === null ? event.message.replace(/^Uncaught /, '') : errorText(error), position);
  if (evaluating) {
    evaluating = false;
    activity.topLevelFinished();
    checkIdle();
  }
});

self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  const reason: unknown = event.reason;
  reportUncaught(`Uncaught (in promise) ${errorText(reason)}`, frameInLearnerCode(reason instanceof Error ? reason.stack : undefined));
});

self.addEventListener('message', (event) => {
  const run = event.data;
  if (run.type !== 'run' || recorder) return;
  const now = (): number => Math.round((performance.timeOrigin + performance.now() - run.startedAt) * 10) / 10;
  const rec = createRecorder(run.client, now, (e: ClientEvent) => post({ type: 'event', event: e }));
  recorder = rec;
  instrumentConsole(self.console, rec);
  instrumentTimers();
  const Instrumented = instrumentWebSocket({
    Native: self.WebSocket,
    recorder: rec,
    // Each client's sockets carry `<run tag>.<client>`: the inspector's stream for the run
    // covers them all, and the diagram tells the clients apart by tag.
    mapUrl: (url) => mapLearnerUrl(url, run.companion, `${run.tag}.${run.client}`),
    track(socket) {
      activity.socketOpened();
      socket.addEventListener('close', () => {
        activity.socketClosed();
        checkIdle();
      });
    },
  });
  Object.defineProperty(self, 'WebSocket', { value: Instrumented, writable: true, configurable: true });
  Object.defineProperty(self, 'clientName', { value: run.client, writable: false, configurable: false });
  for (const [name, value] of Object.entries(run.globals ?? {})) {
    Object.defineProperty(self, name, { value, writable: false, configurable: false });
  }
  // fetch('http://localhost:8080/...') reaches the companion server as WebSocket URLs do.
  const realFetch = self.fetch.bind(self);
  self.fetch = (input, init) =>
    realFetch(input instanceof Request ? input : mapLearnerHttpUrl(input, run.companion), init);

  evaluating = true;
  // Indirect eval: the code runs as a global script. No try/catch on purpose:
  // an uncaught SyntaxError is reported with its line, a caught one is not.
  const done = (0, eval)(run.code) as Promise<unknown>;
  evaluating = false;
  done.then(
    () => undefined,
    (error: unknown) =>
      reportUncaught(errorText(error), frameInLearnerCode(error instanceof Error ? error.stack : undefined)),
  ).finally(() => {
    activity.topLevelFinished();
    checkIdle();
  });
});
