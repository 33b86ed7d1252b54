import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../server/cli.ts';

describe('--labs', () => {
  it('is off by default and on when given', () => {
    const off = parseCli(['--host', '0.0.0.0']);
    const on = parseCli(['--host', '0.0.0.0', '--labs']);
    expect(off.kind === 'run' && off.config.labs).toBe(false);
    expect(on.kind === 'run' && on.config.labs).toBe(true);
  });
});
