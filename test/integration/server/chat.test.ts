import { describe, expect, it } from 'vitest';
import { tokenResponseSchema } from '../../../protocol/chat.ts';
import { CLOSE } from '../../../protocol/constants.ts';
import { HTTP_PATHS } from '../../../protocol/endpoints.ts';
import { startServer } from '../../../server/app.ts';
import { open, refused, useServer } from './helpers.ts';

// A rate limit that cannot refill during a test: 3 messages, then 2 refusals, then 1008.
const t = await useServer({ rateLimit: { perSecond: 0.001, burst: 3, abuse: 2 }, tokenSecret: 'integration-test-secret-0123456789' });
const strict = await useServer({ auth: 'required', tokenSecret: 'integration-test-secret-0123456789' });

async function token(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}${HTTP_PATHS.token}`, { method: 'POST', body: JSON.stringify({ name }), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
  const body = tokenResponseSchema.parse(await res.json());
  expect(body.name).toBe(name);
  return body.token;
}

describe('/chat', () => {
  it('welcomes, announces joins and leaves, relays to everyone but the sender', async () => {
    const alice = await open(`${t.ws}/chat?name=alice`);
    expect(await alice.json()).toEqual({ type: 'welcome', you: 'alice', users: ['alice'], history: [] });
    const bob = await open(`${t.ws}/chat?name=bob`);
    expect(await bob.json()).toEqual({ type: 'welcome', you: 'bob', users: ['alice', 'bob'], history: [] });
    expect(await alice.json()).toEqual({ type: 'join', name: 'bob' });

    alice.send('hi bob');
    const line = await bob.json();
    expect(line).toMatchObject({ type: 'message', id: 1, from: 'alice', text: 'hi bob' });
    expect(typeof line['ts']).toBe('number');
    bob.send(JSON.stringify({ type: 'private', to: 'alice', text: 'psst' }));
    expect(await alice.json()).toMatchObject({ type: 'private', from: 'bob', text: 'psst' });
    bob.send(JSON.stringify({ type: 'private', to: 'zed', text: '?' }));
    expect(await bob.json()).toEqual({ type: 'error', code: 'unknown_user', message: 'Nobody named "zed" is in the room.' });
    bob.send('{"type":');
    expect(await bob.json()).toMatchObject({ type: 'error', code: 'bad_json' });
    expect(alice.pending).toBe(0);

    const carol = await open(`${t.ws}/chat?name=carol`);
    const welcome = await carol.json<{ history: unknown[]; users: string[] }>();
    expect(welcome.users).toEqual(['alice', 'bob', 'carol']);
    expect(welcome.history).toEqual([line]);
    bob.ws.close();
    await bob.closeCode();
    expect(await alice.until((m) => m['type'] === 'leave')).toEqual({ type: 'leave', name: 'bob' });
    expect(await carol.until((m) => m['type'] === 'leave')).toEqual({ type: 'leave', name: 'bob' });
    alice.ws.close();
    carol.ws.close();
    await Promise.all([alice.closeCode(), carol.closeCode()]);
  });

  it('names a client without a name guest-N', async () => {
    const a = await open(`${t.ws}/chat`);
    const b = await open(`${t.ws}/chat`);
    const [wa, wb] = [await a.json(), await b.json()];
    expect(wa['you']).toMatch(/^guest-\d+$/);
    expect(wb['you']).toMatch(/^guest-\d+$/);
    expect(wa['you']).not.toBe(wb['you']);
    a.ws.close();
    b.ws.close();
    await Promise.all([a.closeCode(), b.closeCode()]);
  });

  it('refuses an invalid name with 400 and a name in use with 409', async () => {
    expect(await refused(`${t.ws}/chat?name=${'n'.repeat(25)}`)).toMatchObject({ status: 400, body: { error: 'bad_name' } });
    expect(await refused(`${t.ws}/chat?name=a%20b`)).toMatchObject({ status: 400, body: { error: 'bad_name' } });
    const dana = await open(`${t.ws}/chat?name=dana`);
    expect(await refused(`${t.ws}/chat?name=dana`)).toMatchObject({ status: 409, body: { error: 'name_taken' } });
    dana.ws.close();
    await dana.closeCode();
  });

  it('joins under the name of a valid token and refuses a bad one with 401', async () => {
    const tok = await token(t.base, 'erin');
    const erin = await open(`${t.ws}/chat?token=${encodeURIComponent(tok)}&name=ignored`);
    expect(await erin.json()).toMatchObject({ type: 'welcome', you: 'erin' });
    expect(await refused(`${t.ws}/chat?token=${tok.slice(0, -2)}xx`)).toMatchObject({ status: 401, body: { error: 'token_bad_signature' } });
    expect(await refused(`${t.ws}/chat?token=garbage`)).toMatchObject({ status: 401, body: { error: 'token_malformed' } });
    erin.ws.close();
    await erin.closeCode();
  });

  it('POST /api/token validates the name and the method', async () => {
    const post = (body: string) => fetch(`${t.base}${HTTP_PATHS.token}`, { method: 'POST', body });
    expect((await post('{"name":"bad name"}')).status).toBe(400);
    expect(((await (await post('{nope')).json()) as { error: string }).error).toBe('bad_json');
    expect((await post(JSON.stringify({ name: 'x'.repeat(2000) }))).status).toBe(413);
    const get = await fetch(`${t.base}${HTTP_PATHS.token}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    const evil = await fetch(`${t.base}${HTTP_PATHS.token}`, { method: 'POST', body: '{"name":"x"}', headers: { origin: 'http://evil.test' } });
    expect(evil.status).toBe(403);
  });

  it('with --auth required, refuses /chat without a token (401) and admits one with', async () => {
    expect(await refused(`${strict.ws}/chat?name=frank`)).toMatchObject({ status: 401, body: { error: 'token_required' } });
    const frank = await open(`${strict.ws}/chat?token=${await token(strict.base, 'frank')}`);
    expect(await frank.json()).toMatchObject({ type: 'welcome', you: 'frank' });
    frank.ws.close();
    await frank.closeCode();
  });

  it('rate-limits a sender: rate_limited errors, then 1008 when it keeps going', async () => {
    const gus = await open(`${t.ws}/chat?name=gus`);
    const hal = await open(`${t.ws}/chat?name=hal`);
    await gus.json();
    await hal.json();
    await gus.json(); // join hal
    for (let i = 1; i <= 6; i++) gus.send(`m${i}`);
    expect(await gus.json()).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(await gus.json()).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(await gus.closeCode()).toEqual({ code: CLOSE.policyViolation, reason: 'rate limit exceeded' });
    expect((await hal.json())['text']).toBe('m1');
    expect((await hal.json())['text']).toBe('m2');
    expect((await hal.json())['text']).toBe('m3');
    expect(await hal.json()).toEqual({ type: 'leave', name: 'gus' });
    hal.ws.close();
    await hal.closeCode();
  });

  it('closes with 1003 on a binary frame', async () => {
    const ivy = await open(`${t.ws}/chat?name=ivy`);
    await ivy.json();
    ivy.send(Buffer.from([1, 2, 3]));
    expect(await ivy.closeCode()).toEqual({ code: CLOSE.unsupportedData, reason: 'chat accepts text frames only' });
  });
});

