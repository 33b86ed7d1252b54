import type { FeedTopic, Tick } from '../../protocol/feed.ts';
import type { SendDecision } from './backpressure.ts';
import type { Clock } from './clock.ts';
import { MemoryBus, type Bus } from '../scale/bus.ts';
import { Ring } from './ring.ts';

/** The bus channel of the feed: each message is one tick's JSON. */
const CHANNEL = 'feed';

/**
 * The feed's memory: one sequence number shared by every topic and client,
 * and the last ticks in a ring so a reconnecting client can catch up.
 * Ticks are numbered by the bus (with several processes, by Redis, so every
 * process has the same seq for the same tick) and come back from it in seq
 * order: `onTick` listeners and the ring see them then.
 */
export class Feed {
  private seq = 0;
  private readonly ring: Ring<Tick>;
  private readonly now: Clock;
  private readonly bus: Bus;
  private readonly listeners: ((tick: Tick, json: string) => void)[] = [];
  private applied: Tick | undefined;

  constructor(options: { now: Clock; replaySize: number; bus?: Bus }) {
    this.now = options.now;
    this.ring = new Ring(options.replaySize);
    this.bus = options.bus ?? new MemoryBus();
    this.bus.on(CHANNEL, (json) => this.apply(json));
    this.bus.onUp(() => this.resync());
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Called with each new tick, in seq order, and its JSON. */
  onTick(listener: (tick: Tick, json: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Sends a tick out through the bus. Returns it when the bus delivered it at
   * once (one process); through Redis it comes back later, to `onTick`.
   */
  produce(topic: FeedTopic, value: Tick['value']): Tick | undefined {
    // The bus writes the seq between head and tail, so the JSON keeps Tick's key order.
    const rest = JSON.stringify({ ts: this.now(), topic, value });
    this.applied = undefined;
    this.bus.append(CHANNEL, { prefix: '', head: '{"type":"tick","seq":', tail: `,${rest.slice(1)}` }, this.seq, this.ring.capacity);
    const tick = this.applied;
    this.applied = undefined;
    return tick;
  }

  private apply(json: string): void {
    const tick = JSON.parse(json) as Tick;
    // Delivered whatever its seq; kept once: a tick read back from Redis at a resync may also come live.
    if (tick.seq > this.seq) {
      this.seq = tick.seq;
      this.ring.push(tick);
    } else if (!this.ring.toArray().some((t) => t.seq === tick.seq)) {
      this.ring.push(tick);
    }
    this.applied = tick;
    for (const listener of this.listeners) listener(tick, json);
  }

  /** The bus is shared (again): add the ticks Redis holds that this process missed. */
  private async resync(): Promise<void> {
    const logged = (await this.bus.sync(CHANNEL, this.seq)).map((entry) => JSON.parse(entry) as Tick);
    const bySeq = new Map<number, Tick>();
    for (const tick of [...this.ring.toArray(), ...logged]) bySeq.set(tick.seq, tick);
    const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-this.ring.capacity);
    this.ring.clear();
    for (const tick of merged) this.ring.push(tick);
    this.seq = Math.max(this.seq, merged.at(-1)?.seq ?? 0);
  }

  /**
   * Ticks after `since` on `topics`, oldest first. `complete` is false when
   * some ticks after `since` have already left the ring (or `since` is from
   * the future, e.g. from before a server restart).
   */
  replay(since: number, topics: ReadonlySet<FeedTopic>): { ticks: Tick[]; complete: boolean } {
    const all = this.ring.toArray();
    const oldest = all[0]?.seq ?? this.seq + 1;
    const complete = since <= this.seq && since >= oldest - 1;
    return { ticks: all.filter((t) => t.seq > since && topics.has(t.topic)), complete };
  }
}

/**
 * One client's view of the feed. While the client is a slow consumer, ticks
 * are conflated: only the newest per topic is kept, and sent (in seq order)
 * as soon as the client drains.
 */
export class FeedSubscription {
  readonly topics: Set<FeedTopic>;
  private readonly pending = new Map<FeedTopic, Tick>();
  /** Ticks replaced by a newer one of their topic before they could be sent. */
  conflated = 0;

  constructor(topics: Iterable<FeedTopic>) {
    this.topics = new Set(topics);
  }

  /** What to send now for a new tick, given the slow-consumer decision. */
  offer(tick: Tick, decision: SendDecision): { send: Tick[]; close: boolean } {
    if (!this.topics.has(tick.topic)) return { send: [], close: false };
    if (decision === 'close') return { send: [], close: true };
    if (decision === 'drop') {
      if (this.pending.has(tick.topic)) this.conflated += 1;
      this.pending.set(tick.topic, tick);
      return { send: [], close: false };
    }
    const send = [...this.pending.values(), tick].sort((a, b) => a.seq - b.seq);
    this.pending.clear();
    return { send, close: false };
  }

  unsubscribe(topic: FeedTopic): void {
    this.topics.delete(topic);
    this.pending.delete(topic);
  }
}

/** A price that drifts randomly, rounded to cents, never below 1. */
export class RandomWalk {
  private value: number;
  private readonly random: () => number;
  private readonly step: number;

  constructor(start: number, step: number, random: () => number) {
    this.value = start;
    this.step = step;
    this.random = random;
  }

  /** Goes on from `value`: the last tick of this topic, when another process produced it. */
  set(value: number): void {
    this.value = value;
  }

  next(): number {
    const change = (this.random() * 2 - 1) * this.step * this.value;
    this.value = Math.max(1, Math.round((this.value + change) * 100) / 100);
    return this.value;
  }
}

/** The `fast` topic: a sine wave (period 10 s) with a little noise, three decimals. */
export function waveAt(ms: number, random: () => number): number {
  const value = Math.sin((2 * Math.PI * ms) / 10_000) + (random() - 0.5) * 0.1;
  return Math.round(value * 1000) / 1000;
}
