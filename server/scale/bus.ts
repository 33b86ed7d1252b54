/**
 * What the shared parts of the companion (broadcast, chat, feed) need from
 * "the other processes": fan-out in one order, numbered logs, a roster of
 * names. `MemoryBus` is one process on its own, synchronous, exactly the
 * behaviour of a companion without `--redis`; `RedisBus` (redis-bus.ts)
 * shares the same operations between processes.
 *
 * Every message reaches its handlers through the bus, the sender's process
 * included: a core never delivers locally AND through the bus, so a client
 * gets each message once whatever process it is on.
 */

/**
 * `local`: no Redis configured, one process. `up`: shared through Redis.
 * `down`: Redis configured but unreachable; this process serves its own
 * clients alone until it reconnects.
 */
export type BusState = 'local' | 'up' | 'down';

/** A log entry the bus numbers: `head + seq + tail`, published as `prefix + entry`. */
export interface Numbered {
  /** Routing the cores put before the entry on the channel (not stored in the log). */
  prefix: string;
  head: string;
  tail: string;
}

/** The messages that announce a name arriving and leaving, and a process's whole list, on `channel`. */
export interface RosterSpec {
  channel: string;
  /** `owner`: the process that holds the name. */
  joined(name: string, owner: string): string;
  left(name: string): string;
  /** Every name `owner` holds, after it reconnected: what others still list for it and is not here has left. */
  snapshot(owner: string, names: readonly string[]): string;
}

/** Names held by the processes on the bus, each by one process. */
export interface Roster {
  /** Claims `name` for this process and publishes `joined(name)`; calls `refused` if another process holds it. */
  enter(name: string, refused: () => void): void;
  /** Releases `name` if this process holds it and publishes `left(name)`. */
  exit(name: string): void;
  /** Every name held, by any process, with its holder (empty when not shared). */
  holders(): Promise<Record<string, string>>;
  /** After a reconnect: holds exactly `local` for this process again, and publishes their snapshot. */
  reconcile(local: readonly string[]): Promise<void>;
}

/** The Redis channel that carries a bus channel (and the name the inspector shows for the hop). */
export const redisChannel = (channel: string): string => `fd:${channel}`;

/** A message handed to a handler: `viaRedis` when it came back from Redis, false when this process delivered it alone. */
export type BytesHandler = (data: Buffer, viaRedis: boolean) => void;

export interface Bus {
  /** This process among those on the bus. */
  readonly id: string;
  state(): BusState;
  /** Handlers for text published on `channel`. */
  on(channel: string, handler: (text: string) => void): void;
  /** Handlers for bytes published on `channel`. */
  onBytes(channel: string, handler: BytesHandler): void;
  /** Runs (awaited, one at a time) each time the bus is shared again: at start and after every reconnect; `state()` says `up` once they are done. */
  onUp(handler: () => Promise<void>): void;
  /**
   * To every handler of `channel` in every process, this one included, in the one order the bus sets.
   * True when the message went to Redis; false when this process delivered it alone (no Redis, or Redis down).
   */
  publish(channel: string, payload: string | Buffer): boolean;
  /**
   * Numbers `entry` with the next seq of `channel` (always above `floor`, the
   * last seq the caller has seen), keeps it in the channel's log of the last
   * `keep` entries and publishes it like `publish`.
   */
  append(channel: string, entry: Numbered, floor: number, keep: number): void;
  /**
   * The channel's log, oldest first (empty when not shared), after raising its
   * counter to at least `floor`: numbers this process gave out alone, while
   * Redis was down or after it restarted empty, are not given out again.
   */
  sync(channel: string, floor: number): Promise<string[]>;
  roster(name: string, spec: RosterSpec): Roster;
  /** True while this process holds `role` (one process at a time); renew before `ttlMs`. */
  lead(role: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

type TextHandler = (text: string) => void;

/** One process: publish calls the handlers at once, in call order. */
export class MemoryBus implements Bus {
  readonly id = 'local';
  private readonly text = new Map<string, TextHandler[]>();
  private readonly bytes = new Map<string, BytesHandler[]>();

  state(): BusState {
    return 'local';
  }

  on(channel: string, handler: TextHandler): void {
    this.text.set(channel, [...(this.text.get(channel) ?? []), handler]);
  }

  onBytes(channel: string, handler: BytesHandler): void {
    this.bytes.set(channel, [...(this.bytes.get(channel) ?? []), handler]);
  }

  onUp(): void {}

  /** `viaRedis`: RedisBus hands what its subscriber received on to the handlers through here. */
  publish(channel: string, payload: string | Buffer, viaRedis = false): false {
    for (const handler of this.text.get(channel) ?? []) handler(typeof payload === 'string' ? payload : payload.toString('utf8'));
    for (const handler of this.bytes.get(channel) ?? []) handler(typeof payload === 'string' ? Buffer.from(payload) : payload, viaRedis);
    return false;
  }

  append(channel: string, entry: Numbered, floor: number): void {
    this.publish(channel, `${entry.prefix}${entry.head}${floor + 1}${entry.tail}`);
  }

  sync(): Promise<string[]> {
    return Promise.resolve([]);
  }

  roster(_name: string, spec: RosterSpec): Roster {
    return {
      enter: (name) => this.publish(spec.channel, spec.joined(name, this.id)),
      exit: (name) => this.publish(spec.channel, spec.left(name)),
      holders: () => Promise.resolve({}),
      reconcile: () => Promise.resolve(),
    };
  }

  lead(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
