import { describe, expect, it } from 'vitest';
import { parseCli, USAGE } from '../../../server/cli.ts';

describe('--labs', () => {
  it('is off by default and on when given', () => {
    const off = parseCli(['--host', '0.0.0.0']);
    const on = parseCli(['--host', '0.0.0.0', '--labs']);
    expect(off.kind === 'run' && off.config.labs).toBe(false);
    expect(on.kind === 'run' && on.config.labs).toBe(true);
  });

  it('has one entry in --help, for every lab language', () => {
    expect(USAGE.match(/^ {2}--labs /gm)).toHaveLength(1);
    expect(USAGE).toContain("--labs                  allow the lab API (it runs learners' server code)\n                          when --host is not loopback; on loopback it is on\n");
  });
});

describe('--lua-engine', () => {
  it('is embedded by default, takes openresty, and names the flag for anything else', () => {
    const byDefault = parseCli([]);
    const nginx = parseCli(['--lua-engine', 'openresty']);
    expect(byDefault.kind === 'run' && byDefault.config.luaEngine).toBe('embedded');
    expect(nginx.kind === 'run' && nginx.config.luaEngine).toBe('openresty');
    expect(parseCli(['--lua-engine', 'luajit'])).toEqual({ kind: 'error', message: '--lua-engine "luajit": must be embedded or openresty' });
  });
});
