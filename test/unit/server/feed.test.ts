import { describe, expect, it } from 'vitest';
import { tickSchema, type Tick } from '../../../protocol/feed.ts';
import { Feed, FeedSubscription, RandomWalk, waveAt } from '../../../server/core/feed.ts';

const clock = () => {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('Feed', () => {
  it('numbers ticks with one sequence shared by all topics', () => {
    const feed = new Feed({ now: clock().now, replaySize: 10 });
    const a = feed.produce('acme', 100);
    const b = feed.produce('fast', 0.5);
    expect(tickSchema.parse(a)).toEqual({ type: 'tick', seq: 1, ts: 1_700_000_000_000, topic: 'acme', value: 100 });
    expect(b?.seq).toBe(2);
    expect(feed.lastSeq).toBe(2);
  });

  it('replays the ticks after `since` on the asked topics, in order', () => {
    const feed = new Feed({ now: clock().now, replaySize: 100 });
    for (let i = 0; i < 10; i++) feed.produce(i % 2 ? 'fast' : 'acme', i);
    const { ticks, complete } = feed.replay(4, new Set(['fast']));
    expect(ticks.map((t) => t.seq)).toEqual([6, 8, 10]);
    expect(complete).toBe(true);
    expect(feed.replay(10, new Set(['fast']))).toEqual({ ticks: [], complete: true });
  });

  it('says incomplete when the ring no longer holds what came after `since`', () => {
    const feed = new Feed({ now: clock().now, replaySize: 5 });
    for (let i = 0; i < 12; i++) feed.produce('fast', i);
    expect(feed.replay(7, new Set(['fast'])).complete).toBe(true);
    const late = feed.replay(6, new Set(['fast']));
    expect(late.ticks.map((t) => t.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(late.complete).toBe(false);
    expect(feed.replay(99, new Set(['fast']))).toEqual({ ticks: [], complete: false });
  });

  it('keeps the last 1,000 ticks when sized so', () => {
    const feed = new Feed({ now: clock().now, replaySize: 1_000 });
    for (let i = 0; i < 1_500; i++) feed.produce('fast', i);
    const { ticks } = feed.replay(0, new Set(['fast']));
    expect(ticks).toHaveLength(1_000);
    expect(ticks[0]?.seq).toBe(501);
  });
});

describe('FeedSubscription', () => {
  const tick = (seq: number, topic: Tick['topic']): Tick => ({ type: 'tick', seq, ts: 0, topic, value: seq });

  it('passes ticks of its topics and ignores the others', () => {
    const sub = new FeedSubscription(['acme']);
    expect(sub.offer(tick(1, 'acme'), 'send')).toEqual({ send: [tick(1, 'acme')], close: false });
    expect(sub.offer(tick(2, 'fast'), 'send')).toEqual({ send: [], close: false });
  });

  it('while slow keeps only the newest tick per topic, and sends them in seq order once drained', () => {
    const sub = new FeedSubscription(['acme', 'fast']);
    for (const [seq, topic] of [[1, 'fast'], [2, 'acme'], [3, 'fast'], [4, 'fast']] as const) {
      expect(sub.offer(tick(seq, topic), 'drop').send).toEqual([]);
    }
    expect(sub.conflated).toBe(2);
    expect(sub.offer(tick(5, 'acme'), 'send').send.map((t) => t.seq)).toEqual([2, 4, 5]);
    expect(sub.offer(tick(6, 'acme'), 'send').send.map((t) => t.seq)).toEqual([6]);
  });

  it('asks to close when the policy says so, and forgets an unsubscribed topic', () => {
    const sub = new FeedSubscription(['acme', 'fast']);
    sub.offer(tick(1, 'fast'), 'drop');
    sub.unsubscribe('fast');
    expect(sub.offer(tick(2, 'acme'), 'send').send.map((t) => t.seq)).toEqual([2]);
    expect(sub.offer(tick(3, 'acme'), 'close')).toEqual({ send: [], close: true });
  });
});

describe('value generators', () => {
  it('moves a random walk by at most `step` of its value, rounded to cents', () => {
    const walk = new RandomWalk(100, 0.01, () => 1);
    expect(walk.next()).toBe(101);
    const down = new RandomWalk(100, 0.01, () => 0);
    expect(down.next()).toBe(99);
    const floor = new RandomWalk(1, 0.5, () => 0);
    expect(floor.next()).toBe(1);
  });

  it('draws a wave with a 10 s period', () => {
    expect(waveAt(0, () => 0.5)).toBe(0);
    expect(waveAt(2_500, () => 0.5)).toBe(1);
  });
});
