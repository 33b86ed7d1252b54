import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createClient } from 'redis';
import type { Logger } from '../log.ts';
import { MemoryBus, redisChannel, type Bus, type BusState, type BytesHandler, type Numbered, type Roster, type RosterSpec } from './bus.ts';

/**
 * The bus shared through Redis, on two connections: one for commands and
 * PUBLISH, one that only subscribes (a subscribed Redis connection can do
 * nothing else). The one order of a channel is the order in which Redis ran
 * the PUBLISHes: Redis runs commands one at a time and every subscriber gets
 * a channel's messages in that order. Numbered entries are numbered, logged
 * and published by one Lua script, so seq order is delivery order too.
 *
 * While Redis is unreachable, every operation falls back to a MemoryBus:
 * this process serves its own clients alone, and the client reconnects
 * with backoff.
 */

/** `redis://user:secret@host` → `redis://user:***@host`: the password never reaches a log. */
export function safeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Retry after 100 ms, doubling up to 5 s, with jitter so several processes do not knock at once. */
export function backoffMs(retries: number, random: () => number = Math.random): number {
  return Math.round(Math.min(100 * 2 ** retries, 5_000) * (0.75 + random() * 0.5));
}

// Numbers an entry above the caller's floor (a Redis restarted empty starts its counter at 0 again),
// keeps the last `keep`, publishes: one script, so the seq order is the PUBLISH order.
const APPEND = `
local seq = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[4])
if seq <= floor then seq = floor + 1; redis.call('SET', KEYS[1], seq) end
local entry = ARGV[2] .. string.format('%d', seq) .. ARGV[3]
redis.call('RPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('PUBLISH', ARGV[6], ARGV[1] .. entry)
return seq`;
const SYNC = `
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('LRANGE', KEYS[2], 0, -1)`;
const ENTER = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('PUBLISH', ARGV[3], ARGV[4]); return 1 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 1 end
return 0`;
// Only the holder's id releases a name: of several processes sweeping the same dead one, one announces the leave.
const EXIT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]); redis.call('PUBLISH', ARGV[3], ARGV[4]); return 1 end
return 0`;
const LEAD = `
local holder = redis.call('GET', KEYS[1])
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return 1 end
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]); return 1 end
return 0`;

export interface RedisBusOptions {
  url: string;
  log: Logger;
  /** A live process refreshes its key this often… */
  beatMs?: number;
  /** …and a process whose key is this old is gone: its names leave the rosters. */
  aliveMs?: number;
}

type Client = ReturnType<typeof createClient>;

export class RedisBus implements Bus {
  /** This process among those on the bus. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly local = new MemoryBus();
  private readonly pub: Client;
  private readonly sub: Client;
  private readonly log: Logger;
  private readonly beatMs: number;
  private readonly aliveMs: number;
  private readonly textChannels = new Set<string>();
  private readonly byteChannels = new Set<string>();
  private readonly rosters = new Map<string, RosterSpec>();
  private readonly upHandlers: (() => Promise<void>)[] = [];
  private subscribed = false;
  private subscribing: Promise<void> | null = null;
  private up = false;
  private aliveSet = false;
  /** The onUp handlers have run since the last reconnect. */
  private synced = false;
  private closing = false;
  private beat: NodeJS.Timeout | null = null;
  private upRun: Promise<void> = Promise.resolve();
  private firstAnswer: (() => void) | null = null;
  private announced: 'up' | 'down' | null = null;

