import { expect, it } from 'vitest';
import { describeLua, runLua } from './openresty.ts';

describeLua('plain Lua event registry (lessons/event-driven)', () => {
  it('runs every handler in order, survives a failing one, and unregisters', () => {
    const result = runLua('samples/lua/events_demo.lua');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'notify: alice says "hello"',
        'log: 5 bytes from alice',
        'ran 2',
        'notify: bob says "hi"',
        'ran 1',
        'ran 0',
        '',
      ].join('\n'),
    );
    expect(result.stderr.trim().split('\n')).toEqual([
      "handler for 'message' failed: events_demo.lua:13: this handler is broken",
      "handler for 'message' failed: events_demo.lua:13: this handler is broken",
    ]);
  });
});
