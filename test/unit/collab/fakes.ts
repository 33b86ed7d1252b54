import type { Surface } from '../../../src/runtime/collab/binding.ts';
import type { Clock } from '../../../src/runtime/collab/network.ts';
import type { SocketLike } from '../../../src/runtime/collab/room.ts';

/** A clock whose time moves only when the test says so; timers fire in time order, ties in creation order. */
export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers = new Map<number, { at: number; seq: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Fires every timer due up to now + ms, in order (timers they start included). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (let next = this.#next(); next && next[1].at <= until; next = this.#next()) this.#fire(next);
    this.#now = until;
  }

  /** Fires timers until none is left (throws after `limit`, a loop that never settles). */
  runAll(limit = 100_000): void {
    for (let i = 0; i < limit; i++) {
      const next = this.#next();
      if (!next) return;
      this.#fire(next);
    }
    throw new Error('timers never settled');
  }

  #next(): [number, { at: number; seq: number; fn: () => void }] | undefined {
    let best: [number, { at: number; seq: number; fn: () => void }] | undefined;
    for (const entry of this.#timers) if (!best || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[1].seq < best[1].seq)) best = entry;
    return best;
  }

  #fire([id, timer]: [number, { at: number; fn: () => void }]): void {
    this.#timers.delete(id);
    this.#now = Math.max(this.#now, timer.at);
    timer.fn();
  }
}

/**
 * The companion's /broadcast in memory: every message to every open socket,
 * the sender included, each socket's messages in the order the relay got them.
 * `jitter` (ms) spreads deliveries to different sockets apart.
 */
export class FakeBroadcast {
  readonly sockets: FakeSocket[] = [];
  readonly #clock: FakeClock;
  readonly #jitter: () => number;
  readonly log: string[] = [];

  constructor(clock: FakeClock, jitter: () => number = () => 0) {
    this.#clock = clock;
    this.#jitter = jitter;
  }

  connect = (): FakeSocket => {
    const socket = new FakeSocket(this, this.#clock);
    this.sockets.push(socket);
    this.#clock.setTimeout(() => socket.opened(), this.#jitter());
    return socket;
  };

  relay(data: string): void {
    this.log.push(data);
    for (const socket of this.sockets) if (socket.readyState === 1) socket.deliver(data, this.#jitter());
  }
}

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  closedWith: { code: number | undefined; reason: string | undefined } | null = null;
  readonly #server: FakeBroadcast;
  readonly #clock: FakeClock;
  #lastArrival = 0;

  constructor(server: FakeBroadcast, clock: FakeClock) {
    this.#server = server;
    this.#clock = clock;
  }

  opened(): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.#server.relay(data);
  }

  /** A message from the relay, after `ms`, never overtaking an earlier one (one TCP stream). */
  deliver(data: string, ms: number): void {
    const at = Math.max(this.#clock.now() + ms, this.#lastArrival);
    this.#lastArrival = at;
    this.#clock.setTimeout(() => {
      if (this.readyState === 1) this.onmessage?.(new MessageEvent('message', { data }));
    }, at - this.#clock.now());
  }

  close(code?: number, reason?: string): void {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }

  /** The server closed it. */
  drop(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code, reason }));
  }
}

/** A textarea stand-in: a value, a selection, and keystrokes at the caret. */
export class FakeSurface implements Surface {
  value = '';
  selectionStart = 0;
  selectionEnd = 0;

  replace(value: string, start: number, end: number): void {
    this.value = value;
    this.selectionStart = Math.min(start, value.length);
    this.selectionEnd = Math.min(end, value.length);
  }

  caret(at: number, end = at): void {
    this.selectionStart = at;
    this.selectionEnd = end;
  }

  /** Types `text` over the selection, as a keyboard would (the caller then reports the input). */
  type(text: string): void {
    this.value = this.value.slice(0, this.selectionStart) + text + this.value.slice(this.selectionEnd);
    this.selectionStart += text.length;
    this.selectionEnd = this.selectionStart;
  }

  backspace(): void {
    if (this.selectionStart === this.selectionEnd) {
      if (this.selectionStart === 0) return;
      this.selectionStart -= 1;
    }
    this.value = this.value.slice(0, this.selectionStart) + this.value.slice(this.selectionEnd);
    this.selectionEnd = this.selectionStart;
  }
}