  constructor(options: RedisBusOptions) {
    this.log = options.log;
    this.beatMs = options.beatMs ?? 1_000;
    this.aliveMs = options.aliveMs ?? 5_000;
    // No offline queue: a command while disconnected fails at once and the caller serves locally,
    // instead of piling up and replaying stale messages minutes later.
    this.pub = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries) => backoffMs(retries), connectTimeout: 2_000 },
    });
    this.sub = this.pub.duplicate();
    const where = safeRedisUrl(options.url);
    for (const client of [this.pub, this.sub]) {
      // Without an 'error' listener node-redis would throw; each failed attempt lands here.
      client.on('error', (error: Error) => {
        this.log.debug('redis connection error', { url: where, error: error.message });
        this.recompute(where);
        if (!this.up) this.announceDown(where);
        this.firstAnswer?.();
      });
      client.on('ready', () => void this.onReady(where));
      client.on('end', () => this.recompute(where));
      client.on('reconnecting', () => this.recompute(where));
    }
  }

  /** Connects; resolves once Redis answered (ready) or failed once: the server starts either way. */
  start(): Promise<void> {
    const answered = new Promise<void>((resolve) => (this.firstAnswer = resolve));
    // connect() keeps retrying on failure (reconnectStrategy); its promise settles only when connected or closed.
    for (const client of [this.pub, this.sub]) client.connect().catch(() => {});
    this.beat = setInterval(() => void this.heartbeat(), this.beatMs);
    this.beat.unref();
    return answered.then(() => this.upRun);
  }

  private async onReady(where: string): Promise<void> {
    // Once (both connections' 'ready' may come while the first subscribe is under way, and a
    // second listener would deliver everything twice); node-redis subscribes again by itself
    // after each reconnect.
    if (this.sub.isReady && !this.subscribing) {
      this.subscribing = (async () => {
        for (const channel of this.textChannels) await this.subscribeText(channel);
        for (const channel of this.byteChannels) await this.subscribeBytes(channel);
        this.subscribed = true;
      })().catch((error: Error) => {
        this.log.debug('redis subscribe failed', { error: error.message });
        this.subscribing = null;
      });
    }
    await this.subscribing;
    this.recompute(where);
  }

  private subscribeText(channel: string): Promise<void> {
    return this.sub.subscribe(redisChannel(channel), (message: string) => this.local.publish(channel, message, true));
  }

  private subscribeBytes(channel: string): Promise<void> {
    return this.sub.subscribe(redisChannel(channel), (message: Buffer) => this.local.publish(channel, message, true), true);
  }

  private recompute(where: string): void {
    const up = !this.closing && this.subscribed && this.pub.isReady && this.sub.isReady;
    if (up === this.up) return;
    this.up = up;
    this.synced = false;
    this.aliveSet = false;
    if (up) {
      this.announced = 'up';
      this.log.info('redis up', { url: where, process: this.id });
      this.runUp();
    } else {
      this.announceDown(where);
    }
  }

  private announceDown(where: string): void {
    if (this.closing || this.announced === 'down') return;
    this.announced = 'down';
    this.log.error('redis down', { url: where, detail: "serving this process's clients alone; reconnecting with backoff" });
  }

  private runUp(): void {
    this.upRun = this.upRun.then(async () => {
      // Alive before holding any name: a sweep by another process must not find our names without our key.
      try {
        await this.pub.set(`fd:alive:${this.id}`, '1', { expiration: { type: 'PX', value: this.aliveMs } });
        this.aliveSet = true;
      } catch (error) {
        this.log.debug('redis alive key failed', { error: (error as Error).message });
      }
      for (const handler of this.upHandlers) {
        try {
          await handler();
        } catch (error) {
          this.log.debug('redis resync failed', { error: (error as Error).message });
        }
      }
      if (this.up) this.synced = true;
      this.firstAnswer?.();
    });
  }

  private async heartbeat(): Promise<void> {
    if (!this.up) return;
    try {
      const before = await this.pub.set(`fd:alive:${this.id}`, '1', { expiration: { type: 'PX', value: this.aliveMs }, GET: true });
      // Our key had expired while we stayed connected (a stalled event loop): others may have
      // released our names, so take them again.
      if (before === null && this.aliveSet && this.up) this.runUp();
      for (const [name, spec] of this.rosters) await this.sweep(name, spec);
    } catch (error) {
      this.log.debug('redis heartbeat failed', { error: (error as Error).message });
    }
  }

  /** Releases the names of processes whose alive key expired (a `kill -9`). */
  private async sweep(name: string, spec: RosterSpec): Promise<void> {
    const key = `fd:roster:${name}`;
    const holders = await this.pub.hGetAll(key);
    const byOwner = new Map<string, string[]>();
    for (const [member, owner] of Object.entries(holders)) {
      if (owner !== this.id) byOwner.set(owner, [...(byOwner.get(owner) ?? []), member]);
    }
    for (const [owner, names] of byOwner) {
      if ((await this.pub.exists(`fd:alive:${owner}`)) === 1) continue;
      for (const member of names) await this.pub.eval(EXIT, { keys: [key], arguments: [member, owner, redisChannel(spec.channel), spec.left(member)] });
    }
  }

  state(): BusState {
    return this.up && this.synced ? 'up' : 'down';
  }

  on(channel: string, handler: (text: string) => void): void {
    this.local.on(channel, handler);
    if (this.textChannels.has(channel)) return;
    this.textChannels.add(channel);
    if (this.subscribed) this.subscribeText(channel).catch(() => {});
  }

  onBytes(channel: string, handler: BytesHandler): void {
    this.local.onBytes(channel, handler);
    if (this.byteChannels.has(channel)) return;
    this.byteChannels.add(channel);
    if (this.subscribed) this.subscribeBytes(channel).catch(() => {});
  }

  onUp(handler: () => Promise<void>): void {
    this.upHandlers.push(handler);
  }

  publish(channel: string, payload: string | Buffer): boolean {
    if (!this.up) return this.local.publish(channel, payload);
    this.pub.publish(redisChannel(channel), payload).catch((error: Error) => this.fallback(error, () => this.local.publish(channel, payload)));
    return true;
  }

  append(channel: string, entry: Numbered, floor: number, keep: number): void {
    if (!this.up) return this.local.append(channel, entry, floor);
    this.pub
      .eval(APPEND, {
        keys: [`fd:${channel}:seq`, `fd:${channel}:log`],
        arguments: [entry.prefix, entry.head, entry.tail, String(floor), String(keep), redisChannel(channel)],
      })
      .catch((error: Error) => this.fallback(error, () => this.local.append(channel, entry, floor)));
  }

  /**
   * A command that failed because the connection dropped under it: the
   * subscriber dropped with it, so nothing came back; serve this process.
   */
  private fallback(error: Error, serveLocally: () => void): void {
    this.log.debug('redis command failed; served locally', { error: error.message });
    serveLocally();
  }

  async sync(channel: string, floor: number): Promise<string[]> {
    if (!this.up) return [];
    return (await this.pub.eval(SYNC, { keys: [`fd:${channel}:seq`, `fd:${channel}:log`], arguments: [String(floor)] })) as string[];
  }

  roster(name: string, spec: RosterSpec): Roster {
    this.rosters.set(name, spec);
    const key = `fd:roster:${name}`;
    const channel = redisChannel(spec.channel);
    const enter = async (member: string): Promise<boolean> =>
      (await this.pub.eval(ENTER, { keys: [key], arguments: [member, this.id, channel, spec.joined(member, this.id)] })) === 1;
    const exit = async (member: string): Promise<void> => {
      await this.pub.eval(EXIT, { keys: [key], arguments: [member, this.id, channel, spec.left(member)] });
    };
    return {
      enter: (member, refused) => {
        if (!this.up) {
          this.local.publish(spec.channel, spec.joined(member, this.id));
          return;
        }
        enter(member).then(
          (ok) => ok || refused(),
          (error: Error) => this.fallback(error, () => this.local.publish(spec.channel, spec.joined(member, this.id))),
        );
      },
      exit: (member) => {
        if (!this.up) {
          this.local.publish(spec.channel, spec.left(member));
          return;
        }
        exit(member).catch((error: Error) => this.fallback(error, () => this.local.publish(spec.channel, spec.left(member))));
      },
      holders: async () => (this.up ? this.pub.hGetAll(key) : {}),
      reconcile: async (local) => {
        if (!this.up) return;
        const holders = await this.pub.hGetAll(key);
        const keep = new Set(local);
        for (const [member, owner] of Object.entries(holders)) if (owner === this.id && !keep.has(member)) await exit(member);
        const held: string[] = [];
        for (const member of local) {
          if (holders[member] === this.id || (await enter(member))) held.push(member);
          else this.log.info('chat name held by another process', { name: member });
        }
        await this.pub.publish(channel, spec.snapshot(this.id, held));
      },
    };
  }

  async lead(role: string, ttlMs: number): Promise<boolean> {
    if (!this.up) return true;
    try {
      return (await this.pub.eval(LEAD, { keys: [`fd:lead:${role}`], arguments: [this.id, String(ttlMs)] })) === 1;
    } catch {
      return !this.up;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.beat) clearInterval(this.beat);
    if (this.pub.isReady) await this.pub.del(`fd:alive:${this.id}`).catch(() => 0);
    this.up = false;
    for (const client of [this.pub, this.sub]) {
      if (client.isReady) await client.close().catch(() => {});
      else client.destroy();
    }
  }
}
