/**
 * The lab's watch on its nginx worker. A Lua handler that never yields (a
 * learner's `while true do end`) holds the one worker: no other connection
 * is served, and on a real server it stays so until someone kills it. The
 * embedded engine stops such code after an instruction budget and the
 * TypeScript engine after a silent, busy second; here the worker is asked
 * `/__ready` (served by the same worker, between Lua yields) every tick, and
 * one that has not answered for `stallMs` while it burns CPU, or for
 * `silentMs` whatever it does (a call that blocks the process), is killed.
 * nginx's master starts a new worker, so the lab server goes on, as nginx
 * does after a worker crash; the learner's log says what happened and why,
 * and for a loop, at which line of the learner's code the worker was (what the
 * worker last wrote of it, when it wrote that just before the kill).
 */
export const NGINX_WATCH = {
  tickMs: 500,
  /** Unanswered this long while busy (at least a quarter of the time on a CPU): a loop that never yields. */
  stallMs: 2000,
  /** Unanswered this long whatever the CPU: a blocking call, or a worker starved on a loaded machine, which gets this much grace. */
  silentMs: 15_000,
  /** A tick this much later than planned: the companion itself was held up, which says nothing about the worker. */
  lateMs: 400,
  /** Resident memory past this kills the worker, as the TypeScript engine caps its child (an idle worker holds about 10 MiB). */
  rssBytes: 256 * 1024 * 1024,
  /**
   * A busy worker's last written line names the loop only if written this close to the kill: the worker
   * writes it as the learner's Lua runs (every few ms), so an older one is where it was before a C call
   * that held it since (a pattern match on a long string), and the message then names no line.
   */
  seenMs: 1000,
} as const;

/** Where a worker last ran the learner's code: the handler's line, and when (ms, on the clock of WatchEnv.now). */
export interface WorkerSeen {
  line: number;
  at: number;
}

export interface WatchEnv {
  now(): number;
  /** The worker's pid; null while there is none (nginx is starting one). */
  worker(): number | null;
  /** The CPU time the process used or waited for in a run queue (proc.ts `cpuDemandMs`); null where it cannot be read. */
  cpuMs(pid: number): number | null;
  /** The process's resident memory; null where it cannot be read. */
  residentBytes(pid: number): number | null;
  /** Asks the worker something only it answers: resolves when it has, rejects when the request failed. */
  probe(): Promise<void>;
  kill(pid: number): void;
  /**
   * Where a worker killed as busy last ran the learner's code; null when it never did, or that cannot
   * be told. Asked once the kill is sent; a report waits for its answer, so it must always settle.
   */
  where(pid: number): Promise<WorkerSeen | null>;
  /** One line for the learner's log, with the learner's line when it is known. */
  report(text: string, line: number | null): void;
}

/** What the log says when a worker is killed for holding the CPU without yielding. */
export function busyMessage(seconds: number, line: number | null): string {
  return (
    `your handler kept nginx's worker busy for ${seconds} s without yielding (an endless loop?)${line === null ? '' : ` at line ${line}`}, so no other connection was served. ` +
    'The lab killed that worker and nginx started a new one; a real nginx would stay stuck. Lua in nginx must give the worker back: end the loop, or wait in it (a socket read, ngx.sleep).'
  );
}

export class WorkerWatchdog {
  readonly #env: WatchEnv;
  #lastTick: number;
  #pid: number | null = null;
  #answeredAt: number;
  #cpuAtAnswer: number | null = null;
  #probing = false;
  /**
   * The worker last killed, while nginx still lists it: dying takes a while (freeing 256 MiB did on a loaded
   * machine), and judged again it would be killed, and reported, once more.
   */
  #killed: number | null = null;

  constructor(env: WatchEnv) {
    this.#env = env;
    this.#lastTick = env.now();
    this.#answeredAt = this.#lastTick;
  }

  /** Called every `tickMs`. */
  tick(): void {
    const now = this.#env.now();
    const late = now - this.#lastTick > NGINX_WATCH.tickMs + NGINX_WATCH.lateMs;
    this.#lastTick = now;
    const pid = this.#env.worker();
    if (pid === null || pid === this.#killed) {
      this.#pid = null;
      return;
    }
    this.#killed = null;
    if (pid !== this.#pid || late) {
      // A new worker's time starts now, and so does everyone's after the companion was held up.
      this.#pid = pid;
      this.#answered(now);
    }
    if (!this.#probing) {
      this.#probing = true;
      const asked = pid;
      this.#env.probe().then(
        () => {
          this.#probing = false;
          if (this.#pid === asked) this.#answered(this.#env.now());
        },
        () => {
          this.#probing = false;
        },
      );
    }
    const rss = this.#env.residentBytes(pid);
    if (rss !== null && rss > NGINX_WATCH.rssBytes) {
      this.#kill(
        pid,
        `your handler's nginx worker grew to ${Math.round(rss / 1024 / 1024)} MiB of memory (a lab's limit is ${NGINX_WATCH.rssBytes / 1024 / 1024} MiB: something that only grows, such as a table of every message?). ` +
          'The lab killed that worker and nginx started a new one; the connections it held dropped.',
      );
      return;
    }
    const silence = now - this.#answeredAt;
    const cpu = this.#env.cpuMs(pid);
    const busy = cpu !== null && this.#cpuAtAnswer !== null && cpu - this.#cpuAtAnswer >= silence / 4;
    if (!((silence > NGINX_WATCH.stallMs && busy) || silence > NGINX_WATCH.silentMs)) return;
    const seconds = Math.round(silence / 1000);
    if (busy) {
      this.#env.kill(pid);
      this.#pid = null;
      this.#killed = pid;
      // The line it was at, if it wrote one just now: written earlier, it is where a C call began, not a loop.
      const say = (seen: WorkerSeen | null): void => {
        const line = seen !== null && now - seen.at <= NGINX_WATCH.seenMs ? seen.line : null;
        this.#env.report(busyMessage(seconds, line), line);
      };
      this.#env.where(pid).then(say, () => say(null));
      return;
    }
    this.#kill(
      pid,
      `nginx's worker did not answer for ${seconds} s (a call that blocks the whole process, such as os.execute or io.read?), so no other connection was served. ` +
        'The lab killed that worker and nginx started a new one. In nginx, wait only with calls that yield: cosocket reads, ngx.sleep.',
    );
  }

  #kill(pid: number, why: string): void {
    this.#env.kill(pid);
    this.#pid = null;
    this.#killed = pid;
    this.#env.report(why, null);
  }

  #answered(now: number): void {
    this.#answeredAt = now;
    this.#cpuAtAnswer = this.#pid === null ? null : this.#env.cpuMs(this.#pid);
  }
}
