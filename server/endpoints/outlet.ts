import { CLOSE } from '../../protocol/constants.ts';
import { SlowConsumerGuard, type SendDecision } from '../core/backpressure.ts';
import type { Connection, EndpointContext } from './types.ts';

/**
 * A connection seen by fan-out code (broadcast, chat): messages caused by
 * other clients go through `offer`, which applies the slow-consumer policy.
 */
export class Outlet {
  readonly conn: Connection;
  private readonly guard: SlowConsumerGuard;
  private readonly ctx: EndpointContext;

  constructor(conn: Connection, ctx: EndpointContext) {
    this.conn = conn;
    this.ctx = ctx;
    this.guard = new SlowConsumerGuard(ctx.config.slowConsumerBytes, ctx.config.slowConsumerGrace * 1000, ctx.now);
  }

  /** The policy's decision for the next fan-out message; closes with 1013 on `close`. */
  decide(): SendDecision {
    if (!this.conn.open) return 'drop';
    const decision = this.guard.decide(this.conn.bufferedAmount);
    if (decision === 'close') {
      this.ctx.log.info('slow consumer closed', { conn: this.conn.id, buffered: this.conn.bufferedAmount });
      this.conn.close(CLOSE.tryAgainLater, 'slow consumer: too much unsent data');
    }
    return decision;
  }

  /**
   * Sends unless the connection is closing or the policy drops it. `announce` runs only when the
   * frame goes out, just before it: an inspector event it emits is never drawn for a frame that is not.
   */
  offer(data: string | Buffer, binary: boolean, announce?: () => void): void {
    if (!this.conn.open) return;
    const decision = this.decide();
    if (decision !== 'send') {
      this.ctx.stats.dropped += 1;
      return;
    }
    announce?.();
    this.conn.send(data, binary);
  }
}
