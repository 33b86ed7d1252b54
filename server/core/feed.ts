import type { FeedTopic, Tick } from '../../protocol/feed.ts';
import type { SendDecision } from './backpressure.ts';
import type { Clock } from './clock.ts';
import { Ring } from './ring.ts';

/**
 * The feed's memory: one sequence number shared by every topic and client,
 * and the last ticks in a ring so a reconnecting client can catch up.
 */
export class Feed {
  private seq = 0;
  private readonly ring: Ring<Tick>;
  private readonly now: Clock;

  constructor(options: { now: Clock; replaySize: number }) {
    this.now = options.now;
    this.ring = new Ring(options.replaySize);
  }

  get lastSeq(): number {
    return this.seq;
  }

  produce(topic: FeedTopic, value: Tick['value']): Tick {
    const tick: Tick = { type: 'tick', seq: ++this.seq, ts: this.now(), topic, value };
    this.ring.push(tick);
    return tick;
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
