import { z } from 'zod';

/** The body of `GET /health`, read by the server badge in the site. */
export const healthSchema = z.object({
  status: z.literal('ok').describe('Always "ok" when the server answers at all.'),
  version: z.string().describe('The version of Full Duplex serving this response.'),
  uptime: z.number().nonnegative().describe('Seconds since the server started listening.'),
  connections: z
    .record(z.string(), z.number().int().nonnegative())
    .describe('Open WebSocket connections per endpoint name (echo, broadcast, chat, feed, inspect).'),
  dropped: z
    .number()
    .int()
    .nonnegative()
    .describe('Broadcast and chat messages not delivered to slow consumers since the server started.'),
  redis: z
    .enum(['up', 'down'])
    .optional()
    .describe('With --redis only: "up" while broadcast, chat and feed are shared with the other processes; "down" while Redis is unreachable and this process serves its own clients alone.'),
});

export type Health = z.infer<typeof healthSchema>;
