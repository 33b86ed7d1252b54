import type { InspectEvent } from '../../protocol/inspect.ts';
import type { Clock } from './clock.ts';
import { Ring } from './ring.ts';
import { TokenBucket } from './token-bucket.ts';

export interface InspectHubOptions {
  now: Clock;
  /** Tagged events kept for late subscribers: at most this many… */
  replayEvents: number;
  /** …and no older than this. */
  replayMs: number;
  /** Frame events per second one subscriber gets; the rest are counted. */
  perSecond: number;
  burst: number;
}

/** Sends one JSON text; false when it could not (slow subscriber), so it is counted as dropped. */
export type InspectSink = (json: string) => boolean;

interface Subscriber {
  tag: string | null;
  /** Classroom mode: a learner's subscription sees only the connections of that learner; null sees every owner's. */
  owner: string | null;
  sink: InspectSink;
  budget: TokenBucket;
  dropped: number;
}

interface Buffered {
  tag: string;
  owner: string | null;
  at: number;
  /** Builds the event's JSON the first time someone needs it (a live subscriber or a replay). */
  json: () => string;
}

/**
 * A subscription's tag covers the connection tags equal to it or extending it
 * after a dot: a playground run tags each client's sockets `<run>.<client>`,
 * and one /inspect?fd-tag=<run> sees all of them, each named by its own tag.
 */
/** A subscription limited to an owner sees that owner's events only; an unlimited one sees all. */
function sees(sub: Pick<Subscriber, 'owner'>, owner: string | null): boolean {
  return sub.owner === null || sub.owner === owner;
}

export function tagCovers(subscription: string, connection: string | null): boolean {
  return connection !== null && (connection === subscription || connection.startsWith(`${subscription}.`));
}

/**
 * Fans the wire events of every connection out to /inspect subscribers.
 * A subscriber with a tag sees only that tag's connections, starting with a
 * replay of what was buffered for it. Frames beyond a subscriber's budget are
 * not sent but counted, and the count goes out as one `coalesced` event: a
 * browser can draw a few hundred events a second, not a flood. Handshakes,
 * ends and refusals always go out: a diagram needs them to make sense.
 */
export class InspectHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly recent: Ring<Buffered>;
  private readonly options: InspectHubOptions;
  private globalCount = 0;

  constructor(options: InspectHubOptions) {
    this.options = options;
    this.recent = new Ring(options.replayEvents);
  }

  /** True while at least one subscriber watches every connection (no tag). */
  get watchingAll(): boolean {
    return this.globalCount > 0;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** True when a subscriber would see a connection with `tag` and `owner` (one covering it, or one watching everything). */
  watches(tag: string | null, owner: string | null = null): boolean {
    if (this.globalCount > 0) return true;
    if (tag === null) return false;
    for (const sub of this.subscribers) if (sub.tag !== null && tagCovers(sub.tag, tag) && sees(sub, owner)) return true;
    return false;
  }

  /**
   * Publishes one event of a connection with `tag`. `make` builds it only when
   * someone sees it: a tagged event is kept for replay as its builder, and a
   * frame over every subscriber's budget is just counted, never built.
   * `owner` (classroom mode) is the learner whose connection it is: a learner's
   * subscription sees their own events only, whatever tag it names.
   */
  publish(tag: string | null, kind: InspectEvent['kind'], make: () => InspectEvent, owner: string | null = null): void {
    let json: string | null = null;
    const text = (): string => (json ??= JSON.stringify(make()));
    if (tag !== null) this.recent.push({ tag, owner, at: this.options.now(), json: text });
    for (const sub of this.subscribers) {
      if (sub.tag !== null && !tagCovers(sub.tag, tag)) continue;
      if (!sees(sub, owner)) continue;
      this.offer(sub, kind === 'frame', text);
    }
  }

  /** Starts a subscription (limited to one owner's connections when `owner` is given); returns the function that ends it. */
  subscribe(tag: string | null, sink: InspectSink, owner: string | null = null): () => void {
    const sub: Subscriber = {
      tag,
      owner,
      sink,
      budget: new TokenBucket(this.options.burst, this.options.perSecond, this.options.now),
      dropped: 0,
    };
    if (tag !== null) {
      const oldest = this.options.now() - this.options.replayMs;
      for (const item of this.recent.toArray()) {
        if (tagCovers(tag, item.tag) && sees(sub, item.owner) && item.at >= oldest && !sink(item.json())) sub.dropped += 1;
      }
    } else {
      this.globalCount += 1;
    }
    this.subscribers.add(sub);
    return () => {
      if (this.subscribers.delete(sub) && tag === null) this.globalCount -= 1;
    };
  }

  /** Sends pending `coalesced` counts; the endpoint calls it on a timer so a count is never stuck. */
  flush(): void {
    for (const sub of this.subscribers) this.flushCount(sub);
  }

  private flushCount(sub: Subscriber): void {
    if (sub.dropped === 0) return;
    const json = JSON.stringify({ kind: 'coalesced', t: this.options.now(), dropped: sub.dropped } satisfies InspectEvent);
    if (sub.sink(json)) sub.dropped = 0;
  }

  private offer(sub: Subscriber, droppable: boolean, text: () => string): void {
    if (droppable && !sub.budget.take()) {
      sub.dropped += 1;
      return;
    }
    this.flushCount(sub);
    if (!sub.sink(text())) sub.dropped += 1;
  }
}
