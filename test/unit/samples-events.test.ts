import { describe, expect, it, vi } from 'vitest';
import { EventRegistry } from '../../samples/ts/events.ts';

describe('samples/ts/events.ts', () => {
  it('runs every handler in registration order with the arguments, survives a failing one, unregisters', () => {
    const bus = new EventRegistry<{ message: [from: string, text: string]; idle: [] }>();
    const seen: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    bus.on('message', (from, text) => seen.push(`notify ${from}: ${text}`));
    const stop = bus.on('message', (from, text) => seen.push(`log ${text.length} from ${from}`));
    bus.on('message', () => {
      throw new Error('broken');
    });
    expect(bus.trigger('message', 'alice', 'hello')).toBe(2);
    stop();
    expect(bus.trigger('message', 'bob', 'hi')).toBe(1);
    expect(bus.trigger('idle')).toBe(0);
    expect(seen).toEqual(['notify alice: hello', 'log 5 from alice', 'notify bob: hi']);
    expect(error.mock.calls).toEqual([["handler for 'message' failed: broken"], ["handler for 'message' failed: broken"]]);
    error.mockRestore();
  });
});
