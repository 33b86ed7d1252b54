import type { ClientEvent } from '../../../src/runtime/recorder/events.ts';
import { Activity } from '../../../src/runtime/runner/activity.ts';
import { formatArgs } from '../../../src/runtime/recorder/format.ts';
import { createRecorder, instrumentWebSocket, type Recorder } from '../../../src/runtime/recorder/record.ts';
import { mapLearnerHttpUrl, mapLearnerUrl } from '../../../src/runtime/server-address.ts';
import { prepareTypeScript } from '../../../src/runtime/runner/transpile.ts';
import type { FoundPlayground } from './find.ts';

/**
 * Runs a playground's code the way the browser sandbox does — the same
 * instrumented WebSocket and recorder, Node 24's standard WebSocket underneath
 * — against a companion server, and returns the recorded events of every
 * client. Each client gets its own globals (WebSocket, console, timers, fetch,
 * clientName) as parameters, so nothing leaks between clients or into the test.
 */
export interface RunResult {
  events: ClientEvent[];
  /** Why the run ended: every client idle, or the time limit. */
  ended: 'finished' | 'timeout';
}

type Timer = ReturnType<typeof setTimeout>;

/** What Run does in the browser: the same type stripper. */
function toJavaScript(code: string, lang: 'js' | 'ts'): string {
  return lang === 'js' ? code : prepareTypeScript(code, 'playground.ts').js;
}

function runClient(
  name: string,
  code: string,
  companion: string,
  tag: string,
  started: number,
  events: ClientEvent[],
): { activity: Activity; stop(): void } {
  const activity = new Activity();
  const recorder: Recorder = createRecorder(name, () => Math.round(performance.now() - started), (e) => events.push(e));
  const timers = new Set<Timer>();
  const sockets = new Set<WebSocket>();
  const WebSocketClass = instrumentWebSocket({
    Native: globalThis.WebSocket,
    recorder,
    mapUrl: (url) => mapLearnerUrl(url, companion, tag),
    track(socket) {
      sockets.add(socket);
      activity.socketOpened();
      socket.addEventListener('close', () => activity.socketClosed());
    },
  });
  const consoleLike = Object.fromEntries(
    (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => [
      level,
      (...args: unknown[]) => recorder.record({ kind: 'console', level: level === 'debug' ? 'log' : level, text: formatArgs(args) }),
    ]),
  );
  const uncaught = (error: unknown): void =>
    recorder.record({ kind: 'uncaught', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), line: null, column: null });
  const guard = (fn: () => void) => () => {
    try {
      fn();
    } catch (error) {
      uncaught(error);
    }
  };
  const setTimeoutLike = (fn: () => void, ms?: number): Timer => {
    const id: Timer = setTimeout(() => {
      timers.delete(id);
      activity.timerEnded(id);
      guard(fn)();
    }, ms);
    timers.add(id);
    activity.timerStarted(id);
    return id;
  };
  const setIntervalLike = (fn: () => void, ms?: number): Timer => {
    const id = setInterval(guard(fn), ms);
    timers.add(id);
    activity.timerStarted(id);
    return id;
  };
  const clear = (id: Timer | undefined): void => {
    if (id === undefined) return;
    clearTimeout(id);
    timers.delete(id);
    activity.timerEnded(id);
  };
  // Plain HTTP to the course's address goes to the companion server too.
  const fetchLike = (input: string | URL, init?: RequestInit): Promise<Response> =>
    fetch(mapLearnerHttpUrl(input, companion), init);
  const params = ['WebSocket', 'console', 'clientName', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'fetch'];
  const body = `return (async () => {\n${code}\n})();`;
  const run = new Function(...params, body) as (...args: unknown[]) => Promise<unknown>;
  run(WebSocketClass, consoleLike, name, setTimeoutLike, setIntervalLike, clear, clear, fetchLike)
    .catch(uncaught)
    .finally(() => activity.topLevelFinished());
  return {
    activity,
    stop() {
      for (const id of timers) clearTimeout(id);
      for (const socket of sockets) if (socket.readyState < 2) socket.close();
    },
  };
}

/** Runs every client of `playground` with `variant`'s code until all are idle or `limitMs` passes. */
export async function runPlayground(
  playground: FoundPlayground,
  variant: 'code' | 'solution',
  companion: string,
  limitMs = 6000,
): Promise<RunResult> {
  const source = variant === 'code' ? playground.code : playground.solution;
  if (!source) throw new Error(`${playground.id} has no ${variant}`);
  const events: ClientEvent[] = [];
  const started = performance.now();
  const tag = `test-${playground.id}-${variant}`;
  const clients = playground.clients.map((name) => {
    const code = source[name] ?? source['shared'];
    if (code === undefined) throw new Error(`${playground.id}: no ${variant} for ${name}`);
    return runClient(name, toJavaScript(code, playground.lang), companion, tag, started, events);
  });
  const deadline = Date.now() + limitMs;
  let ended: RunResult['ended'] = 'timeout';
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (clients.every((c) => c.activity.idle)) {
      ended = 'finished';
      break;
    }
  }
  for (const client of clients) client.stop();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { events, ended };
}

/** The playground with `late`'s code starting `ms` later, as a slower worker would. */
export function staggered(found: FoundPlayground, variant: 'code' | 'solution', late: string, ms: number): FoundPlayground {
  const source = found[variant] ?? {};
  const code = Object.fromEntries(
    found.clients.map((name) => {
      const text = source[name] ?? source['shared'] ?? '';
      return [name, name === late && ms > 0 ? `await new Promise((resolve) => setTimeout(resolve, ${ms}));\n${text}` : text];
    }),
  );
  return { ...found, [variant]: code };
}
