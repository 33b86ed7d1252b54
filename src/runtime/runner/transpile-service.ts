import type * as TypeScript from 'typescript';

/**
 * Turning a TypeScript playground into JavaScript for Run, without type
 * checking.
 *
 * Run used to ask the editor's language service for its emit. That emit type
 * checks the whole file against the DOM's declarations first (the compiler's
 * emit resolver insists), so the first Run paid for a full check: about a
 * second on a quiet laptop, many on a busy one, and longer still when the
 * editor's own diagnostics were already queued in the same worker. Run only
 * needs the types removed: `transpileModule` does that file by file, with no
 * program and no lib files, in milliseconds. The editor still shows every
 * type error; running never waited for them to be right anyway.
 *
 * The compiler is the one in Monaco's TypeScript worker script (ts.worker.ts
 * starts in this mode when its first message is the hello below), so this
 * costs no extra download: a second instance of a script the editor loads
 * anyway, with nothing queued in front of it.
 */

/** The first message a transpile-only worker receives (Monaco's own start message is the string "ignore"). */
export const TRANSPILE_HELLO = 'fd-transpile-only';

export interface TranspileRequest {
  id: number;
  source: string;
  fileName: string;
}

export type TranspileReply = { id: number; js: string; map: string } | { id: number; error: string };

export interface Transpiled {
  js: string;
  /** Source map (JSON) from the JavaScript back to the learner's TypeScript. */
  map: string;
}

/**
 * The compiler's side: TypeScript → JavaScript with a source map, the same
 * output settings as the editor (ES modules, latest syntax kept, every file a
 * module so two playgrounds' top-level names never meet).
 */
export function transpileForSandbox(ts: typeof TypeScript, source: string, fileName: string): Transpiled {
  const output = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: false,
    compilerOptions: {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleDetection: ts.ModuleDetectionKind.Force,
      sourceMap: true,
    },
  });
  if (output.sourceMapText === undefined) throw new Error('The TypeScript compiler produced no source map.');
  return { js: output.outputText, map: output.sourceMapText };
}

/** What the worker side needs of its global scope. */
export interface TranspileScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: TranspileReply): void;
}

/** Answers transpile requests on `scope` from now on. */
export function serveTranspile(scope: TranspileScope, ts: typeof TypeScript): void {
  scope.onmessage = (event: MessageEvent) => {
    const { id, source, fileName } = event.data as TranspileRequest;
    try {
      scope.postMessage({ id, ...transpileForSandbox(ts, source, fileName) });
    } catch (error) {
      scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** The page's side of a transpile-only worker. */
export interface TranspileWorkerLike {
  postMessage(message: TranspileRequest | typeof TRANSPILE_HELLO): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<TranspileReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface Transpiler {
  transpile(source: string, fileName: string): Promise<Transpiled>;
}

/**
 * One worker, started on the first request and kept for the next ones (the
 * compiler's start-up is the cost; each later file takes milliseconds).
 * Requests are answered in order. If the worker fails to load or crashes,
 * every waiting request is rejected and the next one starts a new worker.
 */
export function createTranspiler(createWorker: () => TranspileWorkerLike): Transpiler {
  let worker: TranspileWorkerLike | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: Transpiled): void; reject(error: Error): void }>();

  const start = (): TranspileWorkerLike => {
    const fresh = createWorker();
    fresh.onmessage = (event) => {
      const reply = event.data;
      const request = waiting.get(reply.id);
      if (!request) return;
      waiting.delete(reply.id);
      if ('error' in reply) request.reject(new Error(reply.error));
      else request.resolve({ js: reply.js, map: reply.map });
    };
    fresh.onerror = (event) => {
      event.preventDefault?.();
      fresh.terminate();
      if (worker === fresh) worker = null;
      const why = new Error(`The TypeScript compiler could not start${event.message ? `: ${event.message}` : ''}. Reload the page and run again.`);
      for (const request of waiting.values()) request.reject(why);
      waiting.clear();
    };
    fresh.postMessage(TRANSPILE_HELLO);
    return fresh;
  };

  return {
    transpile(source, fileName) {
      worker ??= start();
      const id = nextId++;
      const promise = new Promise<Transpiled>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ id, source, fileName });
      return promise;
    },
  };
}
