import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../protocol/constants.ts';
import { feedServerMessageSchema, serverFiguresSchema, tickSchema, type Tick } from '../../../protocol/feed.ts';
import { open, refused, useServer, type Client } from './helpers.ts';

const t = await useServer();

function nth<T>(items: readonly T[], i: number): T {
  const item = items.at(i);
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

async function ticks(c: Client, n: number): Promise<Tick[]> {
  const out: Tick[] = [];
  while (out.length < n) {
    const m = feedServerMessageSchema.parse(await c.json());
    if (m.type === 'tick') out.push(m);
  }
  return out;
}

describe('/feed', () => {
  it('pushes ticks of the asked topics with a growing shared seq', async () => {
    const c = await open(`${t.ws}/feed?topics=fast`);
    const got = await ticks(c, 3);
    for (const tick of got) expect(tickSchema.parse(tick).topic).toBe('fast');
    expect(nth(got, 1).seq).toBeGreaterThan(nth(got, 0).seq);
    expect(nth(got, 2).seq).toBeGreaterThan(nth(got, 1).seq);
    c.ws.close();
    await c.closeCode();
  });

  it('publishes real process figures on the server topic', async () => {
    const c = await open(`${t.ws}/feed?topics=server`);
    const figures = serverFiguresSchema.parse(nth(await ticks(c, 1), 0).value);
    expect(figures.connections).toBeGreaterThanOrEqual(1);
    expect(figures.rssBytes).toBeGreaterThan(1_000_000);
    c.ws.close();
    await c.closeCode();
  });

  it('subscribes and unsubscribes, answering with the full topic list', async () => {
    const c = await open(`${t.ws}/feed?topics=fast`);
    c.send(JSON.stringify({ type: 'subscribe', topics: ['acme', 'server'] }));
    expect(await c.until((m) => m['type'] === 'subscribed')).toEqual({ type: 'subscribed', topics: ['acme', 'server', 'fast'] });
    c.send(JSON.stringify({ type: 'unsubscribe', topics: ['fast', 'server'] }));
    expect(await c.until((m) => m['type'] === 'subscribed')).toEqual({ type: 'subscribed', topics: ['acme'] });
    expect(nth(await ticks(c, 1), 0).topic).toBe('acme');
    c.send(JSON.stringify({ type: 'subscribe', topics: ['nasdaq'] }));
    expect(await c.until((m) => m['type'] === 'error')).toMatchObject({ code: 'unknown_topic' });
    c.send('nope');
    expect(await c.until((m) => m['type'] === 'error')).toMatchObject({ code: 'bad_json' });
    c.send('{"type":"sell"}');
    expect(await c.until((m) => m['type'] === 'error')).toMatchObject({ code: 'unknown_type' });
    c.send('{"type":"subscribe","topics":"fast"}');
    expect(await c.until((m) => m['type'] === 'error')).toMatchObject({ code: 'bad_message' });
    c.ws.close();
    await c.closeCode();
  });

  it('defaults to the tickers', async () => {
    const c = await open(`${t.ws}/feed`);
    const got = await ticks(c, 3);
    for (const tick of got) expect(['acme', 'globex', 'initech']).toContain(tick.topic);
    c.ws.close();
    await c.closeCode();
  });

  it('refuses unknown topics and a bad since with 400', async () => {
    expect(await refused(`${t.ws}/feed?topics=fast,nasdaq`)).toMatchObject({ status: 400, body: { error: 'bad_topics' } });
    expect(await refused(`${t.ws}/feed?since=-1`)).toMatchObject({ status: 400, body: { error: 'bad_since' } });
    expect(await refused(`${t.ws}/feed?since=abc`)).toMatchObject({ status: 400, body: { error: 'bad_since' } });
  });

  it('replays, in order, the missed ticks of a client reconnecting with ?since, then goes live', async () => {
    const watcher = await open(`${t.ws}/feed?topics=fast`);
    const learner = await open(`${t.ws}/feed?topics=fast`);
    const seen = nth(await ticks(learner, 1), 0);
    learner.ws.close();
    await learner.closeCode();
    // Let the feed move on while the learner is away: the watcher sees what it misses.
    const watched = (await ticks(watcher, 20)).filter((x) => x.seq > seen.seq);
    const back = await open(`${t.ws}/feed?topics=fast&since=${seen.seq}`);
    const replayed: Tick[] = [];
    for (;;) {
      const m = feedServerMessageSchema.parse(await back.json());
      if (m.type === 'resumed') {
        expect(m).toEqual({ type: 'resumed', since: seen.seq, replayed: replayed.length, complete: true });
        break;
      }
      if (m.type === 'tick') replayed.push(m);
    }
    expect(replayed.slice(0, watched.length)).toEqual(watched);
    expect(nth(await ticks(back, 1), 0).seq).toBeGreaterThan(nth(replayed, -1).seq);
    for (const c of [watcher, back]) c.ws.close();
    await Promise.all([watcher.closeCode(), back.closeCode()]);
  });

  it('closes with 1003 on a binary frame', async () => {
    const c = await open(`${t.ws}/feed`);
    c.send(Buffer.from([1]));
    expect((await c.closeCode()).code).toBe(CLOSE.unsupportedData);
  });
});