describe('/broadcast rate limit', () => {
  it('tells the sender rate_limited, then closes it with 1008', async () => {
    const a = await open(`${t.ws}/broadcast`);
    for (let i = 0; i < 6; i++) a.send(`b${i}`);
    const got = [];
    for (let i = 0; i < 5; i++) got.push((await a.next()).data.toString());
    expect(got.slice(0, 3)).toEqual(['b0', 'b1', 'b2']);
    expect(JSON.parse(got[3] as string)).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(JSON.parse(got[4] as string)).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect((await a.closeCode()).code).toBe(CLOSE.policyViolation);
  });
});

describe('token expiry', () => {
  it('refuses a token once the server clock passes its expiry, with 401 token_expired', async () => {
    let now = 1_767_225_600_000;
    const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', tokenTtl: 60 }, { now: () => now });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const res = await fetch(`${base}${HTTP_PATHS.token}`, { method: 'POST', body: '{"name":"kim"}' });
      const body = tokenResponseSchema.parse(await res.json());
      expect(body.expiresAt).toBe(1_767_225_660_000);
      now += 59_999;
      const kim = await open(`ws://127.0.0.1:${server.port}/chat?token=${body.token}`);
      expect(await kim.json()).toMatchObject({ type: 'welcome', you: 'kim' });
      kim.ws.close();
      await kim.closeCode();
      now += 1;
      expect(await refused(`ws://127.0.0.1:${server.port}/chat?token=${body.token}`)).toMatchObject({
        status: 401,
        body: { error: 'token_expired', message: 'The token has expired. Get a new one with POST /api/token.' },
      });
    } finally {
      await server.close();
    }
  });
});
