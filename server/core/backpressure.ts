import type { Clock } from './clock.ts';

export type SendDecision = 'send' | 'drop' | 'close';

/**
 * The slow-consumer policy for one connection. Over `boundBytes` of unsent
 * data the connection stops receiving fan-out messages (`drop`); if it is
 * still over the bound at a later send `graceMs` or more after it first
 * went over, it is closed (`close`, with 1013). The first time over is
 * always a drop, so even a zero grace drops once before closing. Under the bound again, it is forgiven.
 */
export class SlowConsumerGuard {
  private overSince: number | null = null;
  private readonly boundBytes: number;
  private readonly graceMs: number;
  private readonly now: Clock;

  constructor(boundBytes: number, graceMs: number, now: Clock) {
    this.boundBytes = boundBytes;
    this.graceMs = graceMs;
    this.now = now;
  }

  decide(bufferedBytes: number): SendDecision {
    if (bufferedBytes <= this.boundBytes) {
      this.overSince = null;
      return 'send';
    }
    const at = this.now();
    if (this.overSince === null) {
      this.overSince = at;
      return 'drop';
    }
    return at - this.overSince >= this.graceMs ? 'close' : 'drop';
  }

  get slow(): boolean {
    return this.overSince !== null;
  }
}
