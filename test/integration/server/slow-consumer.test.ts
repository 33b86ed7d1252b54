import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../protocol/constants.ts';
import { health, open, RawClient, useServer, withTimeout } from './helpers.ts';

// A low bound and no grace: a consumer is dropped once, then closed with 1013.
const t = await useServer({
  slowConsumerBytes: 64 * 1024,
  slowConsumerGrace: 0,
  rateLimit: { perSecond: 10_000, burst: 10_000, abuse: 10_000 },
});

describe('slow consumers', () => {
  it('stops sending broadcast messages to a client that does not read, counts them, then closes it with 1013', async () => {
    const slow = await RawClient.upgrade(t.port, '/broadcast');
    slow.socket.pause();
    const sender = await open(`${t.ws}/broadcast`);
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    let dropped = 0;
    // Enough to fill the kernel's socket buffers and then the bound; bounded either way.
    for (let round = 0; round < 40 && dropped === 0; round++) {
      for (let i = 0; i < 50; i++) sender.send(chunk);
      for (let i = 0; i < 50; i++) await sender.next();
      dropped = (await health(t.base))['dropped'] as number;
    }
    expect(dropped).toBeGreaterThan(0);
    sender.send('one more, after the first drop');
    await sender.next();
    slow.socket.resume();
    expect(await slow.closeCode()).toBe(CLOSE.tryAgainLater);
    const close = slow.frames.find((f) => f.opcode === 0x8);
    expect(close?.close).toEqual({ code: CLOSE.tryAgainLater, reason: 'slow consumer: too much unsent data' });
    slow.destroy();
    // The sender, who reads, was never affected.
    sender.send('still here');
    expect((await sender.next()).data.toString()).toBe('still here');
    sender.ws.close();
    await withTimeout(sender.closed, 'sender close');
  });
});
