import { describe, expect, it } from 'vitest';
import { formatArgs } from '../../../src/runtime/recorder/format.ts';

describe('formatArgs', () => {
  it('shows top-level strings bare and nested strings quoted', () => {
    expect(formatArgs(['Echo:', 'hi', ['a', 'b']])).toBe('Echo: hi ["a", "b"]');
  });

  it('formats primitives like a console', () => {
    expect(formatArgs([1, -0, true, null, undefined, 10n, Symbol('s')])).toBe('1 -0 true null undefined 10n Symbol(s)');
  });

  it('names classes, functions, binary data, maps and sets', () => {
    class Point {
      x = 1;
    }
    expect(formatArgs([new Point(), function greet() {}, new ArrayBuffer(8), new Uint8Array(3)])).toBe(
      'Point { x: 1 } [Function: greet] ArrayBuffer(8) Uint8Array(3)',
    );
    expect(formatArgs([new Map([['a', 1]]), new Set([2])])).toBe('Map(1) {"a" => 1} Set(1) {2}');
  });

  it('shows the useful fields of WebSocket events', () => {
    const message = new MessageEvent('message', { data: 'hello' });
    expect(formatArgs([message])).toBe('MessageEvent { type: "message", data: "hello" }');
  });

  it('survives cycles and deep nesting', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    expect(formatArgs([a])).toBe('{ name: "a", self: [Circular] }');
    expect(formatArgs([{ l1: { l2: { l3: { l4: 1 } } } }])).toBe('{ l1: { l2: { l3: [Object] } } }');
  });

  it('caps very long output', () => {
    const text = formatArgs(['y'.repeat(10_050)]);
    expect(text).toBe(`${'y'.repeat(10_000)}… (50 more characters)`);
  });
});
