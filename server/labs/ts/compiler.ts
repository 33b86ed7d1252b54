import { Worker } from 'node:worker_threads';
import { refusal, type Compiled } from './compile.ts';

/**
 * Compiles TypeScript labs off the companion's thread. compile.ts is
 * synchronous, and the compiler takes time out of all proportion to some
 * code (40 KB of `a + a + …` took it 20 s; brackets nested thousands deep
 * exhaust its stack): on the main thread that froze every request and
 * socket of the companion. So one long-lived worker thread loads TypeScript
 * once and compiles the labs sent to it, one at a time, in the order they
 * came; a compile that runs past its time ends the thread (a new one is
 * started) and the learner is told, as for any code that does not compile.
 */

export interface CompilerLimits {
  /** A compile that has kept the worker's core busy this long is stopped. */
  compileMs: number;
  /** A compile is stopped after this long whatever the CPU: a starved worker on a loaded machine gets this much grace. */
  compileStarvedMs: number;
  /** V8's old space in the worker, TypeScript itself included. */
  heapMiB: number;
  /** From starting the worker to TypeScript loaded in it. */
  bootMs: number;
}

export interface ToCompiler {
  id: number;
  code: string;
}

export type FromCompiler = { t: 'ready' } | { t: 'done'; id: number; compiled: Compiled } | { t: 'failed'; id: number; message: string };

export interface Compiler {
  /** The learner's code compiled, or why not (code too deep, too slow or too big to compile is the learner's, as a syntax error is). Rejects only for a fault of the compiler itself. */
  compile(code: string): Promise<Compiled>;
  /** Ends the worker; compiles waiting for it reject. A later compile starts a new one. */
  dispose(): Promise<void>;
}

/**
 * Whether a compile has run too long, by the rule of the lab servers' own
 * watchdog: past `compileMs` with the core kept busy (at least half the time
 * on the CPU, or `compileMs` of CPU in all), or past `compileStarvedMs`
 * whatever the CPU. Without a CPU figure, `compileMs` alone.
 */
export function compileOverdue(wallMs: number, cpuMs: number | null, limits: Pick<CompilerLimits, 'compileMs' | 'compileStarvedMs'>): boolean {
  if (wallMs < limits.compileMs) return false;
  return cpuMs === null || cpuMs >= wallMs / 2 || cpuMs >= limits.compileMs || wallMs >= limits.compileStarvedMs;
}

/** How often an overdue compile is looked at again while its worker is starved. */
const RECHECK_MS = 250;
const ENTRY = new URL('./compile-worker.ts', import.meta.url);

interface Job {
  code: string;
  resolve(compiled: Compiled): void;
  reject(error: Error): void;
}

interface Running {
  job: Job;
  id: number;
  startedAt: number;
  /** The worker's CPU time (ms) when the compile was sent. */
  cpuAt: Promise<number | null>;
  timer: NodeJS.Timeout;
}

/** The worker thread's own CPU time, ms (not the process's). */
function threadCpuMs(thread: Worker): Promise<number | null> {
  if (typeof thread.cpuUsage !== 'function') return Promise.resolve(null);
  return thread.cpuUsage().then(
    (usage) => (usage.user + usage.system) / 1000,
    () => null,
  );
}

export function createCompiler(limits: CompilerLimits, entry: URL = ENTRY): Compiler {
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let ready = false;
  let running: Running | null = null;
  let ids = 0;

  const finish = (): Running | null => {
    const was = running;
    if (was) clearTimeout(was.timer);
    running = null;
    return was;
  };

  /** The worker keeps the process alive while a compile waits for it, never when idle. */
  const hold = (): void => {
    if (running !== null || queue.length > 0) worker?.ref();
    else worker?.unref();
  };

  const spawn = (): void => {
    const thread = new Worker(entry, { name: 'ts-lab-compiler', resourceLimits: { maxOldGenerationSizeMb: limits.heapMiB } });
    worker = thread;
    ready = false;
    const boot = setTimeout(() => gone(new Error(`the TypeScript compiler did not start within ${limits.bootMs / 1000} s`)), limits.bootMs);
    boot.unref();
    /** The thread failed or ended by itself (not by kill()). */
    const gone = (error: Error): void => {
      clearTimeout(boot);
      if (thread !== worker) return;
      worker = null;
      void thread.terminate();
      const was = finish();
      if (was) {
        // The learner's code made the compiler run out of memory; anything else is the compiler's fault.
        if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') was.job.resolve(refusal({ why: 'memory', mib: limits.heapMiB }));
        else was.job.reject(error);
        next();
      } else if (!ready) {
        // It never loaded TypeScript: the labs waiting for it fail with that, rather than start one worker after another.
        for (const job of queue.splice(0)) job.reject(error);
      }
    };
    thread.on('message', (message: FromCompiler) => {
      if (thread !== worker) return;
      if (message.t === 'ready') {
        clearTimeout(boot);
        ready = true;
        next();
        return;
      }
      if (running?.id !== message.id) return;
      const { job } = finish() as Running;
      if (message.t === 'done') job.resolve(message.compiled);
      else job.reject(new Error(`the TypeScript compiler failed: ${message.message}`));
      next();
    });
    thread.on('error', gone);
    thread.on('exit', (code) => gone(new Error(`the TypeScript compiler's thread exited (code ${code})`)));
    hold();
  };

  /** Ends the worker in the middle of a compile that ran too long; a new one starts at once, warm for the next Run. */
  const kill = (thread: Worker): void => {
    const was = finish();
    worker = null;
    void thread.terminate();
    was?.job.resolve(refusal({ why: 'slow', seconds: limits.compileMs / 1000 }));
    spawn();
  };

  const check = (): void => {
    const now = running;
    const thread = worker;
    if (now === null || thread === null) return;
    void Promise.all([now.cpuAt, threadCpuMs(thread)]).then(([at, cpu]) => {
      if (running !== now || worker !== thread) return;
      if (compileOverdue(Date.now() - now.startedAt, at === null || cpu === null ? null : cpu - at, limits)) kill(thread);
      else {
        now.timer = setTimeout(check, RECHECK_MS);
        now.timer.unref();
      }
    });
  };

  const next = (): void => {
    if (running === null && queue.length > 0) {
      if (worker === null) spawn();
      else if (ready) {
        const job = queue.shift() as Job;
        const id = ++ids;
        running = { job, id, startedAt: Date.now(), cpuAt: threadCpuMs(worker), timer: setTimeout(check, limits.compileMs) };
        running.timer.unref();
        worker.postMessage({ id, code: job.code } satisfies ToCompiler);
      }
    }
    hold();
  };

  return {
    compile(code) {
      return new Promise((resolve, reject) => {
        queue.push({ code, resolve, reject });
        next();
      });
    },
    async dispose() {
      const thread = worker;
      worker = null;
      ready = false;
      const error = new Error('the TypeScript compiler was stopped (the companion is closing)');
      finish()?.job.reject(error);
      for (const job of queue.splice(0)) job.reject(error);
      if (thread) await thread.terminate();
    },
  };
}
