import { describe, expect, it } from 'vitest';
import { closeCodeOf } from '../../../server/labs/lua/engine.ts';

/** The code the embedded engine reports a connection ended with: the one in the close frame its handler sent. */
describe('closeCodeOf: the status code of a close frame the Lua VM sent', () => {
  const frame = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

  it('reads the code after the two-byte header, with or without a reason', () => {
    expect(closeCodeOf(frame('880203f1'))).toBe(1009);
    expect(closeCodeOf(frame('880203e8'))).toBe(1000);
    // 4000 "no pong": code 0x0fa0, then the reason's bytes.
    expect(closeCodeOf(frame('88090fa06e6f20706f6e67'))).toBe(4000);
  });

  it('is 1005 for a close frame with no code (RFC 6455 §7.1.5)', () => {
    expect(closeCodeOf(frame('8800'))).toBe(1005);
    expect(closeCodeOf(frame('88'))).toBe(1005);
  });
});
