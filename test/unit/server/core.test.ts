import { describe, expect, it } from 'vitest';
import { SlowConsumerGuard } from '../../../server/core/backpressure.ts';
import { AccessPolicy, hostnameOfHostHeader, isLoopbackAddress } from '../../../server/core/origin.ts';
import { Ring } from '../../../server/core/ring.ts';
import { signToken, verifyToken } from '../../../server/core/token.ts';
import { RateLimiter, TokenBucket } from '../../../server/core/token-bucket.ts';

function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refills at the given rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(3, 2, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.advance(499);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    clock.advance(60_000);
    expect(bucket.available()).toBe(3);
  });

  it('ignores a clock that goes backwards', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 1, clock.now);
    bucket.take();
    clock.advance(-5_000);
    expect(bucket.take()).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('says ok for the burst, limited for the next `abuse` messages, then abuse', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 5, abuse: 3 }, clock.now);
    const decisions = Array.from({ length: 10 }, () => limiter.check());
    expect(decisions).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'limited', 'limited', 'limited', 'abuse', 'abuse']);
  });

  it('forgives a client that slows down', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 2, abuse: 2 }, clock.now);
    expect([limiter.check(), limiter.check(), limiter.check()]).toEqual(['ok', 'ok', 'limited']);
    clock.advance(1_000);
    expect([limiter.check(), limiter.check(), limiter.check(), limiter.check()]).toEqual(['ok', 'ok', 'limited', 'limited']);
  });
});

describe('SlowConsumerGuard', () => {
  it('sends under the bound, drops over it, closes after the grace period', () => {
    const clock = fakeClock();
    const guard = new SlowConsumerGuard(1000, 5_000, clock.now);
    expect(guard.decide(1000)).toBe('send');
    expect(guard.decide(1001)).toBe('drop');
    clock.advance(4_999);
    expect(guard.decide(5000)).toBe('drop');
    clock.advance(1);
    expect(guard.decide(5000)).toBe('close');
  });

  it('forgives a consumer that drained', () => {
    const clock = fakeClock();
    const guard = new SlowConsumerGuard(10, 100, clock.now);
    expect(guard.decide(11)).toBe('drop');
    clock.advance(90);
    expect(guard.decide(0)).toBe('send');
    clock.advance(90);
    expect(guard.decide(11)).toBe('drop');
    expect(guard.slow).toBe(true);
  });

  it('with no grace drops once, then closes', () => {
    const guard = new SlowConsumerGuard(10, 0, fakeClock().now);
    expect([guard.decide(11), guard.decide(11)]).toEqual(['drop', 'close']);
  });
});

describe('Ring', () => {
  it('keeps the newest `capacity` items, oldest first', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.oldest()).toBe(3);
    expect(ring.size).toBe(3);
  });
});

describe('chat tokens', () => {
  const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');

  it('round-trips a name until it expires', () => {
    const clock = fakeClock();
    const { token, expiresAt } = signToken('alice', secret, clock.now, 60_000);
    expect(expiresAt).toBe(1_060_000);
    expect(verifyToken(token, secret, clock.now)).toEqual({ ok: true, name: 'alice', expiresAt: 1_060_000 });
    clock.advance(60_000);
    expect(verifyToken(token, secret, clock.now)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret, altered, or malformed', () => {
    const clock = fakeClock();
    const { token } = signToken('alice', secret, clock.now, 60_000);
    const other = new TextEncoder().encode('another secret, also 32 bytes!!!');
    expect(verifyToken(token, other, clock.now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [, sig] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ n: 'admin', e: 9e15 })).toString('base64url')}.${sig}`;
    expect(verifyToken(forged, secret, clock.now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyToken('nodot', secret, clock.now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken('a.b.c', secret, clock.now)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('Host and Origin rules', () => {
  it.each([
    ['localhost:8080', 'localhost'],
    ['[::1]:8080', '[::1]'],
    ['127.0.0.1', '127.0.0.1'],
    ['evil.test/x', null],
    ['user@evil.test', null],
    ['', null],
  ])('hostname of Host %j is %j', (host, expected) => {
    expect(hostnameOfHostHeader(host)).toBe(expected);
  });

  const policy = (boundHost: string, extra: Partial<ConstructorParameters<typeof AccessPolicy>[0]> = {}): AccessPolicy =>
    new AccessPolicy({ boundHost, port: 8080, machineNames: ['my-laptop', '192.168.1.5', 'fe80::1'], allowHosts: [], allowOrigins: [], devPort: 4321, ...extra });

  it.each([
    ['localhost:8080', '127.0.0.1', true],
    ['app.localhost:8080', '127.0.0.1', true],
    ['127.0.0.2:8080', '127.0.0.1', true],
    ['[::1]:8080', '::1', true],
    ['evil.test:8080', '127.0.0.1', false],
    ['127.0.0.1.evil.test', '127.0.0.1', false],
    [undefined, '127.0.0.1', false],
    // Bound to loopback, the machine's own names are not needed (and not trusted).
    ['192.168.1.5:8080', '127.0.0.1', false],
    // Bound beyond loopback: the machine's own names and addresses, never any name (DNS rebinding).
    ['my-laptop.lan:8080', '0.0.0.0', false],
    ['evil.test:8080', '0.0.0.0', false],
    ['my-laptop:8080', '0.0.0.0', true],
    ['MY-LAPTOP.:8080', '0.0.0.0', true],
    ['192.168.1.5:8080', '0.0.0.0', true],
    ['[fe80::1]:8080', '0.0.0.0', true],
    ['localhost:8080', '0.0.0.0', true],
    ['0.0.0.0:8080', '0.0.0.0', false],
  ])('Host %j while bound to %s → %s', (host, bound, expected) => {
    expect(policy(bound).hostAllowed(host)).toBe(expected);
  });

  it('adds --allow-host names', () => {
    expect(policy('0.0.0.0', { allowHosts: ['my-laptop.lan'] }).hostAllowed('my-laptop.lan:8080')).toBe(true);
    expect(policy('127.0.0.1', { allowHosts: ['course.test'] }).hostAllowed('course.test')).toBe(true);
    expect(policy('127.0.0.1', { allowHosts: ['course.test'] }).hostAllowed('other.test')).toBe(false);
  });

  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.168.1.9', false],
    ['::ffff:192.168.1.9', false],
    [undefined, false],
  ])('peer address %j is loopback: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });

  it.each([
    [undefined, true],
    ['http://localhost:8080', true], // the server's own origin, by any loopback name
    ['http://127.0.0.1:8080', true],
    ['http://[::1]:8080', true],
    ['http://localhost:4321', true], // the dev server
    ['http://127.0.0.1:4321', true],
    ['http://localhost', false], // another program on this machine
    ['http://127.0.0.1:3000', false],
    ['http://[::1]:9', false],
    ['http://192.168.1.5:8080', true], // the own origin, Host below
    ['https://localhost:4321', false],
    ['http://evil.test', false],
    ['http://localhost.evil.test', false],
    ['null', false],
    ['file://', false],
    ['http://extra.test:3000', true],
    ['http://extra.test:3001', false],
  ])('Origin %j → %s', (origin, expected) => {
    expect(policy('0.0.0.0', { allowOrigins: ['http://extra.test:3000'] }).originAllowed(origin, '192.168.1.5:8080')).toBe(expected);
  });

  it('takes the Host-named origin only when the Host itself is allowed', () => {
    expect(policy('127.0.0.1').originAllowed('http://rebound.evil.test:8080', 'rebound.evil.test:8080')).toBe(false);
  });
});
