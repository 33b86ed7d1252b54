import { CLOSE, LIMITS } from '../../protocol/constants.ts';
import { ERROR_CODES, type ErrorMessage } from '../../protocol/errors.ts';
import {
  DEFAULT_FEED_TOPICS,
  FEED_COMMAND_TYPES,
  FEED_PARAMS,
  FEED_TOPIC_NAMES,
  FEED_TOPICS,
  feedCommandSchema,
  type FeedServerMessage,
  type FeedTopic,
  type ServerFigures,
  type Tick,
} from '../../protocol/feed.ts';
import { Feed, FeedSubscription, RandomWalk, waveAt } from '../core/feed.ts';
import { MemoryBus } from '../scale/bus.ts';
import { Outlet } from './outlet.ts';
import type { Connection, Endpoint, EndpointContext } from './types.ts';

/** How often a process with listeners renews (or tries to take) the lead of the feed; the lead lasts 3× this. */
const LEAD_MS = 1_000;

const isTopic = (name: string): name is FeedTopic => (FEED_TOPIC_NAMES as string[]).includes(name);

export interface FeedDeps {
  /** The real figures of the server process, for the `server` topic. */
  figures: () => ServerFigures;
  random?: () => number;
}

interface Subscriber {
  conn: Connection;
  outlet: Outlet;
  sub: FeedSubscription;
}

/**
 * `/feed`: topics tick on their own timers while anyone listens (and for a
 * while after, so a reconnect with `?since=` finds the ticks it missed).
 */
