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

  it('is refused where others run labs here: in a class, and with --labs', () => {
    expect(parseCli(['--classroom', '--host', '0.0.0.0', '--lua-engine', 'openresty'])).toEqual({
      kind: 'error',
      message:
        "--classroom runs every learner's lab code on this machine, and --lua-engine openresty runs it in nginx with nothing kept from it (files, processes, other labs): drop --lua-engine openresty; a class uses the embedded engine.",
    });
    expect(parseCli(['--host', '0.0.0.0', '--labs', '--lua-engine', 'openresty'])).toEqual({
      kind: 'error',
      message:
        "--labs lets other machines run Lua labs here, and --lua-engine openresty runs their code in nginx with nothing kept from it (files, processes): drop one of the two; OpenResty labs are for this machine's own learner.",
    });
    const local = parseCli(['--host', '0.0.0.0', '--lua-engine', 'openresty']);
    expect(local.kind === 'run' && [local.config.luaEngine, local.config.labs]).toEqual(['openresty', false]);
    const classEmbedded = parseCli(['--classroom', '--host', '0.0.0.0']);
    expect(classEmbedded.kind === 'run' && classEmbedded.config.luaEngine).toBe('embedded');
  });
});
