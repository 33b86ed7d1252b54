import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../protocol/constants.ts';
import { connect, startSample, type Sample } from './run-sample.ts';

/** Stops a sample that may already have exited on its own. */
async function stopIfRunning(sample: Sample): Promise<void> {
  await Promise.race([sample.stop(), new Promise((r) => setTimeout(r, 1000))]);
}

describe('samples/ts/dispatch-naive.ts (lessons/pitfalls)', () => {
  it.each([
    ['not json', 'SyntaxError'],
    ['{"type":"dance"}', 'TypeError'],
  ])('one client sending %s crashes the process: every client is dropped with 1006', async (sent, error) => {
    const sample = await startSample('samples/ts/dispatch-naive.ts');
    try {
      const good = await connect(sample.url());
      good.socket.send('{"type":"add","a":2,"b":40}');
      await expect(good.next()).resolves.toBe('{"type":"sum","value":42}');
      const bystander = await connect(sample.url());
      const attacker = await connect(sample.url());
      attacker.socket.send(sent);
      await expect(bystander.closed).resolves.toEqual({ code: CLOSE.abnormal, reason: '' });
      await expect(good.closed).resolves.toEqual({ code: CLOSE.abnormal, reason: '' });
      expect(sample.output()).toContain(error);
    } finally {
      await stopIfRunning(sample);
    }
  });
});
