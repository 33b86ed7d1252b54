// Request and response over one WebSocket. Every request carries an id and
// the reply carries it back, so replies may arrive in any order. A request
// with no reply in time is sent again with the SAME id: a server that
// remembers the ids it answered can then answer a retry without doing the
// work twice. The socket and the clock are passed in, so tests use fakes.
export interface Reply {
  id: number;
  type: string;
  [field: string]: unknown;
}

export interface RequesterEnv {
  send(text: string): void;
  setTimer(fire: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

export interface RequestOptions {
  /** How long to wait for the reply to each attempt. */
  timeoutMs: number;
  /** How many times to send again after the first attempt. */
  retries: number;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  timer: unknown;
}

export function createRequester(env: RequesterEnv) {
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function request(message: { type: string; [field: string]: unknown }, options: RequestOptions): Promise<Reply> {
    const id = nextId++;
    const text = JSON.stringify({ ...message, id });
    return new Promise((resolve, reject) => {
      let retriesLeft = options.retries;
      const attempt = (): void => {
        env.send(text);
        const timer = env.setTimer(() => {
          if (retriesLeft > 0) {
            retriesLeft -= 1;
            attempt();
          } else {
            pending.delete(id);
            reject(new Error(`no reply to "${message.type}" #${id} after ${options.retries + 1} attempts`));
          }
        }, options.timeoutMs);
        pending.set(id, { resolve, reject, timer });
      };
      attempt();
    });
  }

  /** Give it every incoming text message; true when it answered a pending request. */
  function receive(text: string): boolean {
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      return false;
    }
    const id = (reply as { id?: unknown } | null)?.id;
    const entry = typeof id === 'number' ? pending.get(id) : undefined;
    if (entry === undefined) return false; // not a reply, or a late duplicate of one already settled
    env.clearTimer(entry.timer);
    pending.delete(id as number);
    entry.resolve(reply as Reply);
    return true;
  }

  /** The connection closed: nothing pending will be answered on it. */
  function failAll(reason: string): void {
    for (const entry of pending.values()) {
      env.clearTimer(entry.timer);
      entry.reject(new Error(reason));
    }
    pending.clear();
  }

  return { request, receive, failAll, pendingCount: () => pending.size };
}