export function feedEndpoint(ctx: EndpointContext, deps: FeedDeps): Endpoint & { feed: Feed; stop(): void } {
  const random = deps.random ?? Math.random;
  const bus = ctx.bus ?? new MemoryBus();
  const feed = new Feed({ now: ctx.now, replaySize: LIMITS.feedReplay, bus });
  const subscribers = new Set<Subscriber>();
  const walks: Record<string, RandomWalk> = {
    acme: new RandomWalk(100, 0.005, random),
    globex: new RandomWalk(50, 0.005, random),
    initech: new RandomWalk(20, 0.005, random),
  };
  const valueOf = (topic: FeedTopic): Tick['value'] => {
    if (topic === 'server') return deps.figures();
    if (topic === 'fast') return waveAt(ctx.now(), random);
    return (walks[topic] as RandomWalk).next();
  };

  let timers: NodeJS.Timeout[] = [];
  let linger: NodeJS.Timeout | null = null;
  // With several processes one of them produces the ticks (whichever holds the lead in Redis), the
  // others relay them; alone, or while Redis is down, this process produces its own.
  let leading = bus.state() !== 'up';
  const lead = (): void => {
    bus.lead('feed', LEAD_MS * 3).then(
      (yes) => (leading = yes),
      () => (leading = bus.state() !== 'up'),
    );
  };

  feed.onTick((tick, json) => {
    const walk = walks[tick.topic];
    // Another process's tick: a later lead here goes on from its value instead of jumping.
    if (walk && typeof tick.value === 'number') walk.set(tick.value);
    for (const s of subscribers) {
      if (!s.sub.topics.has(tick.topic) || !s.conn.open) continue;
      const { send } = s.sub.offer(tick, s.outlet.decide());
      for (const t of send) s.conn.send(t === tick ? json : JSON.stringify(t), false);
    }
  });
  const emit = (topic: FeedTopic): void => {
    if (leading) feed.produce(topic, valueOf(topic));
  };
  const start = (): void => {
    if (linger) clearTimeout(linger);
    linger = null;
    if (timers.length) return;
    timers = FEED_TOPIC_NAMES.map((topic) => {
      const timer = setInterval(() => emit(topic), FEED_TOPICS[topic].periodMs);
      timer.unref();
      return timer;
    });
    if (bus.state() !== 'local') {
      lead();
      const leadTimer = setInterval(lead, LEAD_MS);
      leadTimer.unref();
      timers.push(leadTimer);
    }
  };
  const stop = (): void => {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    if (linger) clearTimeout(linger);
    linger = null;
  };

  const send = (conn: Connection, message: FeedServerMessage): void => conn.send(JSON.stringify(message), false);
  const error = (conn: Connection, code: ErrorMessage['code'], message: string): void =>
    send(conn, { type: 'error', code, message });

  const parseTopics = (raw: string | null): FeedTopic[] | string => {
    if (raw === null) return [...DEFAULT_FEED_TOPICS];
    const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) return 'no topics given';
    const unknown = names.filter((n) => !isTopic(n));
    if (unknown.length) return `unknown topic ${JSON.stringify(unknown[0])}; topics are ${FEED_TOPIC_NAMES.join(', ')}`;
    return names as FeedTopic[];
  };

  return {
    kind: 'feed',
    feed,
    stop,
    admit: (params) => {
      const topics = parseTopics(params.get(FEED_PARAMS.topics));
      if (typeof topics === 'string') return { ok: false, status: 400, error: 'bad_topics', message: `?topics: ${topics}.` };
      const sinceRaw = params.get(FEED_PARAMS.since);
      const since = sinceRaw === null ? null : Number(sinceRaw);
      if (since !== null && (!/^\d+$/.test(sinceRaw ?? '') || !Number.isSafeInteger(since))) {
        return { ok: false, status: 400, error: 'bad_since', message: '?since must be the last seq you saw, a whole number ≥ 0.' };
      }
      return {
        ok: true,
        open: (conn) => {
          const s: Subscriber = { conn, outlet: new Outlet(conn, ctx), sub: new FeedSubscription(topics) };
          if (since !== null) {
            const { ticks, complete } = feed.replay(since, s.sub.topics);
            for (const tick of ticks) send(conn, tick);
            send(conn, { type: 'resumed', since, replayed: ticks.length, complete });
          }
          subscribers.add(s);
          start();
          return {
            message: (data, isBinary) => {
              if (isBinary) {
                conn.close(CLOSE.unsupportedData, 'feed accepts text frames only');
                return;
              }
              let json: unknown;
              try {
                json = JSON.parse(data.toString('utf8'));
              } catch {
                error(conn, ERROR_CODES.badJson, 'Commands are JSON, e.g. {"type":"subscribe","topics":["fast"]}.');
                return;
              }
              const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
              if (typeof type !== 'string' || !(FEED_COMMAND_TYPES as readonly string[]).includes(type)) {
                error(conn, ERROR_CODES.unknownType, `Unknown message type ${JSON.stringify(type ?? null)}; send "subscribe" or "unsubscribe".`);
                return;
              }
              const parsed = feedCommandSchema.safeParse(json);
              if (!parsed.success) {
                error(conn, ERROR_CODES.badMessage, `Invalid "${type}": "topics" must be an array of topic names.`);
                return;
              }
              const unknown = parsed.data.topics.find((t) => !isTopic(t));
              if (unknown !== undefined) {
                error(conn, ERROR_CODES.unknownTopic, `Unknown topic ${JSON.stringify(unknown)}; topics are ${FEED_TOPIC_NAMES.join(', ')}.`);
                return;
              }
              for (const topic of parsed.data.topics as FeedTopic[]) {
                if (parsed.data.type === 'subscribe') s.sub.topics.add(topic);
                else s.sub.unsubscribe(topic);
              }
              send(conn, { type: 'subscribed', topics: FEED_TOPIC_NAMES.filter((t) => s.sub.topics.has(t)) });
            },
            closed: () => {
              subscribers.delete(s);
              if (subscribers.size === 0 && timers.length && !linger) {
                linger = setTimeout(stop, LIMITS.feedLingerSeconds * 1000);
                linger.unref();
              }
            },
          };
        },
      };
    },
  };
}
