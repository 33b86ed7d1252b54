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

  it.each([
    [['--port', 'notaport'], '--port "notaport": must be a number'],
    [['--port', '80.5'], '--port "80.5": must be a whole number'],
    [['--port=-1'], '--port "-1": must be 0 to 65535'],
    [['--log', 'loud'], '--log "loud"'],
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
