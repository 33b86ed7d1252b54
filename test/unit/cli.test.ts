import { describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli.ts';

describe('parseCli', () => {
  it('gives the documented defaults with no flags', () => {
    const result = parseCli([]);
    expect(result.kind).toBe('run');
    if (result.kind !== 'run') return;
    expect(result.config.port).toBe(8080);
    expect(result.config.host).toBe('127.0.0.1');
    expect(result.config.logLevel).toBe('info');
  });

  it('reads --port and --host', () => {
    const result = parseCli(['--port', '9000', '--host', '::1']);
    expect(result).toMatchObject({ kind: 'run', config: { port: 9000, host: '::1' } });
  });

  it('gives the documented limits with no flags', () => {
    const result = parseCli([]);
    if (result.kind !== 'run') throw new Error(result.kind);
    expect(result.config).toMatchObject({
      allowOrigins: [],
      maxPayload: 65_536,
      heartbeat: 30,
      auth: 'optional',
      maxConnections: 10_000,
      slowConsumerBytes: 1_048_576,
      rateLimit: { perSecond: 20, burst: 40, abuse: 40 },
    });
  });

  it('reads every server flag, --allow-origin repeated', () => {
    const result = parseCli([
      '--allow-origin', 'http://a.test:3000',
      '--allow-origin=https://b.test',
      '--max-payload', '1024',
      '--heartbeat', '0.5',
      '--auth', 'required',
      '--max-connections', '5',
    ]);
    expect(result).toMatchObject({
      kind: 'run',
      config: { allowOrigins: ['http://a.test:3000', 'https://b.test'], maxPayload: 1024, heartbeat: 0.5, auth: 'required', maxConnections: 5 },
    });
  });

  it('reads --redis, a redis:// or rediss:// URL; none by default', () => {
    expect(parseCli(['--redis', 'redis://:pw@10.0.0.5:6379/1'])).toMatchObject({ kind: 'run', config: { redis: 'redis://:pw@10.0.0.5:6379/1' } });
    expect(parseCli(['--redis=rediss://cache.example:6380'])).toMatchObject({ kind: 'run', config: { redis: 'rediss://cache.example:6380' } });
    const none = parseCli([]);
    expect(none.kind === 'run' && 'redis' in none.config && none.config.redis !== undefined).toBe(false);
  });

  it('takes --heartbeat 0 as off', () => {
    expect(parseCli(['--heartbeat', '0'])).toMatchObject({ kind: 'run', config: { heartbeat: 0 } });
  });

  it.each([
    [['--allow-origin', 'localhost:3000'], '--allow-origin "localhost:3000": must be an origin'],
    [['--allow-origin', 'http://a.test', '--allow-origin', 'http://a.test/path'], '--allow-origin "http://a.test/path": must be an origin'],
    [['--max-payload', '0'], '--max-payload "0": must be at least 1 byte'],
    [['--max-payload', 'big'], '--max-payload "big": must be a number'],
    [['--max-payload', '999999999'], 'at most 16777216'],
    [['--heartbeat=-1'], '--heartbeat "-1": must be 0 (off) or more seconds'],
    [['--auth', 'maybe'], '--auth "maybe": must be one of optional, required'],
    [['--max-connections', '0'], '--max-connections "0": must be at least 1 connection'],
    [['--port', ''], '--port needs a value'],
    [['--port'], "Option '--port <value>' argument missing"],
    [['--port', 'notaport'], '--port "notaport": must be a number'],
    [['--port', '80.5'], '--port "80.5": must be a whole number'],
    [['--port=-1'], '--port "-1": must be 0 to 65535'],
    [['--log', 'loud'], '--log "loud"'],
    [['--redis', 'localhost:6379'], '--redis "localhost:6379": must be a Redis URL such as redis://127.0.0.1:6379'],
    [['--redis', 'http://:secret@cache:6379'], '--redis "http://:***@cache:6379": must be a Redis URL'],
    [['--nope'], "Unknown option '--nope'"],
    [['stray'], "Unexpected argument 'stray'"],
  ])('rejects %j', (argv, message) => {
    const result = parseCli(argv);
    expect(result.kind).toBe('error');
    if (result.kind === 'error') expect(result.message).toContain(message);
  });

  it('recognises --help and -h', () => {
    expect(parseCli(['--help']).kind).toBe('help');
    expect(parseCli(['-h']).kind).toBe('help');
  });
});
