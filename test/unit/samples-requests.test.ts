import { describe, expect, it, vi } from 'vitest';
import { createRequester } from '../../samples/ts/requests.ts';

/** samples/ts/requests.ts (lessons/event-driven) with a fake socket and vitest's fake clock. */
function setup() {
  vi.useFakeTimers();
  const sent: string[] = [];
  const requester = createRequester({
    send: (text) => sent.push(text),
    setTimer: (fire, ms) => setTimeout(fire, ms),
    clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  });
  return { sent, requester };
}

describe('createRequester (samples/ts/requests.ts)', () => {
  it('matches replies to requests by id, in whatever order they arrive', async () => {
    const { sent, requester } = setup();
    const first = requester.request({ type: 'add', a: 1, b: 2 }, { timeoutMs: 1000, retries: 0 });
    const second = requester.request({ type: 'add', a: 3, b: 4 }, { timeoutMs: 1000, retries: 0 });
    expect(sent).toEqual(['{"type":"add","a":1,"b":2,"id":1}', '{"type":"add","a":3,"b":4,"id":2}']);
    expect(requester.receive('{"type":"sum","value":7,"id":2}')).toBe(true);
    expect(requester.receive('{"type":"sum","value":3,"id":1}')).toBe(true);
    await expect(first).resolves.toEqual({ type: 'sum', value: 3, id: 1 });
    await expect(second).resolves.toEqual({ type: 'sum', value: 7, id: 2 });
    expect(requester.pendingCount()).toBe(0);
    vi.useRealTimers();
  });

  it('sends again with the same id after each timeout, then gives up', async () => {
    const { sent, requester } = setup();
    const result = requester.request({ type: 'save' }, { timeoutMs: 500, retries: 2 });
    const settled = expect(result).rejects.toThrow('no reply to "save" #1 after 3 attempts');
    vi.advanceTimersByTime(499);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual(Array(3).fill('{"type":"save","id":1}'));
    await settled;
    expect(requester.pendingCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a reply to a retried request settles it once; the late duplicate is ignored', async () => {
    const { sent, requester } = setup();
    const result = requester.request({ type: 'save' }, { timeoutMs: 500, retries: 1 });
    vi.advanceTimersByTime(500); // the first reply was slow: the request went out again
    expect(sent).toHaveLength(2);
    expect(requester.receive('{"type":"saved","id":1}')).toBe(true);
    expect(requester.receive('{"type":"saved","id":1}')).toBe(false);
    await expect(result).resolves.toEqual({ type: 'saved', id: 1 });
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(2); // no timer left behind
    vi.useRealTimers();
  });

  it('ignores messages that are not replies, and fails everything pending when the connection closes', async () => {
    const { requester } = setup();
    const result = requester.request({ type: 'add', a: 1, b: 1 }, { timeoutMs: 500, retries: 3 });
    expect(requester.receive('not json')).toBe(false);
    expect(requester.receive('{"type":"tick"}')).toBe(false);
    expect(requester.receive('{"type":"sum","id":99}')).toBe(false);
    requester.failAll('connection closed (1006)');
    await expect(result).rejects.toThrow('connection closed (1006)');
    expect(requester.pendingCount()).toBe(0);
    vi.useRealTimers();
  });
});
