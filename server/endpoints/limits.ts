import { CLOSE } from '../../protocol/constants.ts';
import { ERROR_CODES, type ErrorMessage } from '../../protocol/errors.ts';
import { RateLimiter } from '../core/token-bucket.ts';
import type { Connection, EndpointContext } from './types.ts';

/**
 * The per-connection rate limit of /chat and /broadcast. Returns true when the
 * message may go on; otherwise the sender got `rate_limited`, or, when it
 * keeps pushing, the connection is closing with 1008.
 */
export function rateGate(conn: Connection, ctx: EndpointContext): () => boolean {
  const limiter = new RateLimiter(ctx.config.rateLimit, ctx.now);
  return () => {
    const decision = limiter.check();
    if (decision === 'ok') return true;
    if (decision === 'limited') {
      const error: ErrorMessage = {
        type: 'error',
        code: ERROR_CODES.rateLimited,
        message: `Too many messages: at most ${ctx.config.rateLimit.perSecond} per second (bursts of ${ctx.config.rateLimit.burst}). This one was dropped.`,
      };
      conn.send(JSON.stringify(error), false);
    } else {
      ctx.log.info('rate limit abuse', { conn: conn.id });
      conn.close(CLOSE.policyViolation, 'rate limit exceeded');
    }
    return false;
  };
}
